import { InternalError } from '../errors.js';
import { elementCount, type Graph } from '../ir/graph.js';
import { shiftOf } from '../reference/requantize.js';
import type { AnyTarget } from '../contract/target.js';
import { convOutputSize, convPadValue } from '../workload/shape.js';
import type { AcceleratorLayer } from './c_model_layers.js';

/**
 * An accelerator node as C: call the layer's program function with its buffers' DRAM addresses,
 * once per run of a batched product. A convolution's program reads and writes its activations in
 * place, in the regions the layout plan holds them in (NHWC, padded where the runtime pads); a
 * matrix product's operands are staged. In trace mode no accelerator computes, so the layer's
 * integer reference fills the output.
 */

export interface AcceleratorNames {
  /** The layer's program function. */
  readonly layer: string;
  /** The node's function. */
  readonly node: string;
  /** Arena offset of a graph tensor. */
  readonly offset: (tensor: string) => number;
  /** The weights.c array of the reference weights, when they differ from the DRAM copy. */
  readonly referenceWeights: string | null;
  /** The weights.c array of the bias. */
  readonly bias: string | null;
  /** The weights.c gather tables of a packing target (c_model_layers.ts `ActivationPacking`). */
  readonly gather: { readonly input: string; readonly output: string } | null;
}

/**
 * A matrix product's activation operand staged for run `run` (the graph's row-major layout is the
 * workload's); a convolution reads its input in place, from the plan's NHWC region.
 */
function stageInput(layer: AcceleratorLayer, graph: Graph, names: AcceleratorNames, at: number) {
  const node = layer.node;
  if (node.op !== 'QGemm') return [];
  const x = graph.tensors[node.inputs[0]];
  const n = elementCount(x.shape) / layer.fused.count;
  return [
    `    const int8_t *x = GF_AT(const int8_t, ${names.offset(x.name)}) + run * ${n};`,
    `    int8_t *staged = GF_AT(int8_t, ${at});`,
    `    for (int64_t i = 0; i < ${n}; ++i) staged[i] = x[i];`,
  ];
}

/** A matrix product's output of run `run` back in place; a convolution wrote its NHWC region. */
function unstageOutput(layer: AcceleratorLayer, graph: Graph, names: AcceleratorNames, at: number) {
  if (layer.node.op !== 'QGemm') return [];
  const y = graph.tensors[layer.node.outputs[0]];
  const n = elementCount(y.shape) / layer.fused.count;
  return [
    `    int8_t *y = GF_AT(int8_t, ${names.offset(y.name)}) + run * ${n};`,
    `    const int8_t *result = GF_AT(const int8_t, ${at});`,
    `    for (int64_t i = 0; i < ${n}; ++i) y[i] = result[i];`,
  ];
}

/** Where a layer's input and output are in the workload's layouts (the program's, unless it packs). */
function workloadLayoutAt(layer: AcceleratorLayer, at: (role: string) => number) {
  return layer.packing === null
    ? { input: at('input'), output: at('output') }
    : { input: layer.packing.inputAt, output: layer.packing.outputAt };
}

/** Gathers `n` elements: dst[i] = src[table[i] − 1], or 0 where the table holds 0. */
function gather(table: string, n: number, src: number, dst: number): string[] {
  return [
    `    const int8_t *src = GF_AT(const int8_t, ${src});`,
    `    int8_t *dst = GF_AT(int8_t, ${dst});`,
    `    for (int64_t i = 0; i < ${n}; ++i) dst[i] = ${table}[i] ? src[${table}[i] - 1] : 0;`,
  ];
}

function reference(layer: AcceleratorLayer, target: AnyTarget, names: AcceleratorNames): string[] {
  const w = layer.fused.workload;
  const scale = layer.node.attrs.requant.scale[0];
  const mode = target.spec.requantization.scale;
  const shift = mode === 'float32' ? 0 : shiftOf(scale);
  const relu = w.activation === 'relu' ? 1 : 0;
  const at = (role: string) => {
    const b = layer.buffers.find((x) => x.buffer.role === role);
    if (b === undefined) throw new InternalError(`'${layer.node.name}': no ${role} buffer`);
    return b.offset;
  };
  const activations = workloadLayoutAt(layer, at);
  const input = `GF_AT(const int8_t, ${activations.input})`;
  const weight = names.referenceWeights ?? `GF_AT(const int8_t, ${at('weight')})`;
  const bias = names.bias ?? 'NULL';
  const output = `GF_AT(int8_t, ${activations.output})`;
  const tail = `${cScale(scale)}, ${shift}, ${relu}`;
  if (w.kind === 'gemm') {
    return [
      `    gf_reference_gemm(${input}, ${weight}, ${bias},`,
      `                      ${output}, ${w.M}, ${w.N}, ${w.K}, ${tail});`,
    ];
  }
  const { P, Q } = convOutputSize(w);
  const dims = [w.N, w.H, w.W, w.C, w.K, w.R, w.S, w.strideH, w.strideW, w.padTop, w.padLeft];
  dims.push(w.dilationH, w.dilationW, w.groups, P, Q, convPadValue(w));
  return [
    `    static const int64_t dims[17] = {${dims.join(', ')}};`,
    `    gf_reference_conv(${input}, ${weight}, ${bias},`,
    `                      ${output}, dims, ${tail});`,
  ];
}

function cScale(scale: number): string {
  const f = Math.fround(scale);
  const text = String(f);
  return /[.e]/.test(text) ? `${text}f` : `${text}.0f`;
}

/** Statements (indented for the run loop) as a block of their own. */
function block(lines: readonly string[]): string[] {
  return ['    {', ...lines.map((l) => `  ${l}`), '    }'];
}

/** A block of the statements, or nothing when there are none. */
function blockOf(lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : block(lines);
}

/** The node's function: per run, stage, call the program, (trace: compute), unstage. */
export function acceleratorNodeC(
  layer: AcceleratorLayer,
  graph: Graph,
  target: AnyTarget,
  names: AcceleratorNames,
): string {
  const node = layer.node;
  const at = (role: string) => {
    const b = layer.buffers.find((x) => x.buffer.role === role);
    if (b === undefined) throw new InternalError(`'${node.name}': no ${role} buffer`);
    return b.offset;
  };
  const stageWeights = layer.stagedWeights
    ? (() => {
        const b = graph.tensors[node.inputs[1]];
        const n = elementCount(b.shape) / layer.fused.count;
        return [
          `    const int8_t *b = GF_AT(const int8_t, ${names.offset(b.name)}) + run * ${n};`,
          `    int8_t *staged = GF_AT(int8_t, ${at('weight')});`,
          `    for (int64_t i = 0; i < ${n}; ++i) staged[i] = b[i];`,
        ];
      })()
    : [];
  const activations = workloadLayoutAt(layer, at);
  const { packing } = layer;
  const g = names.gather;
  if ((packing === null) !== (g === null)) {
    throw new InternalError(`'${node.name}': gather tables without packing, or packing without`);
  }
  const pack =
    packing === null || g === null
      ? []
      : block(gather(g.input, packing.input.length, packing.inputAt, at('input')));
  const unpack =
    packing === null || g === null
      ? []
      : [
          '#if !defined(GF_TRACE_MODE)',
          ...block(gather(g.output, packing.output.length, at('output'), packing.outputAt)),
          '#endif',
        ];
  const args = layer.buffers.map((b) => `GF_DRAM(${b.offset})`);
  const w = layer.fused.workload;
  const what = `${w.kind} ${layer.node.op} '${node.name.replace(/\*\//g, '* /')}'`;
  return [
    `/* ${what} on the accelerator: ${layer.fused.count} run(s) of ${layer.program.name.replace(/\*\//g, '* /')} */`,
    `static void ${names.node}(void) {`,
    `  for (int64_t run = 0; run < ${layer.fused.count}; ++run) {`,
    ...blockOf(stageInput(layer, graph, names, activations.input)),
    ...pack,
    ...blockOf(stageWeights),
    `    ${names.layer}(${args.join(', ')});`,
    ...unpack,
    '#if defined(GF_TRACE_MODE)',
    ...block(reference(layer, target, names)),
    '#endif',
    ...blockOf(unstageOutput(layer, graph, names, activations.output)),
    '  }',
    '}',
    '',
  ].join('\n');
}
