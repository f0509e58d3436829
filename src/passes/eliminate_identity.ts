import type { Graph, Node, Tensor } from '../ir/graph.js';

/** Identity, or a Cast to the dtype its input already has. */
function isNoOp(node: Node, tensors: Readonly<Record<string, Tensor>>, input: string): boolean {
  if (node.op === 'Identity') return true;
  return node.op === 'Cast' && tensors[input]?.dtype === node.attrs.to;
}

/** Follows a substitution chain to its end (chains are acyclic: each step goes backwards). */
function resolve(subst: ReadonlyMap<string, string>, name: string): string {
  let n = name;
  for (let next = subst.get(n); next !== undefined; next = subst.get(n)) n = next;
  return n;
}

/**
 * Removes Identity nodes and no-op Casts (to the dtype the input already has), rewiring consumers
 * to the node's input. Graph output names never change. When a removed node's output `y` is a
 * graph output, and its input `x`:
 * - is a constant: `y` becomes a constant tensor holding `x`'s data;
 * - is another node's output and neither a graph input nor a graph output: the producer's output
 *   is renamed from `x` to `y` (and every consumer of `x` reads `y`); `x` disappears;
 * - is a graph input or also a graph output: the node is kept (two interface names, one value).
 */
export function eliminateIdentity(graph: Graph): Graph {
  const interfaceNames = new Set([...graph.inputs, ...graph.outputs]);
  const outputs = new Set(graph.outputs);
  const tensors: Record<string, Tensor> = { ...graph.tensors };
  const subst = new Map<string, string>();
  const kept: Node[] = [];
  for (const node of graph.nodes) {
    const x = node.inputs.length > 0 ? resolve(subst, node.inputs[0]) : '';
    const y = node.outputs[0];
    if (x === '' || !isNoOp(node, tensors, x)) {
      kept.push(node);
      continue;
    }
    if (!outputs.has(y)) {
      subst.set(y, x);
      delete tensors[y];
    } else if (tensors[x].data !== undefined) {
      tensors[y] = { ...tensors[x], name: y };
    } else if (!interfaceNames.has(x)) {
      subst.set(x, y);
      delete tensors[x];
    } else {
      kept.push(node);
    }
  }
  const rename = (name: string) => (name === '' ? name : resolve(subst, name));
  const nodes = kept.map((node): Node => ({
    ...node,
    inputs: node.inputs.map(rename),
    outputs: node.outputs.map(rename),
  }));
  return { ...graph, tensors, nodes };
}
