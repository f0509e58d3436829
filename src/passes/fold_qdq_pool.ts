import type { AttrsByInternalOp, Graph, Node } from '../ir/graph.js';
import { applyFolds, requantAndBias, type QdqFold } from './fold_qdq.js';
import { freshName } from './graph_util.js';
import { checkActivation, dequantized, tailOf, type FoldContext } from './qdq_match.js';
import { fusedActivation } from './qdq_match.js';

/**
 * Folds global average pooling of a quantized tensor into a depthwise QConv whose weights are all 1:
 *
 *   DQ(x) ─ GlobalAveragePool ─ [Relu] ─ Q(y)   ⇒   QConv(x, ones[C][1][H][W], bias') → y
 *
 * with x [N][C][H][W] and y int8 activations, per-tensor scales. The mean is the sum of the H·W
 * pixels (exact in int32) times 1/(H·W), so the weight scale is 1/(H·W) and the requantization
 * S = fp32(s_x/(H·W·s_y)); the zero points go into the bias as for any QConv (fold_qdq.ts:
 * bias' = −z_x·H·W + round(z_y/S)), within one output step of the float arithmetic when S ≤ 1 (a
 * larger S is refused: the rounded z_y/S would be off by up to S/2 steps). As a convolution the sum
 * runs wherever the target runs depthwise convolutions, in the graph's own layout (summing pixels in
 * an accumulator, as a vendor library may, needs channels-last data).
 */
export function foldQdqPool(graph: Graph): Graph {
  return applyFolds(graph, planQdqPool);
}

export function planQdqPool(node: Node, ctx: FoldContext): QdqFold | string {
  if (node.op !== 'GlobalAveragePool') return `${node.op} is not a global average pooling`;
  const x = dequantized(ctx, node.inputs[0]);
  if (typeof x === 'string') return `input: ${x}`;
  if (x.q.data !== undefined) return 'the input is a constant';
  const bad = checkActivation(x, 'input');
  if (bad !== null) return bad;
  if (x.q.shape.length !== 4) return `the input has ${x.q.shape.length} dimensions, not 4`;
  const [, C, H, W] = x.q.shape;
  const t = tailOf(ctx, node.outputs[0]);
  if (typeof t === 'string') return t;
  const activation = fusedActivation(t);
  if (activation !== 'none' && activation !== 'relu') return activation;
  const ones = { q: x.q, scale: Float32Array.of(1 / (H * W)), zeroPoint: [0] };
  const rb = requantAndBias(x, ones, null, null, new Float64Array(C).fill(H * W), t);
  if (typeof rb === 'string') return rb;
  if (rb.scale[0] > 1) {
    // round(z_y/S) in the bias is then off by up to S/2 output steps.
    return `the requantization scale ${rb.scale[0]} exceeds 1 (an output finer than the input)`;
  }
  const attrs: AttrsByInternalOp['QConv'] = {
    group: C,
    autoPad: 'NOTSET',
    kernelShape: [H, W],
    strides: [1, 1],
    pads: [0, 0, 0, 0],
    dilations: [1, 1],
    padValue: x.zeroPoint[0],
    requant: { scale: rb.scale, activation },
  };
  const weightName = freshName(ctx.tensors, `${node.name}/ones`);
  const biasName = freshName(ctx.tensors, `${node.name}/bias_int32`);
  return {
    node: {
      name: node.name,
      op: 'QConv',
      inputs: [x.q.name, weightName, biasName],
      outputs: [t.q.outputs[0]],
      attrs,
    },
    removed: [...t.removed, t.q],
    newTensors: [
      {
        name: weightName,
        dtype: 'int8',
        shape: [C, 1, H, W],
        data: new Int8Array(C * H * W).fill(1),
      },
      { name: biasName, dtype: 'int32', shape: [C], data: rb.bias },
    ],
  };
}
