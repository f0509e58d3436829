import {
  addRead,
  addUntrackedWrite,
  addWrite,
  Unit,
  type TimingDesc,
} from '../../sim/timing_desc.js';
import type { Instr, InstrOf, Operand } from './instr.js';
import { isAcc, isGarbage, isReadFull, rowOf } from './local_addr.js';
import type { GemminiMachine } from './machine.js';

/**
 * What each Gemmini instruction costs the timing engine (docs/gemmini.md §6): the unit, how long it keeps the
 * unit busy, the latency until its results are visible, DRAM bytes, and the local rows it touches.
 * Timing runs after `execute`, so faults (bad shapes, bad addresses) have already been reported.
 */

function memoryOf(m: GemminiMachine, addr: number): number {
  return isAcc(addr) ? m.accIndex : m.spIndex;
}

/** The local rows an operand reads: rows r at base + r*stride (transposed or not, in memory). */
function readRange(m: GemminiMachine, op: Operand, stride: number, d: TimingDesc): void {
  if (isGarbage(op.addr) || op.rows === 0) return;
  const first = rowOf(op.addr, m.rowBits);
  addRead(d, isAcc(op.addr) ? m.accIndex : m.spIndex, first, first + (op.rows - 1) * stride + 1);
}

/** The local rows a result writes. */
function writeRange(m: GemminiMachine, op: Operand, stride: number, d: TimingDesc): void {
  if (isGarbage(op.addr) || op.rows === 0) return;
  const first = rowOf(op.addr, m.rowBits);
  addWrite(d, isAcc(op.addr) ? m.accIndex : m.spIndex, first, first + (op.rows - 1) * stride + 1);
}

/** Block b of a wide mvin/mvout is at base + b*blockStride; touches rows [.., + rows). */
function blockRanges(
  m: GemminiMachine,
  op: Operand,
  blockStride: number,
  add: typeof addRead,
  d: TimingDesc,
): void {
  const first = rowOf(op.addr, m.rowBits);
  const mem = memoryOf(m, op.addr);
  const blocks = Math.ceil(op.cols / m.dim);
  if (blockStride === op.rows || blocks === 1) {
    add(d, mem, first, first + (blocks - 1) * blockStride + op.rows);
    return;
  }
  for (let b = 0; b < blocks; b++)
    add(d, mem, first + b * blockStride, first + b * blockStride + op.rows);
}

/**
 * Bus requests and bus bytes of `rows` DRAM rows of `bytes` bytes, `stride` apart: the DMA splits a
 * row into naturally aligned requests of a power-of-two size from one bus beat up to
 * `maxTransferBytes`, none crossing a `maxTransferBytes` boundary (docs/gemmini.md §6: one request
 * per aligned block a row touches, sized to the smallest aligned power of two covering its part).
 * Adds to d.dramRequests and returns the bytes the requests carry.
 */
function busRequests(
  m: GemminiMachine,
  dram: number,
  stride: number,
  rows: number,
  bytes: number,
  d: TimingDesc,
): number {
  const block = m.maxTransferBytes;
  const beat = m.beatBytes;
  let busBytes = 0;
  let requests = 0;
  // Rows at the same offset within a block cost the same: with a stride that is a multiple of the
  // block (or one row), one row stands for all.
  const same = stride % block === 0 || rows === 1;
  const count = same ? 1 : rows;
  for (let r = 0; r < count; r++) {
    const start = dram + r * stride;
    const end = start + bytes;
    for (let b = start - (start % block); b < end; b += block) {
      const lo = start > b ? start - b : 0;
      const hi = end < b + block ? end - b : block;
      let size = beat;
      while (size < block && Math.floor(lo / size) !== Math.floor((hi - 1) / size)) size *= 2;
      busBytes += size;
      requests++;
    }
  }
  const times = same ? rows : 1;
  d.dramRequests += requests * times;
  return busBytes * times;
}

/**
 * TLB misses of `rows` rows of `bytes` bytes, `stride` apart, read (dir 0) or written (dir 1), and the
 * TLB's new state (docs/gemmini.md §6): a row's pages hit the direction's last-page register, or the
 * one shared entry when it covers the page's region and that page was filled; otherwise a miss fills
 * it (a new region empties the entry).
 */
export function tlbMisses(
  m: GemminiMachine,
  dram: number,
  stride: number,
  rows: number,
  bytes: number,
  dir: number,
): number {
  const t = m.tlb;
  if (t.pageBytes === 0 || bytes === 0 || rows === 0) return 0;
  // All rows on the direction's last page: nothing to translate (the common case).
  const lo = Math.floor(dram / t.pageBytes);
  const hi = Math.floor((dram + (rows - 1) * stride + bytes - 1) / t.pageBytes);
  if (lo === hi && lo === t.last[dir]) return 0;
  let misses = 0;
  for (let r = 0; r < rows; r++) {
    const start = dram + r * stride;
    const first = Math.floor(start / t.pageBytes);
    const lastPage = Math.floor((start + bytes - 1) / t.pageBytes);
    for (let page = first; page <= lastPage; page++) {
      if (page === t.last[dir]) continue;
      t.last[dir] = page;
      const region = Math.floor(page / t.entryPages);
      const bit = 1 << (page % t.entryPages);
      if (region === t.region && (t.filled & bit) !== 0) continue;
      if (region !== t.region) {
        t.region = region;
        t.filled = 0;
      }
      t.filled |= bit;
      misses++;
    }
  }
  return misses;
}

export function mvin(i: InstrOf<'mvin'>, m: GemminiMachine, d: TimingDesc): void {
  const slot = m.load[i.slot];
  const toAcc = isAcc(i.dst.addr);
  const esize = toAcc && !slot.shrink ? 4 : 1;
  const elements = i.dst.rows * i.dst.cols;
  d.unit = Unit.load;
  // Stride 0 fetches one row and repeats it on chip; address 0 fills zeros without DRAM.
  const fetched = slot.dramStride === 0 ? Math.min(1, i.dst.rows) : i.dst.rows;
  if (i.dram !== 0) {
    d.dramReadBytes = fetched * i.dst.cols * esize;
    d.dramBusBytes = busRequests(m, i.dram, slot.dramStride, fetched, i.dst.cols * esize, d);
  }
  // One DMA request per row, at most one per cycle; the fp32 mvin scaler does 4 elements a cycle.
  // Pixel repeats p: the repeater writes each row p times, one write a cycle, an underflowing one
  // included (ucb-bar/gemmini src/main/scala/gemmini/PixelRepeater.scala).
  const scaled = esize === 1 && slot.scale !== 1;
  const repeats = toAcc ? 1 : slot.pixelRepeats;
  d.occupancy = Math.max(i.dst.rows * repeats, scaled ? Math.ceil(elements / 4) : 0, 1);
  if (i.dram !== 0) {
    // A miss stalls the reader until the page walk returns.
    const misses = tlbMisses(m, i.dram, slot.dramStride, fetched, i.dst.cols * esize, 0);
    d.stallCycles = misses * m.tlb.missCycles;
  }
  d.latency = i.dram === 0 ? 1 : m.dramLatency;
  if (repeats > 1) {
    // The reservation station tracks a repeating mvin from repeats − 1 rows lower (not below the
    // middle of the scratchpad when it starts above it, else not below row 0) for the mvin's own
    // length (ucb-bar/gemmini src/main/scala/gemmini/ReservationStation.scala, floorSub); the
    // repeater's writes of its last pixels above that range are not tracked, as in the RTL: the
    // engine counts any access that may reach them before they land.
    const first = rowOf(i.dst.addr, m.rowBits);
    const half = m.spRows >> 1;
    const blocks = Math.ceil(i.dst.cols / m.dim);
    const length = (blocks - 1) * slot.blockStride + i.dst.rows;
    const start = Math.max(first > half ? half : 0, first - (repeats - 1));
    addWrite(d, m.spIndex, start, start + length);
    addUntrackedWrite(d, m.spIndex, start + length, first + length);
    return;
  }
  blockRanges(m, i.dst, slot.blockStride, addWrite, d);
}

export function mvout(i: InstrOf<'mvout'>, m: GemminiMachine, d: TimingDesc): void {
  if (m.stPoolStride !== 0) {
    pooledMvout(i, m, d);
    return;
  }
  const esize = isAcc(i.src.addr) && isReadFull(i.src.addr) ? 4 : 1;
  d.unit = Unit.store;
  d.dramWriteBytes = i.src.rows * i.src.cols * esize;
  d.dramBusBytes = busRequests(m, i.dram, m.stDramStride, i.src.rows, i.src.cols * esize, d);
  d.occupancy = Math.max(i.src.rows, 1);
  d.stallCycles =
    tlbMisses(m, i.dram, m.stDramStride, i.src.rows, i.src.cols * esize, 1) * m.tlb.missCycles;
  d.latency = m.dramLatency;
  blockRanges(m, i.src, m.dim, addRead, d);
}

/**
 * A pooled mvout: the store controller issues one DMA request per window position of each output
 * pixel (porows · pocols · size² requests, one a cycle at best: the `pooling` state of
 * ucb-bar/gemmini src/main/scala/gemmini/StoreController.scala), and the writer sends one int8 row
 * per output pixel to DRAM, pixels one DRAM stride apart within an output row and outDim pixels
 * apart between rows.
 */
function pooledMvout(i: InstrOf<'mvout'>, m: GemminiMachine, d: TimingDesc): void {
  const p = m.stPool;
  const stride = m.stDramStride;
  d.unit = Unit.store;
  d.dramWriteBytes = p.porows * p.pocols * i.src.cols;
  d.dramBusBytes = 0;
  let misses = 0;
  for (let r = 0; r < p.porows; r++) {
    const row = i.dram + r * p.outDim * stride;
    d.dramBusBytes += busRequests(m, row, stride, p.pocols, i.src.cols, d);
    misses += tlbMisses(m, row, stride, p.pocols, i.src.cols, 1);
  }
  d.occupancy = Math.max(p.porows * p.pocols * p.size * p.size, 1);
  d.stallCycles = misses * m.tlb.missCycles;
  d.latency = m.dramLatency;
  const first = rowOf(i.src.addr, m.rowBits);
  addRead(d, memoryOf(m, i.src.addr), first, first + p.orows * p.ocols);
}

export function preload(_i: InstrOf<'preload'>, _m: GemminiMachine, d: TimingDesc): void {
  // Pairs with the compute after it: weight-stationary weights shift in while the previous block
  // streams, so a preload adds no occupancy of its own; its operands count as the compute's.
  d.unit = Unit.execute;
  d.occupancy = 0;
}

export function compute(i: InstrOf<'compute'>, m: GemminiMachine, d: TimingDesc): void {
  const ws = m.dataflow === 1;
  const aRows = m.aTranspose ? i.a.cols : i.a.rows;
  const depth = m.aTranspose ? i.a.rows : i.a.cols;
  const bCols = m.bTranspose ? i.bd.rows : i.bd.cols;
  d.unit = Unit.execute;
  // A streams one row a cycle (at least 4). New weights shift in one row a cycle, overlapped with the
  // previous block, so a preloaded block takes at least as long as its weight rows. Output-stationary
  // also streams its K rows through.
  const p = m.consumedPreload;
  // New weights always take DIM cycles to shift in, however few their rows (the RTL feeds DIM rows).
  const weightRows = ws && !i.accumulated && p !== null && !isGarbage(p.bd.addr) ? m.dim : 0;
  d.occupancy = ws ? Math.max(aRows, weightRows, 4) : Math.max(aRows, depth, 4);
  d.latency = m.pipelineLatency + (ws ? 0 : m.dim);
  d.macs = isGarbage(i.a.addr) ? 0 : aRows * depth * (ws ? m.weightCols : bCols);
  readRange(m, i.a, m.aStride, d);
  readRange(m, i.bd, 1, d);
  if (p !== null) {
    readRange(m, p.bd, 1, d);
    writeRange(m, p.c, m.cStride, d);
  }
}

export function configEx(_i: InstrOf<'configEx'>, _m: GemminiMachine, d: TimingDesc): void {
  d.unit = Unit.execute;
  d.occupancy = 1;
  d.drainsUnit = true;
}

/** A tile's first loop CONFIG word: the host computed the tile's setup before issuing it. */
export function tileSetup(_i: Instr, m: GemminiMachine, d: TimingDesc): void {
  d.hostCycles = m.hostCyclesPerTile;
}

/** Completes at issue: Unit.none, as reset. */
export function issueOnly(): void {
  // Nothing to add to the reset descriptor.
}
