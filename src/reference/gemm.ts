import type { RequantScale } from '../spec/spec.js';
import { requantize } from './requantize.js';

/**
 * The plain integer reference of a quantized GEMM: int32 sums (wrapping) of int8 products plus an int32
 * bias, ReLU, the scale (fp32 with round-half-even, or a rounding shift; requantize.ts), saturation
 * to int8. Every accelerator program for a
 * GEMM must equal this bit for bit.
 */
export interface GemmReferenceInput {
  readonly I: number;
  readonly J: number;
  readonly K: number;
  /** Row-major I×K, K×J and J. */
  readonly a: Int8Array;
  readonly b: Int8Array;
  readonly bias: Int32Array | null;
  readonly scale: number;
  /** How the scale applies (requantize.ts); float32 when absent. */
  readonly requant?: RequantScale;
  readonly relu: boolean;
}

export function referenceGemm(x: GemmReferenceInput): Int8Array {
  const mode = x.requant ?? 'float32';
  const out = new Int8Array(x.I * x.J);
  const row = new Int32Array(x.J);
  for (let i = 0; i < x.I; i++) {
    for (let j = 0; j < x.J; j++) row[j] = x.bias === null ? 0 : x.bias[j];
    for (let k = 0; k < x.K; k++) {
      const av = x.a[i * x.K + k];
      if (av === 0) continue;
      const bOff = k * x.J;
      for (let j = 0; j < x.J; j++) row[j] = (row[j] + av * x.b[bOff + j]) | 0;
    }
    for (let j = 0; j < x.J; j++) out[i * x.J + j] = requantize(row[j], x.scale, mode, x.relu);
  }
  return out;
}
