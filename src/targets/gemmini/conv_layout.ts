import type { Mapping } from '../../mapping/mapping.js';
import type { Spec } from '../../spec/spec.js';
import type { Footprint } from '../../contract/target.js';
import { convOutputSize } from '../../workload/shape.js';
import type { ConvWorkload, Dim } from '../../workload/workload.js';

/**
 * How a conv tile sits in Gemmini's memories (implicit im2col, as the library's LOOP_CONV_WS does):
 * - input: one scratchpad row per input pixel of the tile and DIM channels, its halo included
 *   ((tP−1)·strideH + (tR−1)·dilationH + 1 rows × the same for columns, per image), one region per
 *   channel block. A compute reads DIM consecutive output columns of one output row as rows spaced
 *   strideW apart (CONFIG_EX's A stride), shifted by the kernel position. A kernel of extent 1 along an
 *   axis loads only the rows (columns) it reads.
 * - weight: per block of DIM output channels, a region of one row per (r, s, channel): a weight block
 *   (r, s, DIM channels) is consecutive rows.
 * - output: per block of DIM output channels, a region of one int32 row per output pixel of the tile
 *   (images × rows × columns), as the library packs it.
 * Double-buffered tensors have two copies.
 */
export interface ConvLayout {
  readonly dim: number;
  /**
   * Depthwise with many groups per step: the array takes DIM groups at once, each weight block a
   * DIM×DIM diagonal (diag(w[r][s][g..g+DIM))), packed so in DRAM by `packConvWeights`.
   */
  readonly diag: boolean;
  readonly P: number;
  readonly Q: number;
  /** Tiles (the bound where the mapping leaves a dim out); G is always 1. */
  readonly t: Readonly<Record<'N' | 'G' | 'K' | 'C' | 'P' | 'Q' | 'R' | 'S', number>>;
  readonly inRows: number;
  readonly inCols: number;
  /** Image rows (columns) between consecutive rows (columns) of the input tile. */
  readonly rowStep: number;
  readonly colStep: number;
  /** Input rows of one channel block (images × rows × columns of the tile). */
  readonly inPixels: number;
  readonly channelBlocks: number;
  readonly outBlocks: number;
  readonly colBlocks: number;
  /** Rows of one output-channel block's region of weights (R·S·C of the tile) and of outputs. */
  readonly weightRegion: number;
  readonly outRegion: number;
  readonly input: { readonly base: number; readonly copyRows: number; readonly copies: number };
  readonly weight: { readonly base: number; readonly copyRows: number; readonly copies: number };
  readonly output: { readonly base: number; readonly copyRows: number; readonly copies: number };
}

export function convLayout(w: ConvWorkload, m: Mapping, spec: Spec): ConvLayout {
  const dim = spec.array.rows;
  const { P, Q } = convOutputSize(w);
  const bounds: Record<'N' | 'G' | 'K' | 'C' | 'P' | 'Q' | 'R' | 'S', number> = {
    N: w.N,
    G: w.groups,
    K: w.K / w.groups,
    C: w.C / w.groups,
    P,
    Q,
    R: w.R,
    S: w.S,
  };
  const t = Object.fromEntries(
    Object.entries(bounds).map(([d, b]) => [d, Math.min(m.tile[d as Dim] ?? b, b)]),
  ) as Record<keyof typeof bounds, number>;
  // A kernel one row (column) high reads only every stride-th input row (column): those alone are
  // loaded, consecutive in the tile (the library's "downsample").
  const rowStep = w.R === 1 ? w.strideH : 1;
  const colStep = w.S === 1 ? w.strideW : 1;
  const inRows = w.R === 1 ? t.P : (t.P - 1) * w.strideH + (t.R - 1) * w.dilationH + 1;
  const inCols = w.S === 1 ? t.Q : (t.Q - 1) * w.strideW + (t.S - 1) * w.dilationW + 1;
  const inPixels = t.N * inRows * inCols;
  const diag = isDiagonal(m);
  const channelBlocks = Math.ceil((diag ? t.G : t.C) / dim);
  const outBlocks = diag ? channelBlocks : Math.ceil(t.K / dim);
  const colBlocks = Math.ceil(t.Q / dim);
  const weightRegion = t.R * t.S * t.C;
  const outRegion = t.N * t.P * t.Q;
  const copies = (db: boolean): number => (db ? 2 : 1);
  // Folded, a copy's first row also writes the p − 1 rows below it (pixel repeats): they are left
  // free, so that loading one copy never waits on the array reading the other.
  const input = {
    base: 0,
    copyRows: channelBlocks * inPixels + foldedPixels(w, m, dim) - 1,
    copies: copies(m.doubleBuffer.input),
  };
  const weight = {
    base: input.copyRows * input.copies,
    copyRows: diag ? t.R * t.S * channelBlocks * dim : outBlocks * weightRegion,
    copies: copies(m.doubleBuffer.weight),
  };
  const output = {
    base: 0,
    copyRows: outBlocks * outRegion,
    copies: copies(m.doubleBuffer.output),
  };
  return {
    dim,
    diag,
    P,
    Q,
    t,
    inRows,
    inCols,
    rowStep,
    colStep,
    inPixels,
    channelBlocks,
    outBlocks,
    colBlocks,
    weightRegion,
    outRegion,
    input,
    weight,
    output,
  };
}

/**
 * Pixels per folded input row (conv_fold.ts): as many whole pixels of C channels as fit DIM
 * columns, at most the kernel tile's columns; 1 when the mapping does not fold.
 */
export function foldedPixels(w: ConvWorkload, m: Mapping, dim: number): number {
  if (m.foldKernelColumns !== true) return 1;
  const tS = Math.min(m.tile.S ?? w.S, w.S);
  return Math.max(1, Math.min(tS, Math.floor(dim / (w.C / w.groups))));
}

/** A mapping that runs DIM groups of a depthwise conv at once on diagonal weight blocks. */
export function isDiagonal(m: Mapping): boolean {
  return m.spatial.cols === 'G';
}

/**
 * Depthwise weights [R][S][1][G] in the layout the diagonal lowering reads: per (r, s) and block of
 * DIM groups, a DIM×DIM int8 matrix whose entry (c, c) is w[r][s][0][block·DIM + c].
 */
export function packDiagonalWeights(w: ConvWorkload, weights: Int8Array, dim: number): Int8Array {
  const blocks = Math.ceil(w.groups / dim);
  const out = new Int8Array(w.R * w.S * blocks * dim * dim);
  for (let rs = 0; rs < w.R * w.S; rs++) {
    for (let g = 0; g < w.groups; g++) {
      const b = Math.floor(g / dim);
      const c = g % dim;
      out[((rs * blocks + b) * dim + c) * dim + c] = weights[rs * w.groups + g];
    }
  }
  return out;
}

/**
 * Depthwise weights [R][S][1][G] channel by channel, [G][R][S]: each channel's kernel row-major, the
 * layout LOOP_CONV_WS's depthwise weight loads address (docs/gemmini.md §5.4).
 */
export function packChannelMajorWeights(w: ConvWorkload, weights: Int8Array): Int8Array {
  const rs = w.R * w.S;
  const out = new Int8Array(rs * w.groups);
  for (let k = 0; k < rs; k++) {
    for (let g = 0; g < w.groups; g++) out[g * rs + k] = weights[k * w.groups + g];
  }
  return out;
}

export function convFootprint(w: ConvWorkload, m: Mapping, spec: Spec): Footprint[] {
  const l = convLayout(w, m, spec);
  return [
    { memory: 'scratchpad', tensor: 'input', rows: l.input.copyRows },
    { memory: 'scratchpad', tensor: 'weight', rows: l.weight.copyRows },
    { memory: 'accumulator', tensor: 'output', rows: l.output.copyRows },
  ];
}
