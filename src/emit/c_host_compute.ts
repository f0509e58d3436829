import type { Graph, NodeOf, Tensor } from '../ir/graph.js';
import { broadcastShape, broadcastStrides } from '../host/broadcast.js';
import { window2d } from '../host/window.js';
import type { TensorPointer } from './c_host_loops.js';
import { cDouble, cFloat } from './c_model_data.js';

/**
 * The host's compute ops in C, with the reference kernels' arithmetic: float convolution and matrix
 * products summing float32 products in double in the same order (so every output rounds the same),
 * and the fused integer ops (QConv, QGemm) with int32 sums that wrap and fp32 requantization.
 * Each returns statements for a node function, or a reason it cannot.
 */

export type Emitted = { readonly lines: string[] } | { readonly refused: string };

const tensor = (graph: Graph, name: string): Tensor => graph.tensors[name];
const given = (name: string | undefined): name is string => name !== undefined && name !== '';

/** Both operands int8 (the quantized op) or float32; otherwise the refusal naming their types. */
function operandTypes(a: Tensor, b: Tensor, quantized: boolean): { refused: string } | null {
  const want = quantized ? 'int8' : 'float32';
  return a.dtype === want && b.dtype === want ? null : { refused: `${a.dtype} × ${b.dtype}` };
}

/** Conv (float) and QConv: NCHW input, [M][C/g][kH][kW] weights, 1-D or 2-D. */
export function convC(
  node: NodeOf<'Conv'> | NodeOf<'QConv'>,
  graph: Graph,
  ptr: TensorPointer,
): Emitted {
  const [x, w] = [tensor(graph, node.inputs[0]), tensor(graph, node.inputs[1])];
  const quantized = node.op === 'QConv';
  const refused = operandTypes(x, w, quantized);
  if (refused !== null) return refused;
  const rank = x.shape.length;
  if (rank !== 3 && rank !== 4) return { refused: `a ${rank}-D input` };
  const kernelShape = node.attrs.kernelShape ?? w.shape.slice(2);
  const g = window2d(x.shape.slice(2), { ...node.attrs, kernelShape, ceilMode: false });
  const [N, C] = x.shape;
  const H = rank === 4 ? x.shape[2] : 1;
  const W = x.shape[rank - 1];
  const M = w.shape[0];
  const G = node.attrs.group;
  const Cg = C / G;
  const Mg = M / G;
  const bias = given(node.inputs[2]) ? ptr(node.inputs[2]) : null;
  const pad = quantized ? node.attrs.padValue : 0;
  const accType = quantized ? 'uint32_t' : 'double';
  const init = bias === null ? (quantized ? '0u' : '0.0') : `(${accType})${bias}[m]`;
  const term = quantized ? '(uint32_t)((int32_t)v * wt[kw])' : '(double)wt[kw] * (double)v';
  const store = quantized
    ? `gf_requantize_host((int32_t)acc, ${requantScale(node, 'm')}, ${node.attrs.requant.activation === 'relu' ? 1 : 0})`
    : '(float)acc';
  const type = quantized ? 'int8_t' : 'float';
  // Out-of-range taps: QConv reads the pad value, Conv skips them (as the float kernel does).
  const tap = quantized
    ? [
        `const int8_t v = h < 0 || h >= ${H} || x0 < 0 || x0 >= ${W} ? ${pad} : plane[h * ${W} + x0];`,
        `acc += ${term};`,
      ]
    : [
        `if (h < 0 || h >= ${H} || x0 < 0 || x0 >= ${W}) continue;`,
        `const float v = plane[h * ${W} + x0];`,
        `acc += ${term};`,
      ];
  return {
    lines: [
      `  const ${type} *x = ${ptr(x.name)};`,
      `  const ${type} *wgt = ${ptr(w.name)};`,
      `  ${type} *y = ${ptr(node.outputs[0])};`,
      ...(quantized ? scaleTable(node) : []),
      `  for (int64_t n = 0; n < ${N}; ++n) {`,
      `    for (int64_t m = 0; m < ${M}; ++m) {`,
      `      const int64_t grp = m / ${Mg};`,
      `      for (int64_t oh = 0; oh < ${g.outH}; ++oh) {`,
      `        for (int64_t ow = 0; ow < ${g.outW}; ++ow) {`,
      `          ${accType} acc = ${init};`,
      `          for (int64_t c = 0; c < ${Cg}; ++c) {`,
      `            const ${type} *plane = x + (n * ${C} + grp * ${Cg} + c) * ${H * W};`,
      `            for (int64_t kh = 0; kh < ${g.kH}; ++kh) {`,
      `              const int64_t h = oh * ${g.sH} - ${g.padTop} + kh * ${g.dH};`,
      `              const ${type} *wt = wgt + ((m * ${Cg} + c) * ${g.kH} + kh) * ${g.kW};`,
      `              for (int64_t kw = 0; kw < ${g.kW}; ++kw) {`,
      `                const int64_t x0 = ow * ${g.sW} - ${g.padLeft} + kw * ${g.dW};`,
      ...tap.map((l) => `                ${l}`),
      '              }',
      '            }',
      '          }',
      `          y[((n * ${M} + m) * ${g.outH} + oh) * ${g.outW} + ow] = ${store};`,
      '        }',
      '      }',
      '    }',
      '  }',
    ],
  };
}

function scaleTable(node: NodeOf<'QConv'> | NodeOf<'QGemm'>): string[] {
  const s = node.attrs.requant.scale;
  return s.length === 1
    ? []
    : [`  static const float scales[${s.length}] = {${s.map(cFloat).join(', ')}};`];
}

function requantScale(node: NodeOf<'QConv'> | NodeOf<'QGemm'>, channel: string): string {
  const s = node.attrs.requant.scale;
  return s.length === 1 ? cFloat(s[0]) : `scales[${channel}]`;
}

/** MatMul (float, numpy broadcasting of batch dims) and QGemm ([...][M][K] × [K][N] or batched). */
export function matMulC(
  node: NodeOf<'MatMul'> | NodeOf<'QGemm'>,
  graph: Graph,
  ptr: TensorPointer,
): Emitted {
  const [a, b] = [tensor(graph, node.inputs[0]), tensor(graph, node.inputs[1])];
  const quantized = node.op === 'QGemm';
  const refused = operandTypes(a, b, quantized);
  if (refused !== null) return refused;
  if (a.shape.length < 2 || b.shape.length < 2) return { refused: '1-D operands' };
  const M = a.shape[a.shape.length - 2];
  const K = a.shape[a.shape.length - 1];
  const N = b.shape[b.shape.length - 1];
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batch = quantized ? aBatch : broadcastShape(aBatch, bBatch);
  const sa = quantized
    ? batch.map((_, i) => batch.slice(i + 1).reduce((x, y) => x * y, 1))
    : Array.from(broadcastStrides(aBatch, batch));
  const sb = quantized
    ? bBatch.length === 0
      ? batch.map(() => 0)
      : sa
    : Array.from(broadcastStrides(bBatch, batch));
  const count = batch.reduce((x, y) => x * y, 1);
  const type = quantized ? 'int8_t' : 'float';
  const accType = quantized ? 'uint32_t' : 'double';
  const bias = quantized && given(node.inputs[2]) ? ptr(node.inputs[2]) : null;
  const init = bias === null ? (quantized ? '0u' : '0.0') : `(uint32_t)${bias}[j]`;
  const term = quantized ? '(uint32_t)((int32_t)av * bt[j])' : '(double)av * (double)bt[j]';
  const store = quantized
    ? `gf_requantize_host((int32_t)row[j], ${requantScale(node as NodeOf<'QGemm'>, 'j')}, ${(node as NodeOf<'QGemm'>).attrs.requant.activation === 'relu' ? 1 : 0})`
    : '(float)row[j]';
  // The batch index t as offsets into a and b (its digits times the broadcast strides).
  const offsets = batch.map((d, i) => {
    const inner = batch.slice(i + 1).reduce((x, y) => x * y, 1);
    return { digit: `(t / ${inner}) % ${d}`, a: sa[i], b: sb[i] };
  });
  const off = (k: 'a' | 'b') =>
    offsets
      .filter((o) => o[k] !== 0)
      .map((o) => `${o.digit} * ${o[k]}`)
      .join(' + ') || '0';
  return {
    lines: [
      `  const ${type} *a = ${ptr(a.name)};`,
      `  const ${type} *b = ${ptr(b.name)};`,
      `  ${type} *y = ${ptr(node.outputs[0])};`,
      ...(quantized ? scaleTable(node as NodeOf<'QGemm'>) : []),
      `  static ${accType} row[${N}];`,
      `  for (int64_t t = 0; t < ${count}; ++t) {`,
      `    const ${type} *at = a + (${off('a')}) * ${M * K};`,
      `    const ${type} *bb = b + (${off('b')}) * ${K * N};`,
      `    for (int64_t i = 0; i < ${M}; ++i) {`,
      `      for (int64_t j = 0; j < ${N}; ++j) row[j] = ${init};`,
      `      for (int64_t k = 0; k < ${K}; ++k) {`,
      `        const ${type} av = at[i * ${K} + k];`,
      `        const ${type} *bt = bb + k * ${N};`,
      `        for (int64_t j = 0; j < ${N}; ++j) row[j] += ${term};`,
      '      }',
      `      for (int64_t j = 0; j < ${N}; ++j) y[(t * ${M} + i) * ${N} + j] = ${store};`,
      '    }',
      '  }',
    ],
  };
}

/** Gemm (float): Y = alpha·op(A)·op(B) + beta·C. */
export function gemmC(node: NodeOf<'Gemm'>, graph: Graph, ptr: TensorPointer): Emitted {
  const a = tensor(graph, node.inputs[0]);
  const b = tensor(graph, node.inputs[1]);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return { refused: `${a.dtype} × ${b.dtype}` };
  const { transA, transB, alpha, beta } = node.attrs;
  const [M, K] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const N = transB ? b.shape[0] : b.shape[1];
  const [aM, aK] = transA ? [1, M] : [K, 1];
  const [bK, bN] = transB ? [1, K] : [N, 1];
  const c = given(node.inputs[2]) && beta !== 0 ? tensor(graph, node.inputs[2]) : undefined;
  if (c !== undefined && c.dtype !== 'float32') return { refused: `C is ${c.dtype}` };
  const cs = c === undefined ? undefined : broadcastStrides(c.shape, [M, N]);
  const bias =
    c === undefined || cs === undefined ? '0.0' : `(double)cc[m * ${cs[0]} + n * ${cs[1]}]`;
  return {
    lines: [
      `  const float *a = ${ptr(a.name)};`,
      `  const float *b = ${ptr(b.name)};`,
      ...(c === undefined ? [] : [`  const float *cc = ${ptr(c.name)};`]),
      `  float *y = ${ptr(node.outputs[0])};`,
      `  static double row[${N}];`,
      `  for (int64_t m = 0; m < ${M}; ++m) {`,
      `    for (int64_t n = 0; n < ${N}; ++n) row[n] = 0.0;`,
      `    for (int64_t k = 0; k < ${K}; ++k) {`,
      `      const double av = (double)a[m * ${aM} + k * ${aK}];`,
      `      for (int64_t n = 0; n < ${N}; ++n) row[n] += av * (double)b[k * ${bK} + n * ${bN}];`,
      '    }',
      `    for (int64_t n = 0; n < ${N}; ++n) {`,
      `      y[m * ${N} + n] = (float)(${cDouble(alpha)} * row[n] + ${cDouble(beta)} * ${bias});`,
      '    }',
      '  }',
    ],
  };
}

/** Concat along an axis: each input's rows of `inner` elements, in turn. */
export function concatC(
  node: NodeOf<'Concat'>,
  graph: Graph,
  ptr: TensorPointer,
  type: string,
): Emitted {
  const y = tensor(graph, node.outputs[0]);
  const rank = y.shape.length;
  const axis = node.attrs.axis < 0 ? node.attrs.axis + rank : node.attrs.axis;
  const outer = y.shape.slice(0, axis).reduce((p, q) => p * q, 1);
  const after = y.shape.slice(axis + 1).reduce((p, q) => p * q, 1);
  const rowOut = y.shape[axis] * after;
  const lines = [`  ${type} *y = ${ptr(y.name)};`];
  let at = 0;
  node.inputs.forEach((name, i) => {
    const x = tensor(graph, name);
    const row = x.shape[axis] * after;
    lines.push(
      `  const ${type} *x${i} = ${ptr(name)};`,
      `  for (int64_t o = 0; o < ${outer}; ++o)`,
      `    for (int64_t i = 0; i < ${row}; ++i) y[o * ${rowOut} + ${at} + i] = x${i}[o * ${row} + i];`,
    );
    at += row;
  });
  return { lines };
}
