import { ModelError, UnsupportedError } from '../errors.js';
import type { Graph, Node, Tensor } from '../ir/graph.js';

/**
 * What the host ops' C emitters share: how a tensor is reached, refusals that name the node, and
 * nested loops with linear index expressions.
 */

/** Where the C finds a tensor's data: an expression of a typed pointer. */
export type TensorPointer = (tensor: string) => string;

export function refuse(node: Node, why: string): never {
  throw new UnsupportedError(
    `node '${node.name}' (${node.op})`,
    `no C for it in the project: ${why}`,
  );
}

export function tensorOf(graph: Graph, node: Node, name: string): Tensor {
  const t = graph.tensors[name];
  if (t === undefined) throw new ModelError(node.name, node.op, `tensor '${name}' is unknown`);
  return t;
}

/** The values of a constant input, or undefined when it is not constant. */
export function constValues(graph: Graph, name: string | undefined): number[] | undefined {
  if (name === undefined || name === '') return undefined;
  const d = graph.tensors[name]?.data;
  return d === undefined ? undefined : Array.from(d as ArrayLike<number>);
}

/** Nested loops over `shape` (index variables i0, i1, …), the body at the innermost level. */
export function nestedLoops(shape: readonly number[], body: (idx: string[]) => string[]): string[] {
  const idx = shape.map((_, d) => `i${d}`);
  const lines: string[] = [];
  shape.forEach((n, d) => {
    lines.push(`${'  '.repeat(d + 1)}for (int64_t ${idx[d]} = 0; ${idx[d]} < ${n}; ++${idx[d]}) {`);
  });
  const pad = '  '.repeat(shape.length + 1);
  for (const l of body(idx)) lines.push(`${pad}${l}`);
  for (let d = shape.length - 1; d >= 0; d--) lines.push(`${'  '.repeat(d + 1)}}`);
  return lines;
}

/** Σ idx·stride as C (zero strides left out). */
export function linear(idx: readonly string[], strides: ArrayLike<number>, offset = 0): string {
  const terms = idx.flatMap((v, d) =>
    strides[d] === 0 ? [] : [strides[d] === 1 ? v : `${v} * ${strides[d]}`],
  );
  if (offset !== 0 || terms.length === 0) terms.push(String(offset));
  return terms.join(' + ');
}

export function requireF32(node: Node, ts: readonly Tensor[]): void {
  const bad = ts.find((t) => t.dtype !== 'float32');
  if (bad !== undefined) refuse(node, `'${bad.name}' is ${bad.dtype}; the C handles float32 here`);
}
