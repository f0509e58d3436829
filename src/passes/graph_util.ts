import type { Graph, Node, Tensor } from '../ir/graph.js';

type Tensors = Readonly<Record<string, Tensor>>;

/** A name not yet used by any tensor: `base`, else `base_1`, `base_2`, ... */
export function freshName(tensors: Tensors, base: string): string {
  if (tensors[base] === undefined) return base;
  let i = 1;
  while (tensors[`${base}_${i}`] !== undefined) i++;
  return `${base}_${i}`;
}

/** How many times each tensor is read by a node or is a graph output. */
export function useCounts(graph: Graph): Map<string, number> {
  const uses = new Map<string, number>();
  const use = (name: string) => uses.set(name, (uses.get(name) ?? 0) + 1);
  for (const node of graph.nodes) node.inputs.forEach(use);
  graph.outputs.forEach(use);
  return uses;
}

/** The node producing each node output. */
export function producers(graph: Graph): Map<string, Node> {
  const by = new Map<string, Node>();
  for (const node of graph.nodes) for (const o of node.outputs) if (o !== '') by.set(o, node);
  return by;
}

/** The nodes reading each tensor, in graph order. */
export function consumers(graph: Graph): Map<string, Node[]> {
  const by = new Map<string, Node[]>();
  for (const node of graph.nodes) {
    for (const i of node.inputs) if (i !== '') by.set(i, [...(by.get(i) ?? []), node]);
  }
  return by;
}
