import { InputError } from '../errors.js';
import type { AttrsByInternalOp, QAddAttrs, Requant } from '../ir/graph.js';
import { rescaleInt8, saturateInt8, scaleF32, weightedSumToInt8 } from '../numeric/numeric.js';
import type { HostTensor } from './host_tensor.js';
import { pool } from './pool.js';

/**
 * Host kernels of the fused integer ops (QConv, QGemm, QAdd, QMaxPool): int32 sums of int8 products plus the int32
 * bias (wrapping), then the shared requantization (ir/graph.ts `Requant`). They are the host fallback
 * for those ops and an independent check of what an accelerator computes.
 */

function int8Data(t: HostTensor, what: string): Int8Array {
  if (t.dtype !== 'int8') throw new InputError(`${what} must be int8 (got ${t.dtype})`);
  return t.data as Int8Array;
}

function int32Data(t: HostTensor | undefined, what: string): Int32Array | null {
  if (t === undefined) return null;
  if (t.dtype !== 'int32') throw new InputError(`${what} must be int32 (got ${t.dtype})`);
  return t.data as Int32Array;
}

/** Requantizes one accumulator of output channel `ch`. */
export function requantize(acc: number, ch: number, r: Requant): number {
  const v = r.activation === 'relu' && acc < 0 ? 0 : acc;
  const scale = r.scale.length === 1 ? r.scale[0] : r.scale[ch];
  return saturateInt8(scaleF32(v, scale));
}

/** QConv on NCHW int8 input and [K][C/group][R][S] int8 weights; padding reads `padValue`. */
export function qconv(
  x: HostTensor,
  w: HostTensor,
  bias: HostTensor | undefined,
  attrs: AttrsByInternalOp['QConv'],
): HostTensor {
  const xd = int8Data(x, 'QConv input');
  const wd = int8Data(w, 'QConv weight');
  const bd = int32Data(bias, 'QConv bias');
  if (x.shape.length !== 4) throw new InputError(`QConv input must be 4-D (got [${x.shape}])`);
  const [N, C, H, W] = x.shape;
  const [K, Cg, R, S] = w.shape;
  const G = attrs.group;
  if (Cg * G !== C || K % G !== 0) {
    throw new InputError(`weight [${w.shape}] does not fit ${C} channels in ${G} groups`);
  }
  const [sH, sW] = attrs.strides;
  const [dH, dW] = attrs.dilations;
  const [pT, pL, pB, pR] = attrs.pads;
  const P = Math.floor((H + pT + pB - (R - 1) * dH - 1) / sH) + 1;
  const Q = Math.floor((W + pL + pR - (S - 1) * dW - 1) / sW) + 1;
  const Kg = K / G;
  const out = new Int8Array(N * K * P * Q);
  const pad = attrs.padValue;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const g = Math.floor(k / Kg);
      for (let p = 0; p < P; p++) {
        for (let q = 0; q < Q; q++) {
          let acc = bd === null ? 0 : bd[k];
          for (let c = 0; c < Cg; c++) {
            const xBase = (n * C + g * Cg + c) * H * W;
            const wBase = (k * Cg + c) * R * S;
            for (let r = 0; r < R; r++) {
              const h = p * sH - pT + r * dH;
              for (let s = 0; s < S; s++) {
                const ww = q * sW - pL + s * dW;
                const xv = h < 0 || h >= H || ww < 0 || ww >= W ? pad : xd[xBase + h * W + ww];
                acc = (acc + xv * wd[wBase + r * S + s]) | 0;
              }
            }
          }
          out[((n * K + k) * P + p) * Q + q] = requantize(acc, k, attrs.requant);
        }
      }
    }
  }
  return { dtype: 'int8', shape: [N, K, P, Q], data: out };
}

/**
 * QGemm: a [...batch][M][K] × b [K][N] (or [...batch][K][N] with a's batch dims) + bias [N], int8
 * out [...batch][M][N].
 */
export function qgemm(
  a: HostTensor,
  b: HostTensor,
  bias: HostTensor | undefined,
  attrs: AttrsByInternalOp['QGemm'],
): HostTensor {
  const ad = int8Data(a, 'QGemm input');
  const bd = int8Data(b, 'QGemm weight');
  const cd = int32Data(bias, 'QGemm bias');
  const rank = a.shape.length;
  if (rank < 2 || b.shape.length < 2) {
    throw new InputError(`QGemm operands must be at least 2-D (got [${a.shape}], [${b.shape}])`);
  }
  const M = a.shape[rank - 2];
  const K = a.shape[rank - 1];
  const N = b.shape[b.shape.length - 1];
  const batch = a.shape.slice(0, rank - 2).reduce((x, y) => x * y, 1);
  const bBatched = b.shape.length > 2;
  if (b.shape[b.shape.length - 2] !== K) {
    throw new InputError(`QGemm operands [${a.shape}] and [${b.shape}] disagree on K`);
  }
  const out = new Int8Array(batch * M * N);
  const row = new Int32Array(N);
  for (let t = 0; t < batch; t++) {
    const bOff = bBatched ? t * K * N : 0;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) row[j] = cd === null ? 0 : cd[j];
      const aOff = (t * M + i) * K;
      for (let k = 0; k < K; k++) {
        const av = ad[aOff + k];
        if (av === 0) continue;
        const bRow = bOff + k * N;
        for (let j = 0; j < N; j++) row[j] = (row[j] + av * bd[bRow + j]) | 0;
      }
      const o = (t * M + i) * N;
      for (let j = 0; j < N; j++) out[o + j] = requantize(row[j], j, attrs.requant);
    }
  }
  return { dtype: 'int8', shape: [...a.shape.slice(0, rank - 2), M, N], data: out };
}

/** QAdd of two int8 tensors of one shape (ir/graph.ts `QAddAttrs`). */
export function qadd(a: HostTensor, b: HostTensor, attrs: QAddAttrs): HostTensor {
  const ad = int8Data(a, 'QAdd input A');
  const bd = int8Data(b, 'QAdd input B');
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new InputError(`QAdd inputs must have one shape (got [${a.shape}] and [${b.shape}])`);
  }
  const relu = attrs.activation === 'relu';
  const out = new Int8Array(ad.length);
  for (let i = 0; i < ad.length; i++) out[i] = weightedSumToInt8(ad[i], bd[i], attrs, relu);
  return { dtype: 'int8', shape: a.shape, data: out };
}

/**
 * QMaxPool: the float kernel's window maximum on the int8 values (exact in float32), then the
 * optional rescale, which commutes with the maximum.
 */
export function qmaxpool(x: HostTensor, attrs: AttrsByInternalOp['QMaxPool']): HostTensor {
  const xd = int8Data(x, 'QMaxPool input');
  const pooled = pool(
    'max',
    { dtype: 'float32', shape: x.shape, data: Float32Array.from(xd) },
    attrs,
    false,
  );
  const r = attrs.rescale;
  const data = Int8Array.from(pooled.data as Float32Array, (v) =>
    r === null ? v : rescaleInt8(v, r),
  );
  return { dtype: 'int8', shape: pooled.shape, data };
}
