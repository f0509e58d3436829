import type { Graph, Node, Tensor } from '../ir/graph.js';
import { consumers, freshName } from './graph_util.js';

/** Ops that move or select elements without computing on them: a shifted input gives a shifted output. */
const orderPreserving = new Set<string>([
  'Reshape',
  'Flatten',
  'Transpose',
  'Squeeze',
  'Unsqueeze',
  'Slice',
  'Gather',
  'Concat',
  'Split',
  'MaxPool',
  'Identity',
]);

/**
 * Asymmetric uint8 activations as int8: every QuantizeLinear producing uint8 with a constant zero
 * point z produces int8 with zero point z − 128 instead, and every DequantizeLinear reading such a
 * tensor reads it with z − 128. The values are exactly q − 128 (the saturation bounds shift with
 * them), so the graph computes the same reals; int8 is what the accelerators' arrays take.
 *
 * The change spreads through ops that only move elements (Reshape, MaxPool, ...). A uint8 tensor
 * read by any other op (or a graph output) keeps the whole graph unchanged: the pass converts all or
 * nothing, so no op sees a dtype it was not built for.
 */
export function uint8ActivationsToInt8(graph: Graph): Graph {
  const readers = consumers(graph);
  const tensors: Record<string, Tensor> = { ...graph.tensors };
  const shifted = new Set<string>();
  const work: string[] = [];
  for (const node of graph.nodes) {
    if (node.op !== 'QuantizeLinear') continue;
    const out = node.outputs[0];
    if (tensors[out]?.dtype !== 'uint8' || !isConstant(tensors, node.inputs[2])) continue;
    shifted.add(out);
    work.push(out);
  }
  while (work.length > 0) {
    const name = work.pop() as string;
    if (graph.outputs.includes(name)) return graph;
    for (const r of readers.get(name) ?? []) {
      if (r.op === 'DequantizeLinear') {
        if (r.inputs[0] !== name || !isConstant(tensors, r.inputs[2])) return graph;
        continue;
      }
      if (!orderPreserving.has(r.op)) return graph;
      if (r.op === 'Gather' && r.inputs[0] !== name) continue;
      for (const o of r.outputs) {
        if (o === '' || shifted.has(o)) continue;
        shifted.add(o);
        work.push(o);
      }
    }
  }
  if (shifted.size === 0) return graph;
  // A node whose output is shifted must have every uint8 input shifted (e.g. all parts of a Concat).
  for (const node of graph.nodes) {
    if (node.op === 'QuantizeLinear' || !node.outputs.some((o) => shifted.has(o))) continue;
    if (node.inputs.some((i) => tensors[i]?.dtype === 'uint8' && !shifted.has(i))) return graph;
  }
  const int8Zp = new Map<string, string>();
  const shiftedZeroPoint = (zp: string): string => {
    const known = int8Zp.get(zp);
    if (known !== undefined) return known;
    const t = tensors[zp];
    const data = Int8Array.from(t.data as Uint8Array, (v) => v - 128);
    const name = freshName(tensors, `${zp}/int8`);
    tensors[name] = { name, dtype: 'int8', shape: t.shape, data };
    int8Zp.set(zp, name);
    return name;
  };
  for (const name of shifted) {
    const t = tensors[name];
    const quant =
      t.quant === undefined
        ? undefined
        : { ...t.quant, zeroPoint: t.quant.zeroPoint.map((z) => z - 128) };
    tensors[name] = { ...t, dtype: 'int8', ...(quant === undefined ? {} : { quant }) };
  }
  const nodes = graph.nodes.map((node): Node => {
    const zpOf =
      (node.op === 'QuantizeLinear' && shifted.has(node.outputs[0])) ||
      (node.op === 'DequantizeLinear' && shifted.has(node.inputs[0]));
    if (!zpOf) return node;
    const inputs = [...node.inputs];
    inputs[2] = shiftedZeroPoint(node.inputs[2]);
    return { ...node, inputs };
  });
  return { ...graph, tensors, nodes };
}

function isConstant(tensors: Readonly<Record<string, Tensor>>, name: string | undefined): boolean {
  return name !== undefined && name !== '' && tensors[name]?.data !== undefined;
}
