import { addRead, addWrite, Unit, type TimingDesc } from '../../sim/timing_desc.js';
import { Mem, type Instr, type InstrOf } from './instr.js';
import { Module, moduleOf, type VtaMachine } from './machine.js';

/**
 * What each VTA instruction costs the timing engine (VTA.md §6). Load, compute and store are the
 * engine's load, execute and store units; the buffer entries an instruction touches are its row
 * ranges, so the engine's row dependencies stand for the RAW and WAR hazards the tokens protect.
 * GEMM: one micro-op iteration a cycle plus a pipeline fill per (outer, inner) pass; ALU: 2 cycles a
 * micro-op iteration; DMA: one burst per row, a cycle per padding entry, plus the DRAM latency.
 */

/** Entries [lo, hi) of a memory type, clipped to the buffer (a bad range faults in `execute`). */
function touch(
  d: TimingDesc,
  add: typeof addRead,
  m: VtaMachine,
  t: number,
  lo: number,
  hi: number,
): void {
  const depth = m.depthOf[t];
  add(d, m.memOf[t], Math.min(lo, depth), Math.min(hi, depth));
}

/** The entries a loop operand reaches: its uops' indices plus the loop factors. */
function reach(
  d: TimingDesc,
  add: typeof addRead,
  m: VtaMachine,
  t: number,
  [idx, out, inn]: readonly [Int32Array, number, number],
  i: InstrOf<'gemm' | 'alu'>,
): void {
  let lo = Infinity;
  let hi = -1;
  for (let u = i.uopBgn; u < i.uopEnd; u++) {
    lo = Math.min(lo, idx[u]);
    hi = Math.max(hi, idx[u]);
  }
  touch(d, add, m, t, lo, hi + (i.iterOut - 1) * out + (i.iterIn - 1) * inn + 1);
}

export function vtaTiming(i: Instr, m: VtaMachine, d: TimingDesc): void {
  if (i.kind === 'finish') return;
  if (i.kind === 'load' || i.kind === 'store') {
    d.unit =
      i.kind === 'store' ? Unit.store : moduleOf(i) === Module.load ? Unit.load : Unit.execute;
    if (i.xSize === 0) return;
    const xt = i.xPad0 + i.xSize + i.xPad1;
    const yt = i.yPad0 + i.ySize + i.yPad1;
    const bytes = i.xSize * i.ySize * (m.bytesOf[i.memType] ?? 0);
    d.occupancy = i.ySize + xt * yt - i.xSize * i.ySize;
    d.latency = m.dramLatency;
    if (i.kind === 'store') d.dramWriteBytes = bytes;
    else d.dramReadBytes = bytes;
    touch(
      d,
      i.kind === 'store' ? addRead : addWrite,
      m,
      i.memType,
      i.sramBase,
      i.sramBase + xt * yt,
    );
    return;
  }
  d.unit = Unit.execute;
  const n = i.uopEnd - i.uopBgn;
  const passes = i.iterOut * i.iterIn;
  if (n <= 0 || passes === 0) return;
  touch(d, addRead, m, Mem.uop, i.uopBgn, i.uopEnd);
  if (i.kind === 'alu') {
    d.occupancy = 2 * passes * n;
    const dst = [m.uopDst, i.dstOut, i.dstIn] as const;
    reach(d, addWrite, m, Mem.acc, dst, i);
    reach(d, addRead, m, Mem.acc, dst, i);
    if (!i.useImm) reach(d, addRead, m, Mem.acc, [m.uopSrc, i.srcOut, i.srcIn], i);
    return;
  }
  d.occupancy = passes * (n + m.gemmFill);
  reach(d, addWrite, m, Mem.acc, [m.uopDst, i.accOut, i.accIn], i);
  if (i.reset) return;
  d.macs = passes * n * m.cfg.block ** 2;
  reach(d, addRead, m, Mem.inp, [m.uopSrc, i.inpOut, i.inpIn], i);
  reach(d, addRead, m, Mem.wgt, [m.uopWgt, i.wgtOut, i.wgtIn], i);
}
