import type { Graph, Node, Tensor } from '../ir/graph.js';

/**
 * Dead-code elimination: keeps the nodes some graph output depends on, and the tensors they read
 * or write, plus the graph inputs and outputs (the graph's interface never changes). A kept node
 * keeps all its outputs, even unused ones (a Split still produces every part).
 */
export function removeDeadCode(graph: Graph): Graph {
  const live = new Set<string>(graph.outputs);
  const kept: Node[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (!node.outputs.some((name) => live.has(name))) continue;
    kept.push(node);
    for (const name of node.inputs) if (name !== '') live.add(name);
  }
  kept.reverse();
  for (const node of kept) for (const name of node.outputs) if (name !== '') live.add(name);
  for (const name of graph.inputs) live.add(name);
  const tensors: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(graph.tensors)) if (live.has(name)) tensors[name] = t;
  return { ...graph, tensors, nodes: kept };
}
