/**
 * Integer and fp32 arithmetic exactly as fixed-function hardware does it: saturation, wrap-around,
 * rounding shifts, round-half-to-even, and fp32 (binary32) products. Everything here is pure and
 * allocation-free; the simulator and the reference kernels share it, so they cannot disagree.
 */

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** The binary32 value of a raw bit pattern. */
export function f32FromBits(bits: number): number {
  u32Scratch[0] = bits >>> 0;
  return f32Scratch[0];
}

/** The raw bit pattern of a number rounded to binary32 (round to nearest even). */
export function f32Bits(value: number): number {
  f32Scratch[0] = value;
  return u32Scratch[0];
}

/** Saturates an integer to [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

export function saturateInt8(x: number): number {
  return x < -128 ? -128 : x > 127 ? 127 : x;
}

/** Saturates to a signed `bits`-bit integer. */
export function saturateBits(x: number, bits: number): number {
  const hi = 2 ** (bits - 1) - 1;
  const lo = -(2 ** (bits - 1));
  return x < lo ? lo : x > hi ? hi : x;
}

/** Two's-complement wrap of an integer (|x| < 2^53) to int32. */
export function wrapInt32(x: number): number {
  return x | 0;
}

/** Two's-complement wrap of an integer (|x| < 2^53) to a signed `bits`-bit value, 1 <= bits <= 32. */
export function wrapBits(x: number, bits: number): number {
  const s = 32 - bits;
  return ((x | 0) << s) >> s;
}

/**
 * Arithmetic right shift by s that rounds half to even (the hardware's ROUNDING_RIGHT_SHIFT):
 * (x >> s) + (bit(s-1) & (bit(s) | (x mod 2^(s-1)) != 0)). s = 0 is the identity; x is an int32.
 */
export function roundingShift(x: number, s: number): number {
  if (s === 0) return x;
  if (s >= 32) s = 31;
  const shifted = x >> s;
  const half = (x >>> (s - 1)) & 1;
  const odd = shifted & 1;
  const rest = s >= 2 ? (x & ((1 << (s - 1)) - 1)) !== 0 : false;
  return shifted + (half & (odd | (rest ? 1 : 0)));
}

/** Rounds a finite number to the nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

const int32Max = 2147483647;
const int32Min = -2147483648;

/**
 * fp32 → int32 with round-half-even and saturation. NaN converts to the largest int32, as the
 * hardware's float-to-int converter reports an invalid input.
 */
export function f32ToInt32(x: number): number {
  if (Number.isNaN(x)) return int32Max;
  if (x >= int32Max) return int32Max;
  if (x <= int32Min) return int32Min;
  return roundHalfEven(x);
}

/**
 * int → fp32, × scale in fp32 (both round to nearest even), → int32 (RNE, saturating). The double
 * product of two binary32 values is exact, so one Math.fround gives the correctly rounded fp32 product.
 */
export function scaleF32(x: number, scale: number): number {
  return f32ToInt32(Math.fround(Math.fround(x) * scale));
}

/** Scale then saturate to int8: the int8 result of an fp32 scaling unit. */
export function scaleToInt8(x: number, scale: number): number {
  return saturateInt8(scaleF32(x, scale));
}

/**
 * A weighted sum of two int8 values on an integer grid: each value times an integer weight (exact)
 * plus its terms through fp32 scaling units (one int8 result each, as `scaleToInt8`), plus an
 * offset; then an optional ReLU, the fp32 output scale (`scaleF32`) and saturation to int8. What a
 * residual add computes per element (ir/graph.ts `QAddAttrs`).
 */
export interface WeightedSum {
  readonly aWeight: number;
  readonly bWeight: number;
  readonly aScales: readonly number[];
  readonly bScales: readonly number[];
  readonly offset: number;
  readonly outScale: number;
}

export function weightedSumToInt8(a: number, b: number, w: WeightedSum, relu: boolean): number {
  let acc = w.offset + a * w.aWeight + b * w.bWeight;
  for (const s of w.aScales) acc += scaleToInt8(a, s);
  for (const s of w.bScales) acc += scaleToInt8(b, s);
  return saturateInt8(scaleF32(relu && acc < 0 ? 0 : acc, w.outScale));
}

/**
 * An int8 value moved from one per-tensor quantization to another as DequantizeLinear then
 * QuantizeLinear compute it: saturate(round_half_even(fp32(fp32(q − inZeroPoint)·inScale / outScale))
 * + outZeroPoint). It never decreases as q grows, so it commutes with a maximum.
 */
export interface Rescale {
  readonly inScale: number;
  readonly inZeroPoint: number;
  readonly outScale: number;
  readonly outZeroPoint: number;
}

/** `q` moved to another quantization (`Rescale`), saturated to int8. */
export function rescaleInt8(q: number, r: Rescale): number {
  const real = Math.fround(Math.fround(q - r.inZeroPoint) * r.inScale);
  return saturateInt8(roundHalfEven(Math.fround(real / r.outScale)) + r.outZeroPoint);
}

/** xorshift32: a small seeded generator, so every run with a seed sees the same data. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}
