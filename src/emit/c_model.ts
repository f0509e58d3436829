import { InternalError, UnsupportedError } from '../errors.js';
import { dtypeBytes, elementCount, type DType } from '../ir/graph.js';
import { planDram, type DramPlan } from './dram_plan.js';
import { runLayer } from '../runtime/run_layer.js';
import type { PartitionedModel } from '../partition/partition.js';
import type { Mapping } from '../mapping/mapping.js';
import type { AnyTarget } from '../contract/target.js';
import { cProgramHelpers, emitCFunction } from './c.js';
import { hostNodeC } from './c_host.js';
import { acceleratorNodeC } from './c_model_accel.js';
import { cArrayDefinition, cType } from './c_model_data.js';
import { modelHelpers } from './c_model_helpers.js';
import { arenaLayout, traceDramBase, type ArenaLayout } from './c_model_layers.js';
import { modelHeader, modelMain, modelMakefile, modelReadme } from './c_model_files.js';
import { cIdent } from './c_names.js';
import { formRegion } from './dram_plan.js';
import { layoutConversionC } from './c_layout_conversion.js';
import {
  formLabel,
  graphForm,
  planLayouts,
  stepTensors,
  type TensorForm,
} from '../partition/layout_plan.js';

/**
 * A compiled model as a C11 project: model.c (one function per accelerator layer with its loops, as
 * emitC writes them; host ops as plain loops; `gf_run_model`; the DRAM arena as one static array laid
 * out by the runtime's planner), weights.c/.h (constants as typed arrays, accelerator weights packed
 * for their mappings), main.c, the target's runtime header, a Makefile and a README.
 */

export interface ModelProjectOptions {
  /** The model's simulated accelerator cycles; simulated here (timing only) when absent. */
  readonly simulatedCycles?: number;
  /**
   * The model's name in the project's README: the file the user gave (ONNX graph names are often
   * the exporter's, "torch_jit"); the graph's name when absent.
   */
  readonly modelName?: string;
}

/** The runtime header's file name in the project. */
export const runtimeHeaderFile = 'gf_runtime.h';

/** Host float and integer tensors need their natural alignment in the arena. */
const minAlignment = 8;

/** The layout the C uses: the given plan, or the same plan re-made at a host-safe alignment. */
export function modelArena(
  model: PartitionedModel,
  target: AnyTarget,
  schedules: ReadonlyMap<string, Mapping>,
  plan: DramPlan,
): ArenaLayout {
  const usable =
    plan.alignment % minAlignment === 0
      ? plan
      : planDram(
          model.graph,
          model.placements,
          lcm(plan.alignment, minAlignment),
          target.packsActivations,
        );
  return arenaLayout(model.graph, model.placements, target, schedules, usable);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

/** Unique C names for weights.c symbols. */
function namer() {
  const taken = new Set<string>();
  return (base: string): string => {
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
    taken.add(id);
    return id;
  };
}

function simulatedCycles(layout: ArenaLayout, target: AnyTarget): number {
  let cycles = 0;
  for (const l of layout.layers) {
    const run = runLayer(target, l.fused.workload, l.mapping, null, l.node.attrs.requant.scale[0]);
    cycles += run.result.totalCycles * l.fused.count;
  }
  return cycles;
}

interface Weights {
  readonly definitions: string[];
  readonly declarations: string[];
}

export function emitModelProject(
  model: PartitionedModel,
  target: AnyTarget,
  schedules: ReadonlyMap<string, Mapping>,
  plan: DramPlan,
  options: ModelProjectOptions = {},
): Record<string, string> {
  const { cHeader, cEncoding } = target;
  if (cHeader === undefined || cEncoding === undefined) {
    throw new UnsupportedError(`target ${target.name}`, 'it has no C runtime header to emit C for');
  }
  const graph = model.graph;
  const layout = modelArena(model, target, schedules, plan);
  const regions = new Map(layout.plan.regions.map((r) => [r.name, r]));
  const uniqueName = namer();
  const weights: Weights = { definitions: [], declarations: [] };
  const addArray = (base: string, data: ArrayLike<number>, dtype: DType): string => {
    const name = uniqueName(base);
    const n = Math.max(1, data.length);
    weights.definitions.push(cArrayDefinition(name, data, dtype, 16));
    weights.declarations.push(`extern const ${cType(dtype)} ${name}[${n}];`);
    return name;
  };
  const constants = new Map<string, string>();
  const offsetIn = (tensor: string, form: TensorForm): number => {
    const r = regions.get(formRegion(tensor, form));
    if (r === undefined || r.kind === 'staging') {
      throw new InternalError(
        `C project: the DRAM plan has no region for tensor '${tensor}' in ${formLabel(form)}`,
      );
    }
    return r.offset;
  };
  const offset = (tensor: string): number => offsetIn(tensor, graphForm);
  /** Tensors as C expressions: constants as weights.c arrays, activations in the step's forms. */
  const pointerIn = (forms: ReadonlyMap<string, TensorForm>) => (tensor: string) => {
    const t = graph.tensors[tensor];
    if (t.data !== undefined) {
      let name = constants.get(tensor);
      if (name === undefined) {
        name = addArray(`gf_c_${cIdent(tensor)}`, t.data as ArrayLike<number>, t.dtype);
        constants.set(tensor, name);
      }
      return name;
    }
    const at = offsetIn(tensor, forms.get(tensor) ?? graphForm);
    if (at % dtypeBytes[t.dtype] !== 0) {
      throw new InternalError(`C project: tensor '${tensor}' at offset ${at} is misaligned`);
    }
    return `GF_AT(${cType(t.dtype)}, ${at})`;
  };

  const functions: string[] = [];
  const init: string[] = [];
  const calls: string[] = [];
  const layers = new Map(layout.layers.map((l) => [l.index, l]));
  const indexOf = new Map(model.placements.map((p, i) => [p, i]));
  planLayouts(graph, model.placements).forEach((step, at) => {
    if (step.kind === 'conversion') {
      const c = step.conversion;
      const fn = `gf_convert_${at}`;
      const between = { from: offsetIn(c.tensor, c.from), to: offsetIn(c.tensor, c.to) };
      functions.push(layoutConversionC(c, graph, between, fn));
      calls.push(`  ${fn}(); /* ${c.op} '${c.tensor.replace(/\*\//g, '* /')}' */`);
      return;
    }
    const p = step.placement;
    const index = indexOf.get(p) ?? -1;
    const fn = `gf_node_${index}`;
    const layer = layers.get(index);
    if (layer === undefined) {
      const { reads, writes } = stepTensors(step, graph);
      const forms = new Map([...reads, ...writes].map((u) => [u.tensor, u.form]));
      functions.push(hostNodeC(p.node, graph, pointerIn(forms), fn));
    } else {
      const layerFn = `gf_layer_${index}`;
      functions.push(`static ${emitCFunction(layer.program, cEncoding, layerFn)}`);
      let referenceWeights: string | null = null;
      let bias: string | null = null;
      for (const b of layer.buffers) {
        const fill = b.fill;
        const what = `${b.buffer.role} of '${p.node.name}'`;
        if (fill.kind === 'weights') {
          const name = addArray(`gf_w_${index}`, fill.data, 'int8');
          init.push(`  gf_copy(${b.offset}, ${name}, sizeof ${name}); /* ${what} */`);
          if (fill.reference !== null) {
            referenceWeights = addArray(`gf_wref_${index}`, fill.reference, 'int8');
          }
        } else if (fill.kind === 'bias') {
          bias = addArray(`gf_b_${index}`, fill.data, 'int32');
          init.push(`  gf_copy(${b.offset}, ${bias}, sizeof ${bias}); /* ${what} */`);
        } else if (fill.kind === 'contents') {
          const name = addArray(`gf_k_${index}`, Int32Array.from(fill.words), 'int32');
          init.push(`  gf_copy(${b.offset}, ${name}, sizeof ${name}); /* ${what} */`);
        }
      }
      const gather =
        layer.packing === null
          ? null
          : {
              input: addArray(`gf_pack_${index}`, layer.packing.input, 'int32'),
              output: addArray(`gf_unpack_${index}`, layer.packing.output, 'int32'),
            };
      functions.push(
        acceleratorNodeC(layer, graph, target, {
          layer: layerFn,
          node: fn,
          offset,
          referenceWeights,
          bias,
          gather,
        }),
      );
    }
    calls.push(`  ${fn}(); /* ${p.node.op} '${p.node.name.replace(/\*\//g, '* /')}' */`);
  });

  const io = (names: readonly string[], kind: 'input' | 'output') =>
    names.map((name, i) => {
      const t = graph.tensors[name];
      if (t.data !== undefined) {
        throw new UnsupportedError(`graph ${kind} '${name}'`, 'a constant graph input or output');
      }
      return { name, index: i, dtype: t.dtype, shape: t.shape, count: elementCount(t.shape) };
    });
  const inputs = io(graph.inputs, 'input');
  const outputs = io(graph.outputs, 'output');
  const params = [
    ...inputs.map((x) => `const ${cType(x.dtype)} *input_${x.index}`),
    ...outputs.map((x) => `${cType(x.dtype)} *output_${x.index}`),
  ].join(', ');
  const cycles = options.simulatedCycles ?? simulatedCycles(layout, target);

  const header = modelHeader(graph, target, inputs, outputs, params, cycles);
  const weightsH = [
    `/* gemmforge: the constants of model "${graph.name}" (generated) */`,
    '#ifndef GF_WEIGHTS_H',
    '#define GF_WEIGHTS_H',
    '#include <stdint.h>',
    '',
    ...weights.declarations,
    '',
    '#endif',
    '',
  ].join('\n');
  const weightsC = [
    `/* gemmforge: the constants of model "${graph.name}" for ${target.name} (generated). */`,
    "/* Accelerator weights (gf_w_*) are packed for their layer's mapping; gf_b_* are biases. */",
    '#include "weights.h"',
    '',
    ...weights.definitions,
  ].join('\n');
  const modelC = [
    `/* gemmforge: model "${graph.name}" on ${target.name} (generated) */`,
    '#include <stddef.h>',
    '#include <stdint.h>',
    `#include "${runtimeHeaderFile}"`,
    '#include "model.h"',
    '#include "weights.h"',
    '',
    `/* The DRAM arena (${layout.totalBytes} bytes): the runtime planner's regions (weights, then`,
    ` * activations and per-layer staging buffers sharing space by lifetime), then buffers the plan`,
    ' * does not size. */',
    `#define GF_ARENA_BYTES ${layout.totalBytes}`,
    `static _Alignas(${Math.max(16, layout.plan.alignment)}) uint8_t gf_arena_bytes[GF_ARENA_BYTES];`,
    '/* Everything reaches the arena through this pointer, whose value the compiler cannot assume:',
    ' * GCC 12 at -O1 (ivopts, then ipa-pure-const) took a host loop storing into the static array',
    ' * through a float pointer for one without side effects, and dropped its call. */',
    'uint8_t *gf_arena = gf_arena_bytes;',
    '#define GF_AT(type, offset) ((type *)(void *)(gf_arena + (offset)))',
    '#if defined(GF_TRACE_MODE)',
    '/* Trace mode: fixed DRAM addresses, so the trace is the same on every run. */',
    `#define GF_DRAM(offset) (UINT64_C(0x${traceDramBase.toString(16)}) + (uint64_t)(offset))`,
    '#else',
    '#define GF_DRAM(offset) ((uint64_t)(uintptr_t)(gf_arena + (offset)))',
    '#endif',
    '',
    cProgramHelpers,
    modelHelpers(target.spec.requantization.scale),
    'static inline void gf_copy(int64_t offset, const void *from, size_t bytes) {',
    '  const uint8_t *src = (const uint8_t *)from;',
    '  for (size_t i = 0; i < bytes; ++i) gf_arena[offset + (int64_t)i] = src[i];',
    '}',
    '',
    ...functions,
    '/* Weights and constants the accelerator reads, into their DRAM regions (once). */',
    'static void gf_model_init(void) {',
    '  static int done = 0;',
    '  if (done) return;',
    '  done = 1;',
    ...init,
    '}',
    '',
    'void gf_model_trace_open(const char *path) { gf_trace_init(path); }',
    'void gf_model_trace_close(void) { gf_trace_close(); }',
    '',
    `void gf_run_model(${params}) {`,
    '  gf_model_init();',
    ...inputs.map((x) => {
      const t = `${cType(x.dtype)}`;
      return `  for (int64_t i = 0; i < ${x.count}; ++i) GF_AT(${t}, ${offset(x.name)})[i] = input_${x.index}[i];`;
    }),
    ...calls,
    ...outputs.map((x) => {
      const t = `${cType(x.dtype)}`;
      return `  for (int64_t i = 0; i < ${x.count}; ++i) output_${x.index}[i] = GF_AT(${t}, ${offset(x.name)})[i];`;
    }),
    '}',
    '',
  ].join('\n');
  const accelerated = layout.layers.length;
  return {
    'model.c': modelC,
    'model.h': header,
    'weights.c': weightsC,
    'weights.h': weightsH,
    'main.c': modelMain(inputs, outputs),
    [runtimeHeaderFile]: cHeader(),
    Makefile: modelMakefile(),
    'README.md': modelReadme({
      model: options.modelName ?? graph.name,
      target: target.name,
      accelerated,
      host: model.placements.length - accelerated,
      arenaBytes: layout.totalBytes,
      cycles,
      clockHz: target.spec.clockHz,
      inputs,
      outputs,
    }),
  };
}
