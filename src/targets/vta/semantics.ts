import { checkAccess } from '../../sim/dram.js';
import { fault } from '../../sim/fault.js';
import { Alu, decodeUop, Mem, type InstrOf } from './instr.js';
import type { VtaMachine } from './machine.js';

/**
 * What each instruction does to VTA's buffers and DRAM, bit-exact to fsim (docs/vta.md §3): LOAD with zero
 * padding into a packed SRAM block, STORE truncating ACC to int8, GEMM (reset or wrapping int32
 * multiply-accumulate) and ALU over two hardware loops of micro-ops. Out-of-range indices fault.
 */

/** Copies DRAM row `addr` into entries [first, first + n) of a buffer (n = 0 with addr < 0: zeros). */
function fillEntries(m: VtaMachine, memType: number, first: number, n: number, addr: number): void {
  const b = m.cfg.block;
  const d = m.dram;
  if (memType === Mem.uop) {
    for (let k = 0; k < n; k++) {
      const u = decodeUop(m.cfg, addr < 0 ? 0 : d.view.getUint32(addr + 4 * k, true));
      m.uopDst[first + k] = u.dst;
      m.uopSrc[first + k] = u.src;
      m.uopWgt[first + k] = u.wgt;
    }
  } else if (memType === Mem.inp || memType === Mem.wgt) {
    const lanes = memType === Mem.inp ? b : b * b;
    const buf = memType === Mem.inp ? m.inp : m.wgt;
    if (addr < 0) buf.fill(0, first * lanes, (first + n) * lanes);
    else buf.set(d.i8.subarray(addr, addr + n * lanes), first * lanes);
  } else {
    for (let k = 0; k < n * b; k++) {
      m.acc[first * b + k] =
        addr < 0 ? 0 : memType === Mem.acc ? d.view.getInt32(addr + 4 * k, true) : d.i8[addr + k];
    }
  }
}

export function load(i: InstrOf<'load'>, m: VtaMachine): void {
  if (i.xSize === 0) return;
  const E = m.bytesOf[i.memType] ?? fault(`memory type ${i.memType} does not exist`);
  if (i.memType === Mem.out) fault('LOAD cannot write OUT');
  const xt = i.xPad0 + i.xSize + i.xPad1;
  const yt = i.yPad0 + i.ySize + i.yPad1;
  const depth = m.depthOf[i.memType];
  if (i.sramBase + xt * yt > depth)
    fault(`LOAD writes entries up to ${i.sramBase + xt * yt} of ${depth}`);
  if (i.memType !== Mem.uop && !m.functional) return;
  for (let r = 0; r < yt; r++) {
    const row = i.sramBase + r * xt;
    if (r < i.yPad0 || r >= i.yPad0 + i.ySize) {
      fillEntries(m, i.memType, row, xt, -1);
      continue;
    }
    const addr = (i.dramBase + (r - i.yPad0) * i.xStride) * E;
    checkAccess(m.dram, addr, i.xSize * E);
    fillEntries(m, i.memType, row, i.xPad0, -1);
    fillEntries(m, i.memType, row + i.xPad0, i.xSize, addr);
    fillEntries(m, i.memType, row + i.xPad0 + i.xSize, i.xPad1, -1);
  }
}

export function store(i: InstrOf<'store'>, m: VtaMachine): void {
  if (i.memType !== Mem.out) fault(`STORE must read OUT (memory type 4), got ${i.memType}`);
  if (i.yPad0 + i.yPad1 + i.xPad0 + i.xPad1 !== 0) fault('STORE cannot pad');
  if (i.sramBase + i.ySize * i.xSize > m.cfg.depth.acc) fault('STORE reads past the ACC buffer');
  if (!m.functional) return;
  const b = m.cfg.block;
  for (let y = 0; y < i.ySize; y++) {
    const addr = (i.dramBase + y * i.xStride) * b;
    checkAccess(m.dram, addr, i.xSize * b);
    const src = (i.sramBase + y * i.xSize) * b;
    // Int8Array stores keep the low 8 bits: truncation, not saturation.
    for (let k = 0; k < i.xSize * b; k++) m.dram.i8[addr + k] = m.acc[src + k];
  }
}

function at(what: string, index: number, depth: number): number {
  return index < depth ? index : fault(`${what} index ${index} is outside its ${depth} entries`);
}

/**
 * The first micro-op of [bgn, end) that writes the ACC entry one of the two before it writes, or -1.
 * The HLS design runs each pass over the uops pipelined at II=1 and tells the tool that ACC carries no
 * dependence between iterations (vta.cc: HLS DEPENDENCE acc_mem inter false), so such a uop reads
 * the entry before the earlier write lands: an update is lost, nothing stalls. The TVM runtime
 * refuses these kernels (runtime.cc, UopKernel::VerifyDep: dst differs from the previous two).
 */
export function hazard(dst: Int32Array, bgn: number, end: number): number {
  for (let u = bgn + 1; u < end; u++) {
    if (dst[u] === dst[u - 1] || (u - 2 >= bgn && dst[u] === dst[u - 2])) return u;
  }
  return -1;
}

/** GEMM and ALU: for y < iterOut, x < iterIn, u in [uopBgn, uopEnd): the uop's indices + factors. */
export function loops(i: InstrOf<'gemm' | 'alu'>, m: VtaMachine): void {
  const d = m.cfg.depth;
  if (i.uopBgn > i.uopEnd || i.uopEnd > d.uop) {
    fault(`micro-ops [${i.uopBgn}, ${i.uopEnd}) are outside the ${d.uop}-entry buffer`);
  }
  if (i.kind === 'alu' && i.aluOp > Alu.mul) fault(`ALU opcode ${i.aluOp} does not exist`);
  const h = hazard(m.uopDst, i.uopBgn, i.uopEnd);
  if (h >= 0)
    fault(`ACC hazard: micro-op ${h} writes ACC entry ${m.uopDst[h]}, as one of the 2 before it`);
  if (!m.functional) return;
  const b = m.cfg.block;
  const { acc, inp, wgt } = m;
  const g = i.kind === 'gemm';
  const [fo, fi] = g ? [i.accOut, i.accIn] : [i.dstOut, i.dstIn];
  const [so, si] = g ? [i.inpOut, i.inpIn] : [i.srcOut, i.srcIn];
  for (let y = 0; y < i.iterOut; y++)
    for (let x = 0; x < i.iterIn; x++)
      for (let u = i.uopBgn; u < i.uopEnd; u++) {
        const a = at('ACC', m.uopDst[u] + y * fo + x * fi, d.acc) * b;
        const srcIndex = m.uopSrc[u] + y * so + x * si;
        if (!g) {
          const s = i.useImm ? 0 : at('ACC', srcIndex, d.acc) * b;
          for (let l = 0; l < b; l++)
            acc[a + l] = aluOp(i.aluOp, acc[a + l], i.useImm ? i.imm : acc[s + l]);
        } else if (i.reset) acc.fill(0, a, a + b);
        else {
          const s = at('INP', srcIndex, d.inp) * b;
          const w = at('WGT', m.uopWgt[u] + y * i.wgtOut + x * i.wgtIn, d.wgt) * b * b;
          for (let o = 0; o < b; o++) {
            let sum = 0;
            for (let k = 0; k < b; k++) sum += inp[s + k] * wgt[w + o * b + k];
            acc[a + o] = (acc[a + o] + sum) | 0;
          }
        }
      }
}

/** f(x, y) of an ALU opcode on int32 lanes (docs/vta.md §3). */
export function aluOp(op: number, x: number, y: number): number {
  switch (op) {
    case Alu.min:
      return x < y ? x : y;
    case Alu.max:
      return x > y ? x : y;
    case Alu.add:
      return (x + y) | 0;
    case Alu.shr:
      if (y >= 32 || y <= -32) fault(`SHR by ${y} is undefined`);
      return y >= 0 ? x >> y : x << -y;
    default:
      return Math.imul(x, y);
  }
}

/** FINISH ends the stream: nothing may run after it (fsim stops there). */
export function finish(_i: InstrOf<'finish'>, m: VtaMachine): void {
  m.finished = true;
}
