import { InputError } from '../errors.js';
import { saturateInt8, scaleF32 } from '../numeric/numeric.js';
import type { RequantScale } from '../spec/spec.js';

/**
 * int32 sum → int8 output, as a target's requantization capability (spec `requantization.scale`)
 * computes it, after ReLU:
 * - `float32`: × scale in fp32, round half to even, saturate;
 * - `power-of-two-shift`: the scale is 2^-s, and out = saturate(floor((x + 2^(s-1)) / 2^s)), a
 *   rounding (half up) arithmetic right shift, computed exactly.
 */
export function requantize(x: number, scale: number, mode: RequantScale, relu: boolean): number {
  const v = relu && x < 0 ? 0 : x;
  if (mode === 'float32') return saturateInt8(scaleF32(v, scale));
  const s = shiftOf(scale);
  return saturateInt8(s === 0 ? v : Math.floor((v + 2 ** (s - 1)) / 2 ** s));
}

/** The shift s of a scale 2^-s (0 ≤ s ≤ 31); an InputError for any other scale. */
export function shiftOf(scale: number): number {
  const s = -Math.log2(scale);
  if (!Number.isInteger(s) || s < 0 || s > 31) {
    throw new InputError(
      `a power-of-two-shift requantization needs a scale 2^-s, 0 ≤ s ≤ 31 (got ${scale})`,
    );
  }
  return s;
}

/** The power-of-two scale nearest (in log2) to a scale, for a shift-only target. */
export function nearestShiftScale(scale: number): number {
  return 2 ** -Math.min(31, Math.max(0, Math.round(-Math.log2(scale))));
}
