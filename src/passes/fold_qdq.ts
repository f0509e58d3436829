import type { AttrsByInternalOp, Graph, Node, NodeOf, Tensor } from '../ir/graph.js';
import { window2d } from '../host/window.js';
import { freshName } from './graph_util.js';
import {
  checkActivation,
  contextOf,
  dequantized,
  fusedActivation,
  tailOf,
  type Dequantized,
  type FoldContext,
  type Tail,
} from './qdq_match.js';

/**
 * Folds QDQ patterns into fused integer ops (QConv, QGemm; ir/graph.ts):
 *
 *   DQ(x) ─┐
 *   DQ(w) ─┼─ Conv | Gemm | MatMul ─ [Relu | Clip] ─ Q(y)   ⇒   QConv | QGemm(x, w, bias') → y
 *   DQ(b) ─┘
 *
 * with x, y int8 activations (run `uint8ActivationsToInt8` first), w int8 constant with zero point 0
 * (per tensor or per output channel), b an int32 constant (or a float one, rounded onto the int32
 * grid of s_x·s_w). With S = fp32(s_x·s_w/s_y) per output channel:
 * - the input zero point is folded into the bias, bias' = b − z_x·Σw, and becomes the value padding
 *   reads (so the sum is exact);
 * - the output zero point is folded into the bias as round(z_y/S): the accelerator computes
 *   round((acc + round(z_y/S))·S) instead of round(acc·S) + z_y, which differs by at most one step
 *   (and only where acc·S falls near a rounding boundary);
 * - Relu is fused as the requantizer's ReLU when z_y = 0, and dropped when z_y = −128 (saturation at
 *   −128 is then exactly the ReLU); Clip likewise when its upper bound saturates.
 * A pattern that does not fit stays as it is (its nodes run on the host in float); `planQdqFold`
 * says why.
 */
export function foldQdq(graph: Graph): Graph {
  return applyFolds(graph, planQdqFold);
}

/** Replaces every node `plan` folds (with the nodes its fold removes); the rest stay as they are. */
export function applyFolds(
  graph: Graph,
  plan: (node: Node, ctx: FoldContext) => QdqFold | string,
): Graph {
  const ctx = contextOf(graph);
  const tensors: Record<string, Tensor> = { ...graph.tensors };
  const replaced = new Map<Node, Node | null>();
  for (const node of graph.nodes) {
    if (replaced.has(node)) continue;
    const fold = plan(node, { ...ctx, tensors });
    if (typeof fold === 'string') continue;
    for (const t of fold.newTensors) tensors[t.name] = t;
    replaced.set(node, fold.node);
    for (const d of fold.removed) replaced.set(d, null);
  }
  if (replaced.size === 0) return graph;
  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    const r = replaced.get(node);
    if (r === undefined) nodes.push(node);
    else if (r !== null) nodes.push(r);
  }
  for (const [old, r] of replaced) {
    if (r !== null) continue;
    for (const o of old.outputs) if (!nodes.some((n) => n.inputs.includes(o))) delete tensors[o];
  }
  return { ...graph, tensors, nodes };
}

/** A fold: the fused node, the nodes it replaces (besides the op) and the constants it adds. */
export interface QdqFold {
  readonly node: Node;
  readonly removed: readonly Node[];
  readonly newTensors: readonly Tensor[];
}

/**
 * Per output channel: the fp32 requantization scale and the int32 bias with both zero points (also
 * for the global pooling fold, fold_qdq_pool.ts).
 */
export function requantAndBias(
  x: Dequantized,
  w: Dequantized,
  bias: Int32Array | Float32Array | null,
  biasScale: Float32Array | null,
  weightSums: Float64Array,
  t: Tail,
): { scale: number[]; bias: Int32Array } | string {
  const channels = weightSums.length;
  const sx = x.scale[0];
  const zx = x.zeroPoint[0];
  const scale: number[] = [];
  const out = new Int32Array(channels);
  for (let k = 0; k < channels; k++) {
    const sw = w.scale.length === 1 ? w.scale[0] : w.scale[k];
    const S = Math.fround((sx * sw) / t.sy);
    if (!(S > 0) || !Number.isFinite(S)) return `the requantization scale ${S} is not usable`;
    scale.push(S);
    let b = 0;
    if (bias !== null) {
      const raw = bias.length === 1 ? bias[0] : bias[k];
      if (bias instanceof Int32Array && biasScale !== null) {
        const sb = biasScale.length === 1 ? biasScale[0] : biasScale[k];
        b = Math.abs(sb / (sx * sw) - 1) < 1e-5 ? raw : Math.round((raw * sb) / (sx * sw));
      } else b = Math.round(raw / (sx * sw));
    }
    const v = b - zx * weightSums[k] + Math.round(t.zy / S);
    if (!(Math.abs(v) < 2 ** 31)) return `the folded bias of channel ${k} overflows int32`;
    out[k] = v;
  }
  return { scale: w.scale.length === 1 ? [scale[0]] : scale, bias: out };
}

/** The bias input: an int32 DequantizeLinear or a float constant. */
function biasOf(
  ctx: FoldContext,
  name: string | undefined,
): { data: Int32Array | Float32Array | null; scale: Float32Array | null } | string {
  if (name === undefined || name === '') return { data: null, scale: null };
  const t = ctx.tensors[name];
  if (t?.data instanceof Float32Array) return { data: t.data, scale: null };
  const d = dequantized(ctx, name);
  if (typeof d === 'string') return `bias: ${d}`;
  if (!(d.q.data instanceof Int32Array)) return 'the bias is not an int32 constant';
  if (d.zeroPoint.some((z) => z !== 0)) return 'the bias has a non-zero zero point';
  return { data: d.q.data, scale: d.scale };
}

function checkWeight(d: Dequantized, channels: number): string | null {
  if (!(d.q.data instanceof Int8Array)) return 'the weight is not an int8 constant';
  if (d.zeroPoint.some((z) => z !== 0))
    return 'the weight zero point is not 0 (asymmetric weights)';
  if (d.scale.length !== 1 && d.scale.length !== channels) {
    return `the weight has ${d.scale.length} scales for ${channels} output channels`;
  }
  return null;
}

/**
 * The fused op that replaces `node` (a Conv, Gemm or MatMul) and its QDQ neighbours, or why the
 * pattern does not fold.
 */
export function planQdqFold(node: Node, ctx0: FoldContext | Graph): QdqFold | string {
  const ctx = 'graph' in ctx0 ? ctx0 : contextOf(ctx0);
  if (node.op === 'Conv') return planConv(node, ctx);
  if (node.op === 'Gemm' || node.op === 'MatMul') return planGemm(node, ctx);
  return `${node.op} is not a convolution or matrix product`;
}

function planConv(conv: NodeOf<'Conv'>, ctx: FoldContext): QdqFold | string {
  const x = dequantized(ctx, conv.inputs[0]);
  if (typeof x === 'string') return `input: ${x}`;
  const w = dequantized(ctx, conv.inputs[1]);
  if (typeof w === 'string') return `weight: ${w}`;
  if (x.q.data !== undefined) return 'the input is a constant';
  const xBad = checkActivation(x, 'input');
  if (xBad !== null) return xBad;
  const [K, Cg, R, S] = w.q.shape;
  if (x.q.shape.length !== 4 || w.q.shape.length !== 4) return 'only 2-D convolutions fold';
  const wBad = checkWeight(w, K);
  if (wBad !== null) return wBad;
  const b = biasOf(ctx, conv.inputs[2]);
  if (typeof b === 'string') return b;
  const t = tailOf(ctx, conv.outputs[0]);
  if (typeof t === 'string') return t;
  const activation = fusedActivation(t);
  if (activation !== 'none' && activation !== 'relu') return activation;
  const wd = w.q.data as Int8Array;
  const sums = new Float64Array(K);
  for (let i = 0; i < wd.length; i++) sums[Math.floor(i / (Cg * R * S))] += wd[i];
  const rb = requantAndBias(x, w, b.data, b.scale, sums, t);
  if (typeof rb === 'string') return rb;
  const g = window2d(x.q.shape.slice(2), {
    ...conv.attrs,
    kernelShape: conv.attrs.kernelShape ?? [R, S],
    ceilMode: false,
  });
  const attrs: AttrsByInternalOp['QConv'] = {
    group: conv.attrs.group,
    autoPad: 'NOTSET',
    kernelShape: [R, S],
    strides: [g.sH, g.sW],
    pads: [g.padTop, g.padLeft, g.padBottom, g.padRight],
    dilations: [g.dH, g.dW],
    padValue: x.zeroPoint[0],
    requant: { scale: rb.scale, activation },
  };
  const biasName = freshName(ctx.tensors, `${conv.name}/bias_int32`);
  return {
    node: {
      name: conv.name,
      op: 'QConv',
      inputs: [x.q.name, w.q.name, biasName],
      outputs: [t.q.outputs[0]],
      attrs,
    },
    removed: [...t.removed, t.q],
    newTensors: [{ name: biasName, dtype: 'int32', shape: [K], data: rb.bias }],
  };
}

function planGemm(node: NodeOf<'Gemm'> | NodeOf<'MatMul'>, ctx: FoldContext): QdqFold | string {
  if (node.op === 'Gemm') {
    const a = node.attrs;
    if (a.transA) return 'Gemm with transA';
    if (a.alpha !== 1 || (a.beta !== 1 && node.inputs[2] !== undefined && node.inputs[2] !== '')) {
      return `Gemm with alpha ${a.alpha}, beta ${a.beta} (only 1 folds)`;
    }
  }
  const x = dequantized(ctx, node.inputs[0]);
  if (typeof x === 'string') return `input A: ${x}`;
  const w = dequantized(ctx, node.inputs[1]);
  if (typeof w === 'string') return `input B: ${w}`;
  if (x.q.data !== undefined) return 'input A is a constant';
  const xBad = checkActivation(x, 'input A');
  if (xBad !== null) return xBad;
  const transB = node.op === 'Gemm' && node.attrs.transB;
  const bShape = w.q.shape;
  const K = x.q.shape[x.q.shape.length - 1];
  const N = transB ? bShape[0] : bShape[bShape.length - 1];
  const newTensors: Tensor[] = [];
  let bName = w.q.name;
  let sums = new Float64Array(N);
  if (w.q.data !== undefined) {
    if (bShape.length !== 2) return `a constant B of rank ${bShape.length} (only 2-D folds)`;
    const wBad = checkWeight(w, N);
    if (wBad !== null) return wBad;
    const wd = w.q.data as Int8Array;
    const kn = new Int8Array(K * N);
    for (let k = 0; k < K; k++) {
      for (let n = 0; n < N; n++) kn[k * N + n] = transB ? wd[n * K + k] : wd[k * N + n];
    }
    for (let i = 0; i < kn.length; i++) sums[i % N] += kn[i];
    if (transB) {
      bName = freshName(ctx.tensors, `${w.q.name}/kn`);
      newTensors.push({ name: bName, dtype: 'int8', shape: [K, N], data: kn });
    }
  } else {
    const bBad = checkActivation(w, 'input B');
    if (bBad !== null) return bBad;
    if (transB) return 'Gemm with an activation B and transB';
    if (w.zeroPoint[0] !== 0) return 'input B is an activation with a non-zero zero point';
    const aBatch = x.q.shape.slice(0, -2);
    const bBatch = bShape.slice(0, -2);
    if (aBatch.length !== bBatch.length || aBatch.some((d, i) => d !== bBatch[i])) {
      return `batch dims of A [${x.q.shape}] and B [${bShape}] differ (broadcasting does not fold)`;
    }
    sums = new Float64Array(N);
    if (x.zeroPoint[0] !== 0)
      return 'both operands are activations and A has a non-zero zero point';
  }
  const b = node.op === 'Gemm' ? biasOf(ctx, node.inputs[2]) : { data: null, scale: null };
  if (typeof b === 'string') return b;
  if (b.data !== null && b.data.length !== 1 && b.data.length !== N) {
    return `the bias has ${b.data.length} values for ${N} outputs`;
  }
  const t = tailOf(ctx, node.outputs[0]);
  if (typeof t === 'string') return t;
  const activation = fusedActivation(t);
  if (activation !== 'none' && activation !== 'relu') return activation;
  const rb = requantAndBias(x, w, b.data, b.scale, sums, t);
  if (typeof rb === 'string') return rb;
  const biasName = freshName(ctx.tensors, `${node.name}/bias_int32`);
  newTensors.push({ name: biasName, dtype: 'int32', shape: [N], data: rb.bias });
  const zeroBias = rb.bias.every((v) => v === 0) && b.data === null;
  return {
    node: {
      name: node.name,
      op: 'QGemm',
      inputs: zeroBias ? [x.q.name, bName] : [x.q.name, bName, biasName],
      outputs: [t.q.outputs[0]],
      attrs: { requant: { scale: rb.scale, activation } },
    },
    removed: [...t.removed, t.q],
    newTensors: zeroBias ? newTensors.slice(0, -1) : newTensors,
  };
}
