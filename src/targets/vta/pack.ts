import type { Mapping } from '../../mapping/mapping.js';
import type { Spec } from '../../spec/spec.js';
import type { Workload } from '../../workload/workload.js';
import { view } from './layout.js';

/**
 * The host-side layout transforms (TVM's graph packing): the workload's layouts (workload.ts) to and
 * from VTA's blocked ones, channels zero-padded to whole blocks. Input [N][Cb][H][W][B], weights
 * [Kb][Cb][R][S][B out][B in], output [N][Kb][P][Q][B]. A GEMM is the conv of view (layout.ts).
 */

/** Copies between an [N][H][W][C] tensor and its blocked [N][ceil(C/B)][H][W][B] form. */
function blocked(N: number, H: number, W: number, C: number, B: number, toBlocked: boolean) {
  const Cb = Math.ceil(C / B);
  return (plain: Int8Array, packed: Int8Array): Int8Array => {
    for (let n = 0; n < N; n++)
      for (let h = 0; h < H; h++)
        for (let x = 0; x < W; x++)
          for (let c = 0; c < C; c++) {
            const at = (((n * Cb + Math.floor(c / B)) * H + h) * W + x) * B + (c % B);
            const from = ((n * H + h) * W + x) * C + c;
            if (toBlocked) packed[at] = plain[from];
            else plain[from] = packed[at];
          }
    return toBlocked ? packed : plain;
  };
}

export function packInput(w: Workload, m: Mapping, spec: Spec, input: Int8Array): Int8Array {
  const { B, N, H, W, C, Cb } = view(w, m, spec);
  return blocked(N, H, W, C, B, true)(input, new Int8Array(N * Cb * H * W * B));
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
  const { B, N, P, Q, K } = view(w, m, spec);
  return blocked(N, P, Q, K, B, false)(new Int8Array(N * P * Q * K), packed);
}
