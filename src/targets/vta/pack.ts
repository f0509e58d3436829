import type { Mapping } from '../../schedule/mapping.js';
import type { Spec } from '../../target/spec.js';
import type { Workload } from '../../workload/workload.js';
import { view } from './layout.js';

/**
 * The host-side layout transforms (TVM's graph packing): the workload's layouts (workload.ts) to and
 * from VTA's blocked ones, channels zero-padded to whole blocks. Input [N][Cb][H][W][B], weights
 * [Kb][Cb][R][S][B out][B in], output [N][Kb][P][Q][B]. A GEMM is the conv of view (layout.ts).
 */

export function packInput(w: Workload, m: Mapping, spec: Spec, input: Int8Array): Int8Array {
  const { B, N, H, W, C, Cb } = view(w, m, spec);
  const out = new Int8Array(N * Cb * H * W * B);
  for (let n = 0; n < N; n++)
    for (let h = 0; h < H; h++)
      for (let x = 0; x < W; x++)
        for (let c = 0; c < C; c++) {
          const at = (((n * Cb + Math.floor(c / B)) * H + h) * W + x) * B + (c % B);
          out[at] = input[((n * H + h) * W + x) * C + c];
        }
  return out;
}

export function packWeights(w: Workload, m: Mapping, spec: Spec, weights: Int8Array): Int8Array {
  const { B, C, K, R, S, Cb, Kb } = view(w, m, spec);
  const out = new Int8Array(Kb * Cb * R * S * B * B);
  for (let r = 0; r < R; r++)
    for (let s = 0; s < S; s++)
      for (let c = 0; c < C; c++)
        for (let k = 0; k < K; k++) {
          const entry = ((Math.floor(k / B) * Cb + Math.floor(c / B)) * R + r) * S + s;
          out[(entry * B + (k % B)) * B + (c % B)] = weights[((r * S + s) * C + c) * K + k];
        }
  return out;
}

export function unpackOutput(w: Workload, m: Mapping, spec: Spec, packed: Int8Array): Int8Array {
  const { B, N, P, Q, K, Kb } = view(w, m, spec);
  const out = new Int8Array(N * P * Q * K);
  for (let n = 0; n < N; n++)
    for (let p = 0; p < P; p++)
      for (let q = 0; q < Q; q++)
        for (let k = 0; k < K; k++) {
          const at = (((n * Kb + Math.floor(k / B)) * P + p) * Q + q) * B + (k % B);
          out[((n * P + p) * Q + q) * K + k] = packed[at];
        }
  return out;
}
