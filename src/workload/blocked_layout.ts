/**
 * Channel-blocked DRAM layouts, as accelerators with a B-wide vector unit read them (the NCHW{B}c
 * family of graph-packing compilers): the workload's layouts (workload.ts) to and from blocked ones,
 * channels zero-padded to whole blocks of B. Activations [N][H][W][C] become [N][ceil(C/B)][H][W][B];
 * weights [R][S][C][K] (HWIO) become [ceil(K/B)][ceil(C/B)][R][S][B out][B in].
 */

/** An activation tensor's sizes: images, rows, columns, channels, and the block. */
export interface ActivationShape {
  readonly N: number;
  readonly H: number;
  readonly W: number;
  readonly C: number;
  readonly B: number;
}

/** Copies between [N][H][W][C] (`plain`) and [N][ceil(C/B)][H][W][B] (`packed`), either way. */
function copyBlocked(x: ActivationShape, plain: Int8Array, packed: Int8Array, toBlocked: boolean) {
  const { N, H, W, C, B } = x;
  const Cb = Math.ceil(C / B);
  for (let n = 0; n < N; n++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++)
        for (let c = 0; c < C; c++) {
          const at = (((n * Cb + Math.floor(c / B)) * H + h) * W + w) * B + (c % B);
          const from = ((n * H + h) * W + w) * C + c;
          if (toBlocked) packed[at] = plain[from];
          else plain[from] = packed[at];
        }
}

/** [N][H][W][C] as [N][ceil(C/B)][H][W][B], the padding channels zero. */
export function toBlockedChannels(x: ActivationShape, plain: Int8Array): Int8Array {
  const packed = new Int8Array(x.N * Math.ceil(x.C / x.B) * x.H * x.W * x.B);
  copyBlocked(x, plain, packed, true);
  return packed;
}

/** [N][ceil(C/B)][H][W][B] back as [N][H][W][C], the padding channels dropped. */
export function fromBlockedChannels(x: ActivationShape, packed: Int8Array): Int8Array {
  const plain = new Int8Array(x.N * x.H * x.W * x.C);
  copyBlocked(x, plain, packed, false);
  return plain;
}

/** Weights [R][S][C][K] as [ceil(K/B)][ceil(C/B)][R][S][B out][B in], the padding zero. */
export function toBlockedWeights(
  x: { readonly [D in 'R' | 'S' | 'C' | 'K' | 'B']: number },
  weights: Int8Array,
): Int8Array {
  const { R, S, C, K, B } = x;
  const Cb = Math.ceil(C / B);
  const out = new Int8Array(Math.ceil(K / B) * Cb * R * S * B * B);
  for (let r = 0; r < R; r++)
    for (let s = 0; s < S; s++)
      for (let c = 0; c < C; c++)
        for (let k = 0; k < K; k++) {
          const entry = ((Math.floor(k / B) * Cb + Math.floor(c / B)) * R + r) * S + s;
          out[(entry * B + (k % B)) * B + (c % B)] = weights[((r * S + s) * C + c) * K + k];
        }
  return out;
}

/**
 * Depthwise weights [R][S][1][G] (HWIO, one channel per group) as [ceil(G/B)][R][S][B out][B in]
 * diagonal blocks: block (b, r, s) holds w[r][s][0][b·B + j] at (j, j) and zero elsewhere, so one
 * B×B product applies B groups' taps to their own channels.
 */
export function toDiagonalBlockedWeights(
  x: { readonly [D in 'R' | 'S' | 'G' | 'B']: number },
  weights: Int8Array,
): Int8Array {
  const { R, S, G, B } = x;
  const out = new Int8Array(Math.ceil(G / B) * R * S * B * B);
  for (let r = 0; r < R; r++)
    for (let s = 0; s < S; s++)
      for (let g = 0; g < G; g++) {
        const entry = (Math.floor(g / B) * R + r) * S + s;
        const j = g % B;
        out[(entry * B + j) * B + j] = weights[(r * S + s) * G + g];
      }
  return out;
}
