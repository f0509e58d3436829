import type { DType, Graph, Node, Tensor, TensorData } from '../../src/ir/graph.js';

/** A non-constant tensor (graph input or node output). */
export function value(name: string, shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return { name, dtype, shape };
}

/** A float32 constant. */
export function f32(name: string, shape: readonly number[], data: readonly number[]): Tensor {
  return { name, dtype: 'float32', shape, data: Float32Array.from(data) };
}

/** An int64 constant. */
export function i64(name: string, shape: readonly number[], data: readonly number[]): Tensor {
  return { name, dtype: 'int64', shape, data: [...data] };
}

/** A constant of any dtype. */
export function constant(
  name: string,
  dtype: DType,
  shape: readonly number[],
  data: TensorData,
): Tensor {
  return { name, dtype, shape, data };
}

/** A graph from its parts; tensors are keyed by name. */
export function graphOf(
  inputs: readonly string[],
  outputs: readonly string[],
  tensors: readonly Tensor[],
  nodes: readonly Node[],
): Graph {
  return {
    name: 'test',
    opset: 13,
    inputs,
    outputs,
    tensors: Object.fromEntries(tensors.map((t) => [t.name, t])),
    nodes,
  };
}

/** Op types of the nodes, in order. */
export function ops(g: Graph): string[] {
  return g.nodes.map((n) => n.op);
}

/** A tensor's constant values as plain numbers (undefined when not constant). */
export function dataOf(g: Graph, name: string): number[] | undefined {
  const d = g.tensors[name]?.data;
  return d === undefined ? undefined : Array.from(d as ArrayLike<number>);
}
