import type { Problem } from '../contract/target.js';
import type { Mapping } from '../mapping/mapping.js';
import type { ElementType, Spec } from '../spec/spec.js';
import { loopNest } from '../workload/shape.js';
import type { Workload } from '../workload/workload.js';

/**
 * Whether a mapping's partial sums fit the array's `partialSumBits` for every operand value.
 *
 * Inside the array a partial sum adds up the products of one pass: weight-stationary, one product per
 * array row the pass uses (the rows dim's tile, at most the array's rows); output-stationary, one per
 * step of the reduction the array accumulates in place (the product of the reduction dims' tiles).
 * Each product is at most |min input| × |min weight| (128 × 128 for int8), so n products fit when
 * n × that ≤ 2^(bits−1) − 1. Sums that leave the array go to the 32-bit accumulator.
 */

const magnitude: Readonly<Record<ElementType, number>> = {
  int8: 128,
  uint8: 255,
  int16: 32768,
  int32: 2 ** 31,
  float32: 0,
};

/** Most products one in-array partial sum may add without overflow (Infinity for float types). */
export function maxInArrayProducts(spec: Spec): number {
  const product = magnitude[spec.array.inputType] * magnitude[spec.array.weightType];
  if (product === 0) return Infinity;
  return Math.floor((2 ** (spec.array.partialSumBits - 1) - 1) / product);
}

/** Products one in-array partial sum of this mapping adds. */
export function inArrayProducts(w: Workload, m: Mapping, spec: Spec): number {
  const nest = loopNest(w);
  const bound = new Map(nest.dims.map((d) => [d.dim, d.bound]));
  const tile = (d: string): number =>
    Math.min(m.tile[d as never] ?? bound.get(d as never) ?? 1, bound.get(d as never) ?? 1);
  if (m.dataflow === 'weight-stationary') return Math.min(tile(m.spatial.rows), spec.array.rows);
  return nest.reduction.reduce((p, d) => p * tile(d), 1);
}

/** The problem when some int operands can overflow the mapping's in-array partial sums, else null. */
export function partialSumOverflow(w: Workload, m: Mapping, spec: Spec): Problem | null {
  const n = inArrayProducts(w, m, spec);
  const max = maxInArrayProducts(spec);
  if (n <= max) return null;
  return {
    path: m.dataflow === 'weight-stationary' ? `tile.${m.spatial.rows}` : 'tile',
    message:
      `the array adds ${n} products into one ${spec.array.partialSumBits}-bit partial sum, which ` +
      `holds at most ${max} of the largest (${m.dataflow}): extreme operands would overflow it`,
  };
}
