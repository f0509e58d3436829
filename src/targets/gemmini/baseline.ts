import { UnsupportedError } from '../../errors.js';
import { noResidency, type Mapping } from '../../mapping/mapping.js';
import { memoryRows, type Dataflow, type Spec } from '../../spec/spec.js';
import { convOutputSize, convPadValue } from '../../workload/shape.js';
import type { ConvWorkload, Workload } from '../../workload/workload.js';
import { isDepthwise } from '../../workload/shape.js';
import { downsamples } from './library.js';
import { loopLoweringProblem } from './lower_loops.js';

/**
 * The Gemmini library's own tiling (`gemmini.h`, docs/gemmini.md §5): the tiles `tiled_matmul_auto`
 * and `tiled_conv_auto` pick, expressed as a Mapping. This is the baseline the scheduler is
 * measured against, so the rules are reproduced literally, quirks included. DIM = array.rows;
 * scratchpad and accumulator sizes are in rows (capacityBytes / rowBytes).
 */

/** `tiled_matmul_auto`'s tile, in DIM-blocks along I (rows of A), J (columns of B) and K. */
export interface MatmulTiles {
  readonly tI: number;
  readonly tJ: number;
  readonly tK: number;
}

/** `tiled_conv_auto`'s seven factors; the channel factors are per group. */
export interface ConvTiles {
  readonly batches: number;
  readonly porows: number;
  readonly pocols: number;
  readonly pochs: number;
  readonly krows: number;
  readonly kcols: number;
  readonly kchs: number;
}

interface Rows {
  readonly dim: number;
  readonly sp: number;
  readonly acc: number;
}

function rowsOf(spec: Spec): Rows {
  return {
    dim: spec.array.rows,
    sp: memoryRows(spec.memories.scratchpad),
    acc: memoryRows(spec.memories.accumulator),
  };
}

/**
 * `tiled_matmul_auto` without the LAYERNORM/SOFTMAX branch. Weight-stationary double-buffers, so
 * it works in half the scratchpad and half the accumulator. The start is ij × ij × kc blocks,
 * clipped to the matrix; then a repeated pass tries tJ+1, tI+1, tK+1 in that order, each test
 * seeing the increments before it, until a pass grows nothing.
 */
export function matmulTiles(
  I: number,
  J: number,
  K: number,
  spec: Spec,
  dataflow: Dataflow,
): MatmulTiles {
  const { dim, sp, acc } = rowsOf(spec);
  const nI = Math.ceil(I / dim);
  const nJ = Math.ceil(J / dim);
  const nK = Math.ceil(K / dim);
  const db = dataflow === 'weight-stationary';
  const spadMax = db ? sp / 2 : sp;
  const accMax = db ? acc / 2 : acc;
  const ij = Math.floor(Math.sqrt(Math.floor((db ? acc / 2 : acc) / dim)));
  if (ij < 1) {
    throw new UnsupportedError(
      'matmul baseline',
      `the accumulator (${acc} rows) cannot hold one ${dim}×${dim} block per buffer`,
    );
  }
  const kc = Math.floor(Math.floor((db ? sp / 4 : sp / 2) / dim) / ij);
  const spad = (i: number, j: number, k: number): number => (i * k + k * j) * dim;
  const accRows = (i: number, j: number): number => i * j * dim;
  let tI = Math.min(nI, ij);
  let tJ = Math.min(nJ, ij);
  let tK = Math.min(nK, kc);
  let grew = true;
  while (grew) {
    grew = false;
    if (spad(tI, tJ + 1, tK) <= spadMax && accRows(tI, tJ + 1) <= accMax && tJ < nJ) {
      tJ++;
      grew = true;
    }
    if (spad(tI + 1, tJ, tK) <= spadMax && accRows(tI + 1, tJ) <= accMax && tI < nI) {
      tI++;
      grew = true;
    }
    if (spad(tI, tJ, tK + 1) <= spadMax && tK < nK) {
      tK++;
      grew = true;
    }
  }
  return { tI, tJ, tK };
}

/** The order of `tiled_conv_auto`'s `args` array; shrink ties and grow passes follow it. */
const factorOrder = ['batches', 'porows', 'pocols', 'pochs', 'krows', 'kcols', 'kchs'] as const;
type Factor = (typeof factorOrder)[number];
const channelFactors: readonly Factor[] = ['pochs', 'kchs'];

/**
 * A max-pool fused into a convolution's store: window `size`, `stride`, `padding` on each side.
 * (gemmini.h's `tiled_conv` pooling arguments.)
 */
export interface StorePoolGeometry {
  readonly size: number;
  readonly stride: number;
  readonly padding: number;
}

/**
 * `tiled_conv_auto` with no input dilation and no transposes, with or without a fused max-pool.
 * Rows and columns use their own stride, dilation and kernel size (the library has one of each).
 * The spatial factors porows and pocols count pooled outputs; a tile computes the conv rows its
 * windows cover, orows = porows·poolStride + poolSize − 1 (orows = porows without a pool), and
 * ocols likewise. Budgets: A + B ≤ SP/2 and C ≤ ACC/2, where
 *   irows = orows·strideH + dilationH·(krows−1), icols likewise, each halved (rounded down) when
 *   the conv is a downsample (library.ts: the dev library's 1×1 stride-2 rule, never with a pool),
 *   A = ⌈kchs/DIM⌉·batches·irows·icols, B = ⌈pochs/DIM⌉·krows·kcols·kchs,
 *   C = ⌈pochs/DIM⌉·batches·orows·ocols.
 * Grouped convs (depthwise is groups = C = K) are tiled as one group: the channel factors start
 * at C/groups and K/groups, since every group is its own independent conv of that size.
 * Shrinking stops at all ones (the library would go on to 0); that tile fits unless a stride
 * exceeds √(SP/2).
 */
export function convTiles(
  conv: ConvWorkload,
  spec: Spec,
  pool: StorePoolGeometry | null = null,
): ConvTiles {
  return convSearch(conv, spec, pool).tiles;
}

/**
 * How many candidate tiles `tiled_conv_auto` checks against the buffers before it settles on
 * `convTiles`' answer: the first, one per shrink step, and each growth it tries within the layer
 * (a candidate beyond the layer's extent is skipped unchecked). The library runs this search on the
 * host every time it is called, each check two calls of its row-counting function
 * (`tiled_conv_total_spad_rows` in include/gemmini.h), so a program that tiles at run time pays
 * checks × the spec's `hostCyclesPerTilingCheck` before its first tile (bench/firesim.ts).
 */
export function convTilingChecks(
  conv: ConvWorkload,
  spec: Spec,
  pool: StorePoolGeometry | null = null,
): number {
  return convSearch(conv, spec, pool).checks;
}

function convSearch(
  conv: ConvWorkload,
  spec: Spec,
  pool: StorePoolGeometry | null,
): { readonly tiles: ConvTiles; readonly checks: number } {
  const { dim, sp, acc } = rowsOf(spec);
  const { P, Q } = convOutputSize(conv);
  const ds = pool === null && downsamples(conv, spec) ? 1 : 0;
  const { size, stride, padding } = pool ?? { size: 1, stride: 1, padding: 0 };
  const pooled = (n: number): number => Math.floor((n + 2 * padding - size) / stride) + 1;
  const full: ConvTiles = {
    batches: conv.N,
    porows: pooled(P),
    pocols: pooled(Q),
    pochs: conv.K / conv.groups,
    krows: conv.R,
    kcols: conv.S,
    kchs: conv.C / conv.groups,
  };
  let checks = 0;
  const fits = (t: ConvTiles): boolean => {
    checks++;
    const orows = t.porows * stride + size - 1;
    const ocols = t.pocols * stride + size - 1;
    const irows = (orows * conv.strideH + conv.dilationH * (t.krows - 1)) >> ds;
    const icols = (ocols * conv.strideW + conv.dilationW * (t.kcols - 1)) >> ds;
    const a = Math.ceil(t.kchs / dim) * t.batches * irows * icols;
    const b = Math.ceil(t.pochs / dim) * t.krows * t.kcols * t.kchs;
    const c = Math.ceil(t.pochs / dim) * t.batches * orows * ocols;
    return a + b <= sp / 2 && c <= acc / 2;
  };
  let tiles = full;
  while (!fits(tiles)) {
    const next = shrink(tiles, dim);
    if (next === undefined) break;
    tiles = next;
  }
  for (;;) {
    const next = { ...tiles, pocols: tiles.pocols + 1 };
    if (next.pocols > full.pocols || !fits(next)) break;
    tiles = next;
  }
  let changed = true;
  while (changed) {
    changed = false;
    for (const f of factorOrder) {
      const next = { ...tiles, [f]: tiles[f] + 1 };
      if (next[f] <= full[f] && fits(next)) {
        tiles = next;
        changed = true;
      }
    }
  }
  return { tiles, checks };
}

/**
 * One shrink step: the largest factor (the first on ties), passing over pocols while it is at most
 * DIM and porows is above 1. A channel factor drops to the next lower multiple of DIM (by DIM when
 * already one), at least 1; the others drop by 1. Undefined when every factor is already 1.
 */
function shrink(t: ConvTiles, dim: number): ConvTiles | undefined {
  let largest: Factor | undefined;
  for (const f of factorOrder) {
    const skip = f === 'pocols' && t.pocols <= dim && t.porows > 1;
    if (!skip && t[f] > 1 && (largest === undefined || t[f] > t[largest])) largest = f;
  }
  if (largest === undefined) return undefined;
  const v = t[largest];
  if (!channelFactors.includes(largest)) return { ...t, [largest]: v - 1 };
  const lower = v % dim !== 0 ? Math.floor(v / dim) * dim : v - dim;
  return { ...t, [largest]: Math.max(1, lower) };
}

/**
 * The library's choice for a workload as a Mapping. GEMM: weight-stationary when the array has it
 * (double-buffered, as the library halves its budgets), else output-stationary (single-buffered);
 * DRAM loops i, j, k with k innermost (`tiled_matmul_outer`). Conv: weight-stationary only, DRAM
 * loops b, porow, pocol, poch, krow, kcol, kch (`tiled_conv`); a depthwise conv runs one channel
 * per tile inside the pixel loops (`tiled_conv_dw`), another grouped conv one group per tile with
 * the groups outermost.
 */
export function baseline(workload: Workload, spec: Spec): Mapping {
  const ws = spec.array.dataflows.includes('weight-stationary');
  const dim = spec.array.rows;
  if (workload.kind === 'gemm') {
    const { M, N, K } = workload;
    const dataflow: Dataflow = ws ? 'weight-stationary' : 'output-stationary';
    const { tI, tJ, tK } = matmulTiles(M, N, K, spec, dataflow);
    return {
      dataflow,
      spatial: ws ? { rows: 'K', cols: 'N' } : { rows: 'M', cols: 'N' },
      tile: { M: Math.min(M, tI * dim), N: Math.min(N, tJ * dim), K: Math.min(K, tK * dim) },
      order: ['M', 'N', 'K'],
      resident: noResidency,
      doubleBuffer: { input: ws, weight: ws, output: ws },
      // The library hands each weight-stationary tile to LOOP_WS; output-stationary tiles it unrolls.
      ...(ws ? { hardwareLoops: true } : {}),
    };
  }
  if (!ws) {
    throw new UnsupportedError(
      `conv ${workload.name}`,
      `tiled_conv_auto needs the weight-stationary dataflow, which ${spec.name} lacks`,
    );
  }
  const t = convTiles(workload, spec);
  const tile = {
    N: t.batches,
    P: t.porows,
    Q: t.pocols,
    K: t.pochs,
    R: t.krows,
    S: t.kcols,
    C: t.kchs,
  };
  const common = {
    dataflow: 'weight-stationary',
    spatial: { rows: 'C', cols: 'K' },
    resident: noResidency,
    doubleBuffer: { input: true, weight: true, output: true },
  } as const;
  if (isDepthwise(workload)) {
    // tiled_conv_dw_auto → tiled_conv_dw (docs/gemmini.md §5.4): the tiles above, one channel
    // at a time inside the pixel tiles, one LOOP_CONV_WS with the depthwise flag per channel and
    // tile, unless a padding value or the conv's shape keeps them unrolled.
    const m: Mapping = {
      ...common,
      tile: { ...tile, G: 1 },
      order: ['N', 'P', 'Q', 'G', 'K', 'R', 'S', 'C'],
    };
    return loopLoweringProblem(workload, { ...m, hardwareLoops: true }, spec) === null
      ? { ...m, hardwareLoops: true }
      : m;
  }
  const grouped = workload.groups > 1;
  // gemmini.h has no zero points: its LOOP_CONV_WS pads with zeros. A conv whose padding reads a
  // value keeps the library's tiles and runs them unrolled (docs/gemmini.md §5).
  const unrolled = grouped || convPadValue(workload) !== 0;
  return {
    ...common,
    tile: { ...(grouped ? { G: 1 } : {}), ...tile },
    order: [...(grouped ? (['G'] as const) : []), 'N', 'P', 'Q', 'K', 'R', 'S', 'C'],
    // One LOOP_CONV_WS per tile, as tiled_conv issues; other grouped convs and convs padding with
    // a value go through the unrolled path.
    ...(unrolled ? {} : { hardwareLoops: true }),
  };
}
