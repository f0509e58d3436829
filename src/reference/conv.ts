import { InputError } from '../errors.js';
import type { RequantScale } from '../spec/spec.js';
import { convOutputSize, convPadValue } from '../workload/shape.js';
import type { ConvWorkload } from '../workload/workload.js';
import { requantize } from './requantize.js';

/**
 * The plain integer reference of a quantized conv2d, in the layouts of workload.ts: input NHWC,
 * weights [R][S][C/G][K], bias [K], output NHWC [N][P][Q][K]. int32 sums (wrapping) of int8
 * products plus the bias, padding that reads the workload's `padValue` (zeros when absent), ReLU
 * when the workload says so, then the scale (one, or one per output channel; fp32 with
 * round-half-even, or a rounding shift) and saturation to int8, exactly as referenceGemm.
 * Every accelerator program for a conv must equal this bit for bit.
 */
export interface ConvReferenceInput {
  readonly workload: ConvWorkload;
  readonly input: Int8Array;
  readonly weight: Int8Array;
  readonly bias: Int32Array | null;
  /** One scale, or K scales (per output channel). */
  readonly scale: number | Float32Array;
  /** How the scale applies (requantize.ts); float32 when absent. */
  readonly requant?: RequantScale;
}

function checkLength(what: string, got: number, want: number, name: string): void {
  if (got !== want) {
    throw new InputError(`reference conv "${name}": ${what} has ${got} elements, expected ${want}`);
  }
}

export function referenceConv(x: ConvReferenceInput): Int8Array {
  const w = x.workload;
  const { N, H, W, C, K, R, S, groups } = w;
  const { P, Q } = convOutputSize(w);
  const Cg = C / groups;
  const Kg = K / groups;
  checkLength('input', x.input.length, N * H * W * C, w.name);
  checkLength('weight', x.weight.length, R * S * Cg * K, w.name);
  if (x.bias !== null) checkLength('bias', x.bias.length, K, w.name);
  if (typeof x.scale !== 'number') checkLength('scale', x.scale.length, K, w.name);

  const out = new Int8Array(N * P * Q * K);
  const acc = new Int32Array(K);
  const relu = w.activation === 'relu';
  const padValue = convPadValue(w);
  const mode = x.requant ?? 'float32';
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < P; p++) {
      for (let q = 0; q < Q; q++) {
        for (let k = 0; k < K; k++) acc[k] = x.bias === null ? 0 : x.bias[k];
        for (let r = 0; r < R; r++) {
          const h = p * w.strideH + r * w.dilationH - w.padTop;
          const rowInside = h >= 0 && h < H;
          if (!rowInside && padValue === 0) continue;
          for (let s = 0; s < S; s++) {
            const col = q * w.strideW + s * w.dilationW - w.padLeft;
            const inside = rowInside && col >= 0 && col < W;
            if (!inside && padValue === 0) continue;
            const inOff = ((n * H + h) * W + col) * C;
            const wOff = (r * S + s) * Cg * K;
            for (let g = 0; g < groups; g++) {
              for (let c = 0; c < Cg; c++) {
                const xv = inside ? x.input[inOff + g * Cg + c] : padValue;
                if (xv === 0) continue;
                const row = wOff + c * K;
                for (let k = g * Kg; k < (g + 1) * Kg; k++) {
                  acc[k] = (acc[k] + xv * x.weight[row + k]) | 0;
                }
              }
            }
          }
        }
        const outOff = ((n * P + p) * Q + q) * K;
        for (let k = 0; k < K; k++) {
          const scale = typeof x.scale === 'number' ? x.scale : x.scale[k];
          out[outOff + k] = requantize(acc[k], scale, mode, relu);
        }
      }
    }
  }
  return out;
}
