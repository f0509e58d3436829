import { elementCount, type DType, type Graph, type Node } from '../ir/graph.js';
import { normalizeAxis } from '../host/host_tensor.js';
import {
  constValues,
  nestedLoops,
  refuse,
  requireF32,
  tensorOf,
  type TensorPointer,
} from './c_host_loops.js';
import { cFloat, cType } from './c_model_data.js';

/**
 * QuantizeLinear and DequantizeLinear in C, per tensor or per axis, as the host kernels compute
 * them: x / scale in float32, rounded half to even, plus the zero point, saturated; and
 * float32(x - zero point) × scale.
 */

const quantRanges: Partial<Record<DType, readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
};

/** Per-tensor or per-axis parameters: the loop shape [outer, count, inner] and the channel index. */
function paramLoops(shape: readonly number[], count: number, axis: number, node: Node) {
  if (count === 1) return { loops: [elementCount(shape)], channel: (_: string[]) => '0' };
  const a = normalizeAxis(axis, shape.length);
  if (shape[a] !== count) refuse(node, `${count} scales for axis ${axis} of size ${shape[a]}`);
  const outer = elementCount(shape.slice(0, a));
  const inner = elementCount(shape.slice(a + 1));
  return { loops: [outer, count, inner], channel: (idx: string[]) => idx[1] };
}

export function quantizeLinear(
  node: Node & { op: 'QuantizeLinear' },
  graph: Graph,
  ptr: TensorPointer,
) {
  const x = tensorOf(graph, node, node.inputs[0]);
  const y = tensorOf(graph, node, node.outputs[0]);
  requireF32(node, [x]);
  const scale = constValues(graph, node.inputs[1]);
  const zp = node.inputs[2] === undefined || node.inputs[2] === '' ? undefined : node.inputs[2];
  const zpValues = zp === undefined ? [0] : constValues(graph, zp);
  if (scale === undefined || zpValues === undefined)
    refuse(node, 'scale and zero point must be constants');
  const range = quantRanges[y.dtype];
  if (range === undefined) refuse(node, `QuantizeLinear to ${y.dtype}`);
  const { loops, channel } = paramLoops(x.shape, scale.length, node.attrs.axis, node);
  const s = scale.length === 1 ? cFloat(scale[0]) : `${ptr(node.inputs[1])}[c]`;
  const z = zpValues.length === 1 ? String(zpValues[0]) : `(double)${ptr(zp as string)}[c]`;
  const body = (idx: string[]) => {
    const i =
      loops.length === 1
        ? idx[0]
        : `(${idx[0]} * ${loops[1]} + ${idx[1]}) * ${loops[2]} + ${idx[2]}`;
    return [
      ...(scale.length === 1 ? [] : [`const int64_t c = ${channel(idx)};`]),
      `const double q = (double)gf_round_half_even(x[${i}] / ${s}) + ${z};`,
      `y[${i}] = (${cType(y.dtype)})(q != q ? 0 : q < ${range[0]} ? ${range[0]} : q > ${range[1]} ? ${range[1]} : q);`,
    ];
  };
  return [
    `  const float *x = ${ptr(x.name)};`,
    `  ${cType(y.dtype)} *y = ${ptr(y.name)};`,
    ...nestedLoops(loops, body),
  ];
}

export function dequantizeLinear(
  node: Node & { op: 'DequantizeLinear' },
  graph: Graph,
  ptr: TensorPointer,
) {
  const x = tensorOf(graph, node, node.inputs[0]);
  const y = tensorOf(graph, node, node.outputs[0]);
  if (quantRanges[x.dtype] === undefined && x.dtype !== 'int32') refuse(node, `from ${x.dtype}`);
  const scale = constValues(graph, node.inputs[1]);
  const zp = node.inputs[2] === undefined || node.inputs[2] === '' ? undefined : node.inputs[2];
  const zpValues = zp === undefined ? [0] : constValues(graph, zp);
  if (scale === undefined || zpValues === undefined)
    refuse(node, 'scale and zero point must be constants');
  const { loops, channel } = paramLoops(x.shape, scale.length, node.attrs.axis, node);
  const s = scale.length === 1 ? cFloat(scale[0]) : `${ptr(node.inputs[1])}[c]`;
  const z = zpValues.length === 1 ? `(int64_t)${zpValues[0]}` : `(int64_t)${ptr(zp as string)}[c]`;
  const body = (idx: string[]) => {
    const i =
      loops.length === 1
        ? idx[0]
        : `(${idx[0]} * ${loops[1]} + ${idx[1]}) * ${loops[2]} + ${idx[2]}`;
    return [
      ...(scale.length === 1 ? [] : [`const int64_t c = ${channel(idx)};`]),
      `y[${i}] = (float)((int64_t)x[${i}] - ${z}) * ${s};`,
    ];
  };
  return [
    `  const ${cType(x.dtype)} *x = ${ptr(x.name)};`,
    `  float *y = ${ptr(y.name)};`,
    ...nestedLoops(loops, body),
  ];
}

/**
 * QAdd in C (ir/graph.ts `QAddAttrs`), as the host kernel computes it: the int32 weighted sum, each
 * fraction term and the result through `gf_requantize_host` (fp32 scale, round half to even,
 * saturation; ReLU on the result).
 */
export function qadd(node: Node & { op: 'QAdd' }, graph: Graph, ptr: TensorPointer): string[] {
  const y = tensorOf(graph, node, node.outputs[0]);
  const q = node.attrs;
  const terms = (x: string, scales: readonly number[]) =>
    scales.map((s) => ` + gf_requantize_host(${x}[i], ${cFloat(s)}, 0)`).join('');
  const relu = q.activation === 'relu' ? 1 : 0;
  return [
    `  const int8_t *a = ${ptr(node.inputs[0])};`,
    `  const int8_t *b = ${ptr(node.inputs[1])};`,
    `  int8_t *y = ${ptr(y.name)};`,
    `  for (int64_t i = 0; i < ${elementCount(y.shape)}; ++i) {`,
    `    const int32_t acc = ${q.offset} + a[i] * ${q.aWeight} + b[i] * ${q.bWeight}` +
      `${terms('a', q.aScales)}${terms('b', q.bScales)};`,
    `    y[i] = gf_requantize_host(acc, ${cFloat(q.outScale)}, ${relu});`,
    '  }',
  ];
}
