import { checkAccess } from '../../sim/dram.js';
import { fault } from '../../sim/fault.js';
import {
  f32FromBits,
  roundingShift,
  saturateBits,
  saturateInt8,
  scaleF32,
  scaleToInt8,
  wrapBits,
} from '../../numeric/numeric.js';
import type { Instr, InstrOf, Operand } from './instr.js';
import { isAcc, isAccumulate, isGarbage, isReadFull, normCmd, rowOf } from './local_addr.js';
import type { GemminiMachine } from './machine.js';

/**
 * Functional semantics of every Gemmini instruction, bit-exact to docs/gemmini.md §3-4 (following the RTL
 * where Spike differs: 20-bit array sums, output-stationary results shifted and saturated on their way to
 * the accumulator, ReLU before the mvout scale). Configuration instructions update registers in both
 * simulation modes; data movement and arithmetic run only when the machine is functional.
 */

const activationNames = ['none', 'relu', 'layernorm', 'igelu', 'softmax'];

/** An accumulator value as the int8 an acc read produces: ReLU, then fp32 scale, then saturation. */
export function accToInt8(x: number, relu: boolean, scale: number): number {
  return saturateInt8(scaleF32(relu && x < 0 ? 0 : x, scale));
}

function checkShape(m: GemminiMachine, op: Operand, what: string, maxCols: number): void {
  if (op.rows > m.dim) fault(`${what}: ${op.rows} rows exceed the array's ${m.dim}`);
  if (op.cols > maxCols) fault(`${what}: ${op.cols} columns exceed the limit of ${maxCols}`);
}

/** The first row of an operand, faulting when rows [row, row + span) leave the memory. */
function baseRow(m: GemminiMachine, addr: number, span: number, what: string): number {
  const row = rowOf(addr, m.rowBits);
  const rows = isAcc(addr) ? m.accRows : m.spRows;
  const mem = isAcc(addr) ? 'accumulator' : 'scratchpad';
  if (normCmd(addr) !== 0 && isAcc(addr)) {
    fault(`${what}: normalization command ${normCmd(addr)} needs normalizations, absent here`);
  }
  if (row + span > rows) {
    fault(`${what}: ${mem} rows ${row}..${row + span - 1} are out of range (it has ${rows})`);
  }
  return row;
}

/**
 * Reads an operand into buf (DIM x DIM, zero outside rows x cols), transposed if asked; row r of the
 * operand is at base + r * stride. Returns nothing: the caller knows the effective shape.
 */
function readOperand(
  m: GemminiMachine,
  op: Operand,
  buf: Int32Array,
  transpose: boolean,
  stride: number,
  what: string,
): void {
  buf.fill(0);
  if (isGarbage(op.addr)) return;
  checkShape(m, op, what, m.dim);
  const dim = m.dim;
  const base = baseRow(m, op.addr, op.rows === 0 ? 0 : (op.rows - 1) * stride + 1, what);
  const fromAcc = isAcc(op.addr);
  if (fromAcc && isReadFull(op.addr))
    fault(`${what}: full-width accumulator operands do not exist`);
  const mem = fromAcc ? m.acc : m.sp;
  const written = fromAcc ? m.accWritten : m.spWritten;
  const relu = m.exActivation === 1;
  for (let r = 0; r < op.rows; r++) {
    const rowStart = (base + r * stride) * dim;
    for (let c = 0; c < op.cols; c++) {
      const idx = rowStart + c;
      if (written[idx] === 0) {
        fault(
          `${what}: reads ${fromAcc ? 'accumulator' : 'scratchpad'} row ${base + r * stride}` +
            ` column ${c}, never written`,
        );
      }
      const v = fromAcc ? accToInt8(mem[idx], relu, m.exAccScale) : mem[idx];
      buf[transpose ? c * dim + r : r * dim + c] = v;
    }
  }
}

/** Writes array results (rows x cols of buf) to C: int8 to the scratchpad, int32 to the accumulator. */
function writeResult(m: GemminiMachine, c: Operand, buf: Int32Array, shift: number): void {
  if (isGarbage(c.addr)) return;
  checkShape(m, c, 'C', m.dim);
  const dim = m.dim;
  const stride = m.cStride;
  const base = baseRow(m, c.addr, c.rows === 0 ? 0 : (c.rows - 1) * stride + 1, 'C');
  const bits = m.partialSumBits;
  if (isAcc(c.addr)) {
    const add = isAccumulate(c.addr);
    for (let r = 0; r < c.rows; r++) {
      const rowStart = (base + r * stride) * dim;
      for (let j = 0; j < c.cols; j++) {
        const v =
          shift === 0
            ? buf[r * dim + j]
            : saturateBits(roundingShift(buf[r * dim + j], shift), bits);
        const idx = rowStart + j;
        if (add) {
          if (m.accWritten[idx] === 0) {
            fault(
              `C: accumulates into accumulator row ${base + r * stride} column ${j}, never written`,
            );
          }
          m.acc[idx] = (m.acc[idx] + v) | 0;
        } else {
          m.acc[idx] = v;
          m.accWritten[idx] = 1;
        }
      }
    }
    return;
  }
  const relu = m.exActivation === 1;
  for (let r = 0; r < c.rows; r++) {
    const rowStart = (base + r * stride) * dim;
    for (let j = 0; j < c.cols; j++) {
      let v = saturateInt8(saturateBits(roundingShift(buf[r * dim + j], shift), bits));
      if (relu && v < 0) v = 0;
      m.sp[rowStart + j] = v;
      m.spWritten[rowStart + j] = 1;
    }
  }
}

/**
 * out[i][j] = wrap(out[i][j] + sum_k a[i][k] * bT[j][k]) for i < rows, j < cols, k < depth. The second
 * operand is held transposed so the inner loop walks both operands contiguously.
 */
function matmul(
  m: GemminiMachine,
  a: Int32Array,
  bT: Int32Array,
  out: Int32Array,
  rows: number,
  cols: number,
  depth: number,
): void {
  const dim = m.dim;
  const bits = m.partialSumBits;
  for (let i = 0; i < rows; i++) {
    const ai = i * dim;
    for (let j = 0; j < cols; j++) {
      const bj = j * dim;
      let s = out[ai + j];
      for (let k = 0; k < depth; k++) s += a[ai + k] * bT[bj + k];
      out[ai + j] = bits >= 32 ? s | 0 : wrapBits(s, bits);
    }
  }
}

function takePreload(m: GemminiMachine): { bd: Operand; c: Operand } {
  const p = m.pendingPreload;
  if (p === null) fault('COMPUTE without a PRELOAD before it');
  m.pendingPreload = null;
  m.consumedPreload = p;
  return p;
}

function computeWs(i: InstrOf<'compute'>, m: GemminiMachine): void {
  const p = takePreload(m);
  if (!i.accumulated) {
    if (m.functional) readOperand(m, p.bd, m.weights, !m.bTranspose, 1, 'B (preloaded weights)');
    m.weightsValid = true;
    m.weightCols = isGarbage(p.bd.addr) ? 0 : m.bTranspose ? p.bd.rows : p.bd.cols;
  } else if (!m.weightsValid) {
    fault('COMPUTE_ACCUMULATED in weight-stationary mode with no weights in the array');
  }
  if (!m.functional || isGarbage(p.c.addr)) return;
  readOperand(m, i.a, m.bufA, m.aTranspose, m.aStride, 'A');
  readOperand(m, i.bd, m.bufOut, false, 1, 'D');
  const depth = m.aTranspose ? i.a.rows : i.a.cols;
  matmul(
    m,
    m.bufA,
    m.weights,
    m.bufOut,
    Math.min(p.c.rows, m.dim),
    Math.min(p.c.cols, m.dim),
    depth,
  );
  writeResult(m, p.c, m.bufOut, 0);
}

function computeOs(i: InstrOf<'compute'>, m: GemminiMachine): void {
  const p = takePreload(m);
  if (i.accumulated && m.osResultTaken) {
    fault(
      'COMPUTE_ACCUMULATED after a result left the array (output-stationary): the hardware ' +
        'defines only C on the last compute of a chain (docs/gemmini.md §3)',
    );
  }
  if (!i.accumulated) m.osResultTaken = false;
  if (!m.functional) {
    if (!isGarbage(p.c.addr)) m.osResultTaken = true;
    return;
  }
  if (!i.accumulated) readOperand(m, p.bd, m.psum, false, 1, 'D (preloaded partial sums)');
  readOperand(m, i.a, m.bufA, m.aTranspose, m.aStride, 'A');
  readOperand(m, i.bd, m.bufB, !m.bTranspose, 1, 'B');
  const depth = m.aTranspose ? i.a.rows : i.a.cols;
  const rows = m.aTranspose ? i.a.cols : i.a.rows;
  const cols = m.bTranspose ? i.bd.rows : i.bd.cols;
  matmul(m, m.bufA, m.bufB, m.psum, rows, isGarbage(i.bd.addr) ? 0 : cols, depth);
  if (!isGarbage(p.c.addr)) {
    writeResult(m, p.c, m.psum, m.sysShift & 31);
    m.osResultTaken = true;
  }
}

export function mvin(i: InstrOf<'mvin'>, m: GemminiMachine): void {
  const slot = m.load[i.slot];
  const toAcc = isAcc(i.dst.addr);
  if (isGarbage(i.dst.addr)) fault('mvin into the garbage address');
  const blocks = toAcc ? m.maxBlocksAcc : m.maxBlocksSp;
  checkShape(m, i.dst, 'mvin destination', blocks * m.dim);
  const esize = toAcc && !slot.shrink ? 4 : 1;
  if (i.dst.cols * esize > m.maxTransferBytes) {
    fault(`mvin: a DRAM row of ${i.dst.cols * esize} bytes exceeds ${m.maxTransferBytes}`);
  }
  if (slot.pixelRepeats > 1 && (toAcc || i.dst.cols > m.dim)) {
    fault('mvin: pixel repeats need a scratchpad destination at most DIM columns wide');
  }
  const dim = m.dim;
  const nBlocks = Math.ceil(i.dst.cols / dim);
  const span = i.dst.rows === 0 ? 0 : (nBlocks - 1) * slot.blockStride + i.dst.rows;
  const base = baseRow(m, i.dst.addr, span, 'mvin destination');
  if (!m.functional) return;
  const dram = m.dram;
  for (let r = 0; r < i.dst.rows; r++) {
    const src = i.dram + r * slot.dramStride;
    if (i.dram !== 0) checkAccess(dram, src, i.dst.cols * esize);
    for (let c = 0; c < i.dst.cols; c++) {
      const row = base + Math.floor(c / dim) * slot.blockStride + r;
      const idx = row * dim + (c % dim);
      if (toAcc) {
        let v = 0;
        if (i.dram !== 0) {
          v = esize === 4 ? dram.view.getInt32(src + 4 * c, true) : dram.i8[src + c];
          if (esize === 1 && slot.scale !== 1) v = scaleToInt8(v, slot.scale);
        }
        if (isAccumulate(i.dst.addr)) {
          if (m.accWritten[idx] === 0)
            fault(`mvin accumulates into accumulator row ${row}, never written`);
          m.acc[idx] = (m.acc[idx] + v) | 0;
        } else {
          m.acc[idx] = v;
          m.accWritten[idx] = 1;
        }
      } else {
        let v = i.dram === 0 ? 0 : dram.i8[src + c];
        if (slot.scale !== 1 && i.dram !== 0) v = scaleToInt8(v, slot.scale);
        m.sp[idx] = v;
        m.spWritten[idx] = 1;
        writeRepeats(m, row, c % dim, i.dst.cols, slot.pixelRepeats, v);
      }
    }
  }
}

/** Pixel repeats: the row is also written to rows row-q, shifted right by q*cols (RTL: same half). */
function writeRepeats(
  m: GemminiMachine,
  row: number,
  col: number,
  cols: number,
  p: number,
  v: number,
): void {
  const half = m.spRows >> 1;
  for (let q = 1; q < p; q++) {
    const target = row - q;
    const shifted = col + q * cols;
    if (target < 0 || Math.floor(target / half) !== Math.floor(row / half) || shifted >= m.dim)
      continue;
    m.sp[target * m.dim + shifted] = v;
    m.spWritten[target * m.dim + shifted] = 1;
  }
}

export function mvout(i: InstrOf<'mvout'>, m: GemminiMachine): void {
  if (isGarbage(i.src.addr)) fault('mvout from the garbage address');
  if (m.stPoolStride !== 0) {
    pooledMvout(i, m);
    return;
  }
  const fromAcc = isAcc(i.src.addr);
  const full = fromAcc && isReadFull(i.src.addr);
  const esize = full ? 4 : 1;
  checkShape(m, i.src, 'mvout source', Math.floor(m.maxTransferBytes / esize));
  if (fromAcc && !full && m.stActivation > 1) {
    fault(`mvout activation ${activationNames[m.stActivation]} needs normalizations, absent here`);
  }
  const dim = m.dim;
  const nBlocks = Math.ceil(i.src.cols / dim);
  const span = i.src.rows === 0 ? 0 : (nBlocks - 1) * dim + i.src.rows;
  const base = baseRow(m, i.src.addr, span, 'mvout source');
  if (!m.functional) return;
  const dram = m.dram;
  const relu = m.stActivation === 1;
  for (let r = 0; r < i.src.rows; r++) {
    const dst = i.dram + r * m.stDramStride;
    checkAccess(dram, dst, i.src.cols * esize);
    for (let c = 0; c < i.src.cols; c++) {
      const row = base + Math.floor(c / dim) * dim + r;
      const idx = row * dim + (c % dim);
      const written = fromAcc ? m.accWritten : m.spWritten;
      if (written[idx] === 0) {
        fault(
          `mvout reads ${fromAcc ? 'accumulator' : 'scratchpad'} row ${row} column ${c % dim},` +
            ' never written',
        );
      }
      if (full) dram.view.setInt32(dst + 4 * c, m.acc[idx], true);
      else dram.i8[dst + c] = fromAcc ? accToInt8(m.acc[idx], relu, m.stScale) : m.sp[idx];
    }
  }
}

/**
 * A pooled mvout (ucb-bar/gemmini src/main/scala/gemmini/StoreController.scala, state `pooling`;
 * src/main/scala/gemmini/DMA.scala's StreamWriter; Scratchpad.scala's zeros for garbage rows):
 * for each output pixel (porow, pocol) and window position (wrow, wcol), the local row
 * (porow·stride + wrow − upad)·ocols + (pocol·stride + wcol − lpad) is read (scaled and activated
 * as any mvout), and the writer keeps the element-wise maximum of the window's rows, writing it to
 * DRAM at (porow·outDim + pocol)·dramStride after the window's last position. A position outside
 * the orows × ocols block reads the garbage address, whose data is all zeros: padding counts as 0,
 * not as the smallest value. One DIM-wide block only (the RTL asserts it).
 */
function pooledMvout(i: InstrOf<'mvout'>, m: GemminiMachine): void {
  const p = m.stPool;
  const fromAcc = isAcc(i.src.addr);
  if (fromAcc && isReadFull(i.src.addr)) fault('a pooled mvout cannot read full accumulator rows');
  if (i.src.cols > m.dim) fault(`pooled mvout: ${i.src.cols} columns exceed one block of ${m.dim}`);
  if (p.size === 0 || p.porows === 0 || p.pocols === 0) fault('pooled mvout with an empty pool');
  if (fromAcc && m.stActivation > 1) {
    fault(`mvout activation ${activationNames[m.stActivation]} needs normalizations, absent here`);
  }
  const base = baseRow(m, i.src.addr, p.orows * p.ocols, 'pooled mvout source');
  if (!m.functional) return;
  const relu = m.stActivation === 1;
  const written = fromAcc ? m.accWritten : m.spWritten;
  const best = new Int8Array(i.src.cols);
  for (let porow = 0; porow < p.porows; porow++) {
    for (let pocol = 0; pocol < p.pocols; pocol++) {
      for (let w = 0; w < p.size * p.size; w++) {
        const orow = porow * m.stPoolStride + Math.floor(w / p.size) - p.upad;
        const ocol = pocol * m.stPoolStride + (w % p.size) - p.lpad;
        const inside = orow >= 0 && ocol >= 0 && orow < p.orows && ocol < p.ocols;
        const row = base + orow * p.ocols + ocol;
        for (let c = 0; c < i.src.cols; c++) {
          const idx = row * m.dim + c;
          if (inside && written[idx] === 0) {
            fault(`pooled mvout reads local row ${row} column ${c}, never written`);
          }
          const v = !inside ? 0 : fromAcc ? accToInt8(m.acc[idx], relu, m.stScale) : m.sp[idx];
          best[c] = w === 0 || v > best[c] ? v : best[c];
        }
      }
      const dst = i.dram + (porow * p.outDim + pocol) * m.stDramStride;
      checkAccess(m.dram, dst, i.src.cols);
      m.dram.i8.set(best, dst);
    }
  }
}

export function configEx(i: InstrOf<'configEx'>, m: GemminiMachine): void {
  m.aStride = i.aStride;
  m.cStride = i.cStride;
  if (i.setOnlyStrides) return;
  if (i.dataflow === 0 && i.bTranspose && !i.aTranspose) {
    fault('output-stationary with only B transposed is illegal');
  }
  if (i.dataflow === 1 && i.aTranspose && i.bTranspose) {
    fault('weight-stationary with both A and B transposed is illegal');
  }
  if (i.activation > 1) fault(`activation ${activationNames[i.activation]} needs normalizations`);
  m.dataflow = i.dataflow;
  m.exActivation = i.activation;
  m.sysShift = i.sysShift;
  m.aTranspose = i.aTranspose;
  m.bTranspose = i.bTranspose;
  m.exAccScale = f32FromBits(i.accScaleBits);
  m.pendingPreload = null;
  m.osResultTaken = false;
}

export function configLd(i: InstrOf<'configLd'>, m: GemminiMachine): void {
  if (i.slot > 2) fault(`load slot ${i.slot} does not exist (0, 1 and 2 do)`);
  const s = m.load[i.slot];
  s.shrink = i.shrink;
  s.pixelRepeats = i.pixelRepeats === 0 ? 1 : i.pixelRepeats;
  s.blockStride = i.blockStride;
  s.scale = f32FromBits(i.scaleBits);
  s.dramStride = i.dramStride;
}

export function configSt(i: InstrOf<'configSt'>, m: GemminiMachine): void {
  m.stActivation = i.activation;
  m.stPoolStride = i.poolStride;
  if (i.poolStride === 0 && i.poolSize !== 0) {
    fault('a 1-D mvout (CONFIG_ST pool size without a pool stride) is not simulated');
  }
  if (i.poolStride !== 0) {
    const { poolSize: size, poolOutDim: outDim, porows, pocols, orows, ocols, upad, lpad } = i;
    m.stPool = { size, outDim, porows, pocols, orows, ocols, upad, lpad };
  }
  m.stDramStride = i.dramStride;
  if (i.scaleBits >>> 0 !== 0xffff_ffff) m.stScale = f32FromBits(i.scaleBits);
}

/** The semantics of an instruction the simulator refuses: a fault naming it and why. */
export function unsupported(what: string): (i: Instr, m: GemminiMachine) => void {
  return () => fault(what);
}

export function preload(i: InstrOf<'preload'>, m: GemminiMachine): void {
  if (m.pendingPreload !== null) fault('PRELOAD while another PRELOAD waits for its COMPUTE');
  m.pendingPreload = i;
}

export function compute(i: InstrOf<'compute'>, m: GemminiMachine): void {
  if (m.dataflow === 1) computeWs(i, m);
  else computeOs(i, m);
}

export function rtlOnly(i: InstrOf<'rtlOnly'>): void {
  fault(`funct ${i.funct} exists only in newer RTL and is not simulated`);
}

/** FLUSH and COUNTER change nothing the simulator models. */
export function noEffect(): void {
  // Nothing to do.
}
