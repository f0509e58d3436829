import type { Graph, Node, QAddAttrs } from '../ir/graph.js';
import { applyFolds, type QdqFold } from './fold_qdq.js';
import {
  checkActivation,
  dequantized,
  fusedActivation,
  tailOf,
  type FoldContext,
} from './qdq_match.js';

/**
 * Folds residual additions of quantized tensors into QAdd (ir/graph.ts `QAddAttrs`):
 *
 *   DQ(a) ─┬─ Add ─ [Relu] ─ Q(y)   ⇒   QAdd(a, b) → y
 *   DQ(b) ─┘
 *
 * with a, b, y int8 activations of one shape, per-tensor scales. In the quantized domain
 *   y = round(A·a + B·b + z_y − A·z_a − B·z_b),   A = s_a/s_y, B = s_b/s_y.
 * The sum runs on a grid of 2^-k output steps, k the largest that keeps both A·2^k and B·2^k within
 * `maxWeight` (four int8 weights): each factor's integer part is an exact weight, its fraction one
 * rounded term (at most ½ grid step), the offset is rounded to the grid once, and the output scale
 * is 2^-k. The
 * result is the float arithmetic's except where the exact sum lies within about 2^-k step of a
 * rounding boundary. The ReLU fuses as for QConv (fold_qdq.ts): when z_y = 0, or dropped when
 * z_y = −128.
 *
 * Only for targets that run such additions (the driver asks the target's patterns): elsewhere the
 * pattern stays in float on the host, as onnxruntime runs it.
 */
export function foldQdqAdd(graph: Graph): Graph {
  return applyFolds(graph, planQdqAdd);
}

/** The QAdd that replaces an Add and its QDQ neighbours, or why the pattern does not fold. */
export function planQdqAdd(node: Node, ctx: FoldContext): QdqFold | string {
  if (node.op !== 'Add') return `${node.op} is not an addition`;
  const a = dequantized(ctx, node.inputs[0]);
  if (typeof a === 'string') return `input A: ${a}`;
  const b = dequantized(ctx, node.inputs[1]);
  if (typeof b === 'string') return `input B: ${b}`;
  if (a.q.data !== undefined || b.q.data !== undefined) return 'an input is a constant';
  const bad = checkActivation(a, 'input A') ?? checkActivation(b, 'input B');
  if (bad !== null) return bad;
  const sa = a.q.shape;
  const sb = b.q.shape;
  if (sa.length !== sb.length || sa.some((d, i) => d !== sb[i])) {
    return `the inputs' shapes [${sa}] and [${sb}] differ (broadcasting does not fold)`;
  }
  const t = tailOf(ctx, node.outputs[0]);
  if (typeof t === 'string') return t;
  const activation = fusedActivation(t);
  if (activation !== 'none' && activation !== 'relu') return activation;
  const attrs = qaddAttrs(
    a.scale[0] / t.sy,
    b.scale[0] / t.sy,
    a.zeroPoint[0],
    b.zeroPoint[0],
    t.zy,
  );
  if (typeof attrs === 'string') return attrs;
  const full: QAddAttrs = { ...attrs, activation };
  return {
    node: {
      name: node.name,
      op: 'QAdd',
      inputs: [a.q.name, b.q.name],
      outputs: t.q.outputs,
      attrs: full,
    },
    removed: [...t.removed, t.q],
    newTensors: [],
  };
}

/**
 * The largest integer weight: four int8 weights, which a target applies in up to four passes. Each
 * doubling of the weight halves the grid step, and with it the share of outputs that land a step
 * away from the float arithmetic (test/driver/vector_layer.test.ts measures it on a real model).
 */
const maxWeight = 4 * 127;

/**
 * The weights, fractions, offset and output scale of y = A·a + B·b + z_y − A·z_a − B·z_b on the
 * finest grid 2^-k whose weights stay within `maxWeight` (k ≤ 16, so the offset fits int32).
 */
export function qaddAttrs(
  A: number,
  B: number,
  za: number,
  zb: number,
  zy: number,
): Omit<QAddAttrs, 'activation'> | string {
  const largest = Math.max(A, B);
  if (!(largest > 0) || !Number.isFinite(largest))
    return `the scale ratio ${largest} is not usable`;
  const k = Math.min(16, Math.floor(Math.log2(maxWeight / largest)));
  if (k < 0) return `a scale ratio of ${largest.toPrecision(3)} exceeds ${maxWeight}`;
  const grid = 2 ** k;
  const [aWeight, aScales] = splitFactor(A * grid);
  const [bWeight, bScales] = splitFactor(B * grid);
  const offset = Math.round((zy - A * za - B * zb) * grid);
  if (!(Math.abs(offset) < 2 ** 31)) return `the offset ${offset} overflows int32`;
  return { aWeight, bWeight, aScales, bScales, offset, outScale: 1 / grid };
}

/** A factor as its integer part (a weight) and the fp32 fraction left (none when it is 0). */
export function splitFactor(x: number): [number, number[]] {
  const whole = Math.floor(x);
  const rest = Math.fround(x - whole);
  return [whole, rest > 0 ? [rest] : []];
}
