import {
  add,
  c,
  fence,
  instr,
  v,
  type Expr,
  type Program,
  type Stmt,
} from '../../program/program.js';
import { memoryRows, type Spec } from '../../spec/spec.js';
import type { MaxPoolWorkload } from '../../workload/vector.js';
import { configLd, configSt } from './lower_common.js';

/** The widest CONFIG_ST pool fields (GemminiISA.scala `ConfigMvoutRs1`, isa.ts `configSt`). */
const maxPoolSize = 3;
const maxPoolStride = 3;
const maxPoolDim = 255;

/** The smallest int8: a padding pixel of this value never beats an image pixel. */
const padValue = -128;

/**
 * The columns of the padded image a pooled store reads: from `padLeft` columns left of the image to
 * the last window's right edge.
 */
function blockCols(w: MaxPoolWorkload): number {
  return (w.Q - 1) * w.stride + w.size;
}

/** Output rows per tile: as many as fit in half the scratchpad (and the pool's 8-bit fields). */
function tileRows(w: MaxPoolWorkload, spec: Spec): number {
  const half = Math.floor(memoryRows(spec.memories.scratchpad) / 2);
  const rowsFit = Math.min(maxPoolDim, Math.floor(half / blockCols(w)));
  return Math.min(w.P, maxPoolDim, Math.floor((rowsFit - w.size) / w.stride) + 1);
}

/** Why Gemmini's pooled store cannot run this max-pool, or null. */
export function maxPoolProblem(w: MaxPoolWorkload, spec: Spec): string | null {
  if (w.size > maxPoolSize || w.stride > maxPoolStride) {
    return `a ${w.size}×${w.size} window at stride ${w.stride}: CONFIG_ST holds at most 3 for each`;
  }
  if (w.Q > maxPoolDim || blockCols(w) > maxPoolDim) {
    return `${w.Q} output columns from ${blockCols(w)} padded input columns: CONFIG_ST holds at most 255`;
  }
  if (tileRows(w, spec) < 1) {
    return `one row of windows (${w.size} × ${blockCols(w)} pixels) does not fit half the scratchpad`;
  }
  return null;
}

/**
 * A stand-alone int8 max-pool on Gemmini (src/workload/vector.ts `MaxPoolWorkload`), through the
 * pooled store (docs/gemmini.md §8.3).
 *
 * The pooled MVOUT reads its window rows through the store path, whose local address may name the
 * scratchpad as well as the accumulator (ucb-bar/gemmini src/main/scala/gemmini/StoreController.scala
 * passes the address on; src/main/scala/gemmini/Scratchpad.scala sends non-accumulator reads
 * straight to the writer, pool flags included). The int8 input therefore moves into the scratchpad
 * unchanged, one pixel a row and DIM channels wide, no accumulator and no scaling. The RTL's own
 * padding reads 0, which would beat negative pixels; instead the padding pixels are written as rows
 * of −128 (mvins from a DIM-byte constant with DRAM stride 0), so upad = lpad = 0 and the store reads
 * only real rows: the maximum over the window equals MaxPool's, padding never winning.
 *
 * Tiling: one channel block of DIM at a time (a pooled mvout is one block wide), and as many output
 * rows as fit their padded input rows in half the scratchpad; tiles alternate halves so the next
 * tile's loads overlap this one's store. Each tile is one CONFIG_ST with its geometry and one pooled
 * MVOUT writing NHWC output rows (DRAM stride C bytes a pixel, Q pixels a row).
 */
export function lowerMaxPool(w: MaxPoolWorkload, spec: Spec): Program {
  const dim = spec.array.rows;
  const half = Math.floor(memoryRows(spec.memories.scratchpad) / 2);
  const cols = blockCols(w);
  const rowsPerTile = tileRows(w, spec);
  const tiles = Math.ceil(w.P / rowsPerTile);
  const blocks = Math.ceil(w.C / dim);
  const body: Stmt[] = [configLd(0, 1, w.C, false, dim), configLd(1, 1, 0, false, dim)];
  /** mvins of `count` consecutive pixels into local rows from `row` on, DIM rows at a time. */
  const moveIn = (
    slot: number,
    dram: (k: number) => Expr,
    row: number,
    count: number,
    ch: number,
  ) => {
    for (let k = 0; k < count; k += dim) {
      const rows = Math.min(dim, count - k);
      body.push(
        instr('mvin', {
          slot: c(slot),
          dram: dram(k),
          dst: { addr: c(row + k), rows: c(rows), cols: c(ch) },
        }),
      );
    }
  };
  const padding = (row: number, count: number, ch: number) =>
    moveIn(1, () => v('pad'), row, count, ch);
  let parity = 0;
  for (let n = 0; n < w.N; n++) {
    for (let t = 0; t < tiles; t++) {
      const porows = Math.min(rowsPerTile, w.P - t * rowsPerTile);
      const orows = (porows - 1) * w.stride + w.size;
      for (let b = 0; b < blocks; b++) {
        const ch = Math.min(dim, w.C - b * dim);
        const base = parity * half;
        parity = 1 - parity;
        for (let i = 0; i < orows; i++) {
          const h = t * rowsPerTile * w.stride - w.padTop + i;
          const row = base + i * cols;
          if (h < 0 || h >= w.H) {
            padding(row, cols, ch);
            continue;
          }
          const first = Math.min(w.padLeft, cols);
          const last = Math.min(w.padLeft + w.W, cols);
          if (first > 0) padding(row, first, ch);
          const pixel = (k: number) => ((n * w.H + h) * w.W + k) * w.C + b * dim;
          moveIn(0, (k) => add(v('A'), pixel(k)), row + first, last - first, ch);
          if (last < cols) padding(row + last, cols - last, ch);
        }
        body.push(
          configSt(w.C, false, 1, {
            size: w.size,
            stride: w.stride,
            outDim: w.Q,
            porows,
            pocols: w.Q,
            orows,
            ocols: cols,
          }),
          // A pooled store counts its reads from the pool fields (StoreController.scala's
          // pool_total_rows), not from the operand's rows.
          instr('mvout', {
            dram: add(v('C'), (n * w.P + t * rowsPerTile) * w.Q * w.C + b * dim),
            src: { addr: c(base), rows: c(Math.min(dim, orows)), cols: c(ch) },
          }),
        );
      }
    }
  }
  body.push(fence);
  const input = w.N * w.H * w.W * w.C;
  const padWords = Array.from(new Int32Array(new Int8Array(dim).fill(padValue).buffer));
  return {
    name: w.name,
    buffers: [
      { name: 'A', bytes: input, role: 'input' },
      { name: 'pad', bytes: dim, role: 'constant', contents: padWords },
      { name: 'C', bytes: w.N * w.P * w.Q * w.C, role: 'output' },
    ],
    body,
  };
}
