import type { DType } from '../../ir/graph.js';

/** An inferred output: element type and fully known shape. */
export interface TensorType {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/**
 * What a shape rule sees: its inputs' types, the known values of small integer inputs, the opset.
 */
export interface RuleContext {
  readonly opset: number;
  /** Whether optional input `i` is present. */
  has(i: number): boolean;
  input(i: number): TensorType;
  /** The value of input `i`; throws naming the node when it is not a known constant. */
  value(i: number, what: string): readonly number[];
  fail(reason: string): never;
}

/** Normalises a possibly negative axis against `rank`. */
export function normAxis(axis: number, rank: number, ctx: RuleContext): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    ctx.fail(`axis ${axis} is out of range for rank ${rank}`);
  }
  return a;
}

export function broadcastShapes(
  shapes: readonly (readonly number[])[],
  ctx: RuleContext,
): readonly number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let d = 0; d < rank; d++) {
    const dims = shapes.map((s) => s[s.length - rank + d] ?? 1);
    const big = dims.filter((x) => x !== 1);
    if (big.some((x) => x !== big[0])) {
      ctx.fail(`shapes ${shapes.map((s) => `[${s}]`).join(', ')} do not broadcast`);
    }
    out.push(big[0] ?? 1);
  }
  return out;
}
