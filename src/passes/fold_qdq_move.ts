import type { Graph, Node, NodeOf, Rescale, Tensor } from '../ir/graph.js';
import { applyFolds, type QdqFold } from './fold_qdq.js';
import { freshName } from './graph_util.js';
import {
  checkActivation,
  contextOf,
  dequantized,
  soleReader,
  tailOf,
  type FoldContext,
} from './qdq_match.js';

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
  return applyFolds(quantizeMoveChains(graph), planQdqMove);
}

const moves = new Set<string>(['MaxPool', 'Flatten', 'Reshape']);

/**
 * Splits `DQ(x) → move → move … → Q(y)` so that each move has its own QDQ pair: after a move fed by
 * DQ(x) whose output only another move reads, a QuantizeLinear and DequantizeLinear with y's scale
 * and zero point (x's when the chain does not end in an int8 QuantizeLinear). The moves select and
 * reorder values, Q is monotone and Q(DQ(q)) = q, so quantizing early changes no value of y; each
 * move then folds alone.
 */
function quantizeMoveChains(graph: Graph): Graph {
  let g = graph;
  for (;;) {
    const ctx = contextOf(g);
    const at = g.nodes.findIndex((n) => {
      const x = moves.has(n.op) ? dequantized(ctx, n.inputs[0]) : 'not a move';
      if (typeof x === 'string' || checkActivation(x, 'input') !== null) return false;
      // The pair's QuantizeLinear takes its int8 type from the zero point, so one must be given.
      const zeroPoint = ctx.producer.get(n.inputs[0])?.inputs[2] ?? '';
      return zeroPoint !== '' && moves.has(soleReader(ctx, n.outputs[0])?.op ?? '');
    });
    if (at < 0) return g;
    g = insertPair(g, at, ctx);
  }
}

/** The QuantizeLinear that ends the chain of moves after `node`, if it quantizes to int8 per tensor. */
function chainEnd(ctx: FoldContext, node: Node): Node | undefined {
  let next = soleReader(ctx, node.outputs[0]);
  while (next !== undefined && moves.has(next.op)) next = soleReader(ctx, next.outputs[0]);
  if (next?.op !== 'QuantizeLinear' || ctx.tensors[next.outputs[0]]?.dtype !== 'int8') return;
  const perTensor = ctx.tensors[next.inputs[1]]?.data?.length === 1;
  return perTensor && (next.inputs[2] ?? '') !== '' ? next : undefined;
}

/** The QDQ pair after node `at`: the chain's final quantization, or its input's. */
function insertPair(g: Graph, at: number, ctx: FoldContext): Graph {
  const node = g.nodes[at];
  const dq = ctx.producer.get(node.inputs[0]) as NodeOf<'DequantizeLinear'>;
  const params = (chainEnd(ctx, node) ?? dq).inputs.slice(1, 3);
  const out = g.tensors[node.outputs[0]];
  const tensors: Record<string, Tensor> = { ...g.tensors };
  const quantized = freshName(tensors, `${out.name}/int8`);
  tensors[quantized] = { name: quantized, dtype: 'int8', shape: out.shape };
  const dequant = freshName(tensors, `${out.name}/dequant`);
  tensors[dequant] = { name: dequant, dtype: 'float32', shape: out.shape };
  const pair: Node[] = [
    {
      name: `${node.name}/QuantizeLinear`,
      op: 'QuantizeLinear',
      inputs: [out.name, ...params],
      outputs: [quantized],
      attrs: dq.attrs,
    },
    {
      name: `${node.name}/DequantizeLinear`,
      op: 'DequantizeLinear',
      inputs: [quantized, ...params],
      outputs: [dequant],
      attrs: dq.attrs,
    },
  ];
  const reader = (n: Node): Node =>
    n.inputs.includes(out.name)
      ? { ...n, inputs: n.inputs.map((i) => (i === out.name ? dequant : i)) }
      : n;
  const nodes = [...g.nodes.slice(0, at + 1), ...pair, ...g.nodes.slice(at + 1).map(reader)];
  return { ...g, tensors, nodes };
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
