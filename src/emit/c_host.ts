import { elementCount, type Graph, type Node } from '../ir/graph.js';
import { broadcastShape, broadcastStrides } from '../host/broadcast.js';
import { stridesOf } from '../host/host_tensor.js';
import { concatC, convC, gemmC, matMulC, type Emitted } from './c_host_compute.js';
import {
  constValues,
  linear,
  nestedLoops,
  refuse,
  requireF32,
  tensorOf,
  type TensorPointer,
} from './c_host_loops.js';
import { dataMovementMap, movementLoops } from './c_host_movement.js';
import { dequantizeLinear, qadd, quantizeLinear } from './c_host_quantize.js';
import { globalAveragePool, pool, reduceMean, softmax } from './c_host_reduce.js';
import { cDouble, cFloat, cType } from './c_model_data.js';

/**
 * A host node as a C function of plain loops over the model's tensors, with the arithmetic of the
 * reference kernels (src/host/): float32 values, double where those kernels use JS numbers
 * (sums, exp, pow, sqrt), round half to even. Data movement ops (Transpose, Slice, Reshape, …) copy
 * by the index map the reference kernel itself produces. An op or dtype with no C here is an
 * UnsupportedError naming the node: never wrong code.
 */

export type { TensorPointer };

/** C for `a op b` on float32 values a, b (double where the reference uses JS numbers). */
const binaryOps: Readonly<Record<string, (a: string, b: string) => string>> = {
  Add: (a, b) => `${a} + ${b}`,
  Sub: (a, b) => `${a} - ${b}`,
  Mul: (a, b) => `${a} * ${b}`,
  Div: (a, b) => `${a} / ${b}`,
  Pow: (a, b) => `(float)__builtin_pow((double)${a}, (double)${b})`,
};

function binary(node: Node, graph: Graph, ptr: TensorPointer) {
  const a = tensorOf(graph, node, node.inputs[0]);
  const b = tensorOf(graph, node, node.inputs[1]);
  const y = tensorOf(graph, node, node.outputs[0]);
  const powExponent =
    node.op === 'Pow' && ['float32', 'int32', 'int64', 'float64'].includes(b.dtype);
  requireF32(node, powExponent ? [a] : [a, b]);
  const shape = broadcastShape(a.shape, b.shape);
  const sa = broadcastStrides(a.shape, shape);
  const sb = broadcastStrides(b.shape, shape);
  const so = stridesOf(shape);
  const op = binaryOps[node.op];
  return [
    `  const float *a = ${ptr(a.name)};`,
    `  const ${cType(b.dtype)} *b = ${ptr(b.name)};`,
    `  float *y = ${ptr(y.name)};`,
    ...nestedLoops(shape, (idx) => [
      `y[${linear(idx, so)}] = ${op(`a[${linear(idx, sa)}]`, `b[${linear(idx, sb)}]`)};`,
    ]),
  ];
}

const unaryOps: Readonly<Record<string, (x: string) => string>> = {
  Relu: (x) => `${x} > 0.0f ? ${x} : 0.0f`,
  Sqrt: (x) => `(float)__builtin_sqrt((double)${x})`,
  Sigmoid: (x) => `(float)(1.0 / (1.0 + __builtin_exp(-(double)${x})))`,
  Tanh: (x) => `(float)__builtin_tanh((double)${x})`,
  Identity: (x) => x,
};

function unary(node: Node, graph: Graph, ptr: TensorPointer, fn: (x: string) => string) {
  const x = tensorOf(graph, node, node.inputs[0]);
  const y = tensorOf(graph, node, node.outputs[0]);
  requireF32(node, [x, y]);
  return [
    `  const float *x = ${ptr(x.name)};`,
    `  float *y = ${ptr(y.name)};`,
    `  for (int64_t i = 0; i < ${elementCount(x.shape)}; ++i) {`,
    `    const float v = x[i];`,
    `    y[i] = ${fn('v')};`,
    '  }',
  ];
}

function clipBounds(node: Node & { op: 'Clip' }, graph: Graph): [number, number] {
  if (graph.opset < 11) return [node.attrs.min ?? -Infinity, node.attrs.max ?? Infinity];
  const bound = (i: number, absent: number) => {
    const name = node.inputs[i];
    if (name === undefined || name === '') return absent;
    const v = constValues(graph, name);
    if (v === undefined) refuse(node, 'its bounds must be constants');
    return v[0];
  };
  return [bound(1, -Infinity), bound(2, Infinity)];
}

function emitted(node: Node, e: Emitted): string[] {
  if ('refused' in e) refuse(node, e.refused);
  return e.lines;
}

/** The body of a host node's C function (its statements, two-space indented). */
function body(node: Node, graph: Graph, ptr: TensorPointer): string[] {
  switch (node.op) {
    case 'QuantizeLinear':
      return quantizeLinear(node, graph, ptr);
    case 'DequantizeLinear':
      return dequantizeLinear(node, graph, ptr);
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
    case 'Pow':
      return binary(node, graph, ptr);
    case 'Relu':
    case 'Sqrt':
    case 'Sigmoid':
    case 'Tanh':
      return unary(node, graph, ptr, unaryOps[node.op]);
    case 'Clip': {
      const [lo, hi] = clipBounds(node, graph);
      return unary(
        node,
        graph,
        ptr,
        (v) =>
          `(double)${v} < ${cDouble(lo)} ? ${cFloat(lo)} : (double)${v} > ${cDouble(hi)} ? ${cFloat(hi)} : ${v}`,
      );
    }
    case 'MaxPool':
    case 'AveragePool':
    case 'QMaxPool':
      return pool(node, graph, ptr);
    case 'GlobalAveragePool':
      return globalAveragePool(node, graph, ptr);
    case 'Softmax':
      return softmax(node, graph, ptr);
    case 'ReduceMean':
      return reduceMean(node, graph, ptr);
    case 'HardSwish':
      return unary(
        node,
        graph,
        ptr,
        (v) => `(float)((double)${v} * gf_clamp01((double)${v} / 6.0 + 0.5))`,
      );
    case 'HardSigmoid': {
      const { alpha, beta } = node.attrs;
      return unary(
        node,
        graph,
        ptr,
        (v) => `(float)gf_clamp01(${cDouble(alpha)} * (double)${v} + ${cDouble(beta)})`,
      );
    }
    case 'Conv':
    case 'QConv':
      return emitted(node, convC(node, graph, ptr));
    case 'MatMul':
    case 'QGemm':
      return emitted(node, matMulC(node, graph, ptr));
    case 'Gemm':
      return emitted(node, gemmC(node, graph, ptr));
    case 'QAdd':
      return qadd(node, graph, ptr);
    case 'Concat': {
      const y = tensorOf(graph, node, node.outputs[0]);
      return emitted(node, concatC(node, graph, ptr, cType(y.dtype)));
    }
    case 'Identity':
    case 'Flatten':
    case 'Reshape':
    case 'Transpose':
    case 'Slice':
    case 'Squeeze':
    case 'Unsqueeze': {
      const x = tensorOf(graph, node, node.inputs[0]);
      const y = tensorOf(graph, node, node.outputs[0]);
      const map = dataMovementMap(node, graph);
      if (map === undefined) refuse(node, 'its shape operands must be constants');
      return movementLoops(map, ptr(x.name), ptr(y.name), cType(x.dtype), y.shape);
    }
    default:
      return refuse(node, 'the C project has no host kernel for this op yet');
  }
}

/** A host node as `static void name(void) { … }`. */
export function hostNodeC(node: Node, graph: Graph, ptr: TensorPointer, name: string): string {
  if (node.outputs.filter((o) => o !== '').length !== 1) refuse(node, 'more than one output');
  const statements = body(node, graph, ptr);
  return [
    `/* ${node.op} '${node.name.replace(/\*\//g, '* /')}' (host) */`,
    `static void ${name}(void) {`,
    ...statements,
    '}',
    '',
  ].join('\n');
}
