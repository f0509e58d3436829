import type { Graph, Node, NodeOf, Rescale } from '../ir/graph.js';
import { applyFolds, type QdqFold } from './fold_qdq.js';
import { checkActivation, dequantized, tailOf, type FoldContext } from './qdq_match.js';

/**
 * Folds the float round trip around ops that only select or move int8 values:
 *
 *   DQ(x) ─ MaxPool ─ Q(y)             ⇒   QMaxPool(x) → y
 *   DQ(x) ─ Flatten | Reshape ─ Q(y)   ⇒   Flatten | Reshape(x) → y   (on the int8 tensor)
 *
 * with x, y int8 activations, per-tensor scales. Dequantization is monotone and a maximum selects
 * one of its inputs, so the maximum of the int8 values, moved to y's quantization (`Rescale`, none
 * when both are the same), is bit for bit what the float ops compute. A reshape keeps every value,
 * so it folds only when x and y share scale and zero point (then Q(DQ(q)) = q for every int8 q).
 * Target-independent: even on the host the int8 op reads and writes a quarter of the bytes.
 */
export function foldQdqMove(graph: Graph): Graph {
  return applyFolds(graph, planQdqMove);
}

/** The int8 op that replaces a MaxPool, Flatten or Reshape and its QDQ neighbours, or why not. */
export function planQdqMove(node: Node, ctx: FoldContext): QdqFold | string {
  if (node.op !== 'MaxPool' && node.op !== 'Flatten' && node.op !== 'Reshape') {
    return `${node.op} does not only move values`;
  }
  const x = dequantized(ctx, node.inputs[0]);
  if (typeof x === 'string') return `input: ${x}`;
  if (x.q.data !== undefined) return 'the input is a constant';
  const bad = checkActivation(x, 'input');
  if (bad !== null) return bad;
  if (node.outputs.length > 1 && node.outputs[1] !== '') return 'MaxPool indices are read';
  const t = tailOf(ctx, node.outputs[0]);
  if (typeof t === 'string') return t;
  if (t.activation !== 'none') return 'an activation follows it';
  const rescale: Rescale | null =
    Math.fround(t.sy) === x.scale[0] && t.zy === x.zeroPoint[0]
      ? null
      : {
          inScale: x.scale[0],
          inZeroPoint: x.zeroPoint[0],
          outScale: Math.fround(t.sy),
          outZeroPoint: t.zy,
        };
  const moved = movedNode(node, x.q.name, t.q.outputs[0], rescale);
  if (typeof moved === 'string') return moved;
  return { node: moved, removed: [...t.removed, t.q], newTensors: [] };
}

function movedNode(
  node: NodeOf<'MaxPool'> | NodeOf<'Flatten'> | NodeOf<'Reshape'>,
  input: string,
  output: string,
  rescale: Rescale | null,
): Node | string {
  if (node.op === 'MaxPool') {
    return {
      name: node.name,
      op: 'QMaxPool',
      inputs: [input],
      outputs: [output],
      attrs: { ...node.attrs, rescale },
    };
  }
  if (rescale !== null) return 'the quantization of its input and output differ';
  return { ...node, inputs: [input, ...node.inputs.slice(1)], outputs: [output] };
}
