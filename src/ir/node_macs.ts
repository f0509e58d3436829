import { elementCount, type Graph, type Node } from './graph.js';

/** Multiply-accumulates of a convolution or matrix product node (0 for every other op). */
export function nodeMacs(node: Node, graph: Graph): number {
  const shape = (name: string | undefined) =>
    name === undefined || name === '' ? undefined : graph.tensors[name]?.shape;
  const out = shape(node.outputs[0]);
  const w = shape(node.inputs[1]);
  if (out === undefined || w === undefined) return 0;
  switch (node.op) {
    case 'Conv':
    case 'QConv':
    case 'QLinearConv': {
      const weight = node.op === 'QLinearConv' ? shape(node.inputs[3]) : w;
      // Each output element sums C/group · kernel products: the weight's elements per output channel.
      return weight === undefined ? 0 : elementCount(out) * (elementCount(weight) / weight[0]);
    }
    case 'Gemm': {
      const a = shape(node.inputs[0]);
      const k = a === undefined ? 0 : node.attrs.transA ? a[0] : a[1];
      return elementCount(out) * k;
    }
    case 'MatMul':
    case 'QGemm': {
      const a = shape(node.inputs[0]);
      return a === undefined ? 0 : elementCount(out) * a[a.length - 1];
    }
    default:
      return 0;
  }
}
