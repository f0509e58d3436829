import { f32Bits } from '../../numeric/numeric.js';
import {
  add,
  and,
  bool,
  c,
  eq,
  fence,
  instr,
  loop,
  min,
  mod,
  mul,
  sub,
  v,
  type Expr,
  type Program,
  type Stmt,
} from '../../program/program.js';
import { memoryRows, type Spec } from '../../spec/spec.js';
import { rowView, type ResaddWorkload } from '../../workload/vector.js';
import { accFlag, accumulateFlag, configLd, configSt, preloadCompute } from './lower_common.js';

/**
 * A residual add on Gemmini (src/workload/vector.ts): the weighted sum of two int8 tensors on a
 * grid finer than the output's step, requantized by the accumulator's mvout.
 *
 * gemmini-rocc-tests include/gemmini.h's `tiled_resadd` moves both operands into the accumulator
 * through the load unit's fp32 scaler (int8 results: RTL Scratchpad.scala routes narrow accumulator
 * mvins through `mvin_scale_args`) and adds them there. Each operand is then rounded to a whole
 * output step before the sum, and a factor above 1 saturates (docs/gemmini.md §8). Here the integer
 * part of each factor (on the fine grid) multiplies on the array instead, exactly: each operand
 * block moves into the scratchpad unscaled and streams through a diagonal weight block (weight-
 * stationary, the weights stay for a whole chunk), once per int8 part of the weight
 * (`weightParts`); only the fraction left goes through the mvin
 * scaler into the accumulator, as the library does. The offset enters first as a broadcast int32
 * row (a bias mvin, DRAM stride 0). One mvout applies the ReLU and the output scale 2^-k.
 *
 * Tiling: the tensor as rows of the widest width that divides it and one mvout moves (the DMA's
 * largest transfer), in groups of DIM rows (one accumulator block per DIM columns); as many groups
 * as fit in half the accumulator form a chunk, chunks alternate halves (the library's tiles also
 * take half the accumulator), and their operand blocks alternate scratchpad regions.
 */
export function lowerResadd(w: ResaddWorkload, spec: Spec): Program {
  const dim = spec.array.rows;
  const view = rowView(w.elements, spec.dram.maxTransferBytes);
  const blocks = Math.ceil(view.cols / dim);
  const groups = Math.ceil(view.rows / dim);
  const accHalf = Math.floor(memoryRows(spec.memories.accumulator) / 2);
  const parts = [weightParts(w.aWeight), weightParts(w.bWeight)];
  const weightBlocks = parts[0].length + parts[1].length;
  const spQuarter = Math.floor((memoryRows(spec.memories.scratchpad) - weightBlocks * dim) / 4);
  const chunkRows = Math.min(accHalf, spQuarter);
  const perChunk = Math.max(1, Math.min(groups, Math.floor(chunkRows / (blocks * dim))));
  const chunks = Math.ceil(groups / perChunk);
  const k = v('k');
  const g = v('g');
  const b = v('b');
  const parity = mod(k, 2);
  const group = add(mul(perChunk, k), g);
  const rows = min(dim, sub(view.rows, mul(dim, group)));
  const cols = min(dim, sub(view.cols, mul(dim, b)));
  const blockRow = mul(dim, add(mul(blocks, g), b));
  const accRow = add(mul(accHalf, parity), blockRow);
  /** Scratchpad rows of operand `i`'s block: two regions per chunk parity, after the weights. */
  const spRow = (i: number) =>
    add(weightBlocks * dim, mul(2 * chunkRows, parity), i * chunkRows, blockRow);
  /** The scratchpad block of operand `i`'s weight part `p`: A's parts first, then B's. */
  const weightBlock = (i: number, p: number) => (i === 0 ? p : parts[0].length + p);
  const eachBlock = (body: readonly Stmt[]): Stmt =>
    loop('g', 0, min(perChunk, sub(groups, mul(perChunk, k))), 1, [loop('b', 0, blocks, 1, body)]);
  const operand = (x: string) => add(v(x), mul(dim * view.cols, group), mul(dim, b));
  const mvin = (slot: number, dram: Expr, addr: Expr): Stmt =>
    instr('mvin', { slot: c(slot), dram, dst: { addr, rows, cols } });
  const operands = [
    { slot: 0, buffer: 'A', weight: w.aWeight, scales: w.aScales },
    { slot: 1, buffer: 'B', weight: w.bWeight, scales: w.bScales },
  ];
  const chunkBody: Stmt[] = [eachBlock([mvin(2, v('offset'), add(accFlag, accRow))])];
  for (const [i, x] of operands.entries()) {
    if (x.weight === 0) continue;
    const first = and(eq(g, 0), eq(b, 0));
    const cOp = { addr: add(accFlag | accumulateFlag, accRow), rows, cols };
    const a = { addr: spRow(i), rows, cols };
    chunkBody.push(
      configLd(x.slot, 1, view.cols, false, dim),
      eachBlock([mvin(x.slot, operand(x.buffer), spRow(i))]),
    );
    for (const p of parts[i].keys()) {
      const weights = { addr: c(weightBlock(i, p) * dim), rows: c(dim), cols: c(dim) };
      chunkBody.push(eachBlock([preloadCompute(first, weights, cOp, a)]));
    }
  }
  for (const x of operands) {
    for (const s of x.scales) {
      chunkBody.push(
        configLd(x.slot, s, view.cols, true, dim),
        eachBlock([mvin(x.slot, operand(x.buffer), add(accFlag | accumulateFlag, accRow))]),
      );
    }
  }
  chunkBody.push(
    loop('g', 0, min(perChunk, sub(groups, mul(perChunk, k))), 1, [
      instr('mvout', {
        dram: add(v('C'), mul(dim * view.cols, group)),
        src: {
          addr: add(accFlag, mul(accHalf, parity), mul(blocks * dim, g)),
          rows,
          cols: c(view.cols),
        },
      }),
    ]),
  );
  const weightLoads = Array.from({ length: weightBlocks }, (_, k) =>
    instr('mvin', {
      slot: c(0),
      dram: add(v('W'), dim * dim * k),
      dst: { addr: c(k * dim), rows: c(dim), cols: c(dim) },
    }),
  );
  const body: Stmt[] = [
    instr('configEx', {
      dataflow: c(1),
      activation: c(0),
      setOnlyStrides: bool(false),
      aTranspose: bool(false),
      bTranspose: bool(false),
      aStride: c(1),
      accScaleBits: c(f32Bits(1)),
      sysShift: c(0),
      cStride: c(1),
    }),
    configSt(view.cols, w.activation === 'relu', w.outScale),
    configLd(0, 1, dim, false, dim),
    ...weightLoads,
    configLd(2, 1, 0, false, dim),
    loop('k', 0, chunks, 1, chunkBody),
    fence,
  ];
  return {
    name: w.name,
    buffers: [
      { name: 'A', bytes: w.elements, role: 'input' },
      { name: 'B', bytes: w.elements, role: 'input' },
      {
        name: 'W',
        bytes: Math.max(1, weightBlocks) * dim * dim,
        role: 'constant',
        contents: diagonalWords([...parts[0], ...parts[1]], dim),
      },
      { name: 'offset', bytes: 4 * dim, role: 'constant', contents: new Array(dim).fill(w.offset) },
      { name: 'C', bytes: w.elements, role: 'output' },
    ],
    body,
  };
}

/**
 * A weight as int8 parts that sum to it, each one pass through the array (none for 0): a weight of
 * 300 is 127 + 127 + 46.
 */
export function weightParts(weight: number): number[] {
  const parts: number[] = [];
  for (let left = weight; left > 0; left -= 127) parts.push(Math.min(127, left));
  return parts;
}

/** One DIM×DIM int8 block per weight part, the part on the diagonal, as int32 words. */
function diagonalWords(parts: readonly number[], dim: number): number[] {
  const bytes = new Int8Array(Math.max(1, parts.length) * dim * dim);
  for (const [k, part] of parts.entries()) {
    for (let i = 0; i < dim; i++) bytes[k * dim * dim + i * dim + i] = part;
  }
  return Array.from(new Int32Array(bytes.buffer));
}
