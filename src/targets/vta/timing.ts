import { addRead, addWrite, Unit, type TimingDesc } from '../../sim/timing_desc.js';
import { Mem, type Instr } from './instr.js';
import { moduleOf, type VtaMachine } from './machine.js';

/**
 * What each VTA instruction costs the timing engine (docs/vta.md §6). Load, compute and store are the
 * engine's load, execute and store units; the buffer entries an instruction touches are its row
 * ranges, so the engine's row dependencies stand for the RAW and WAR hazards the tokens protect.
 * GEMM: one micro-op iteration a cycle plus a pipeline fill per (outer, inner) pass; ALU: 2 cycles a
 * micro-op iteration; DMA: one burst per row, a cycle per padding entry, plus the DRAM latency.
 */

/** The engine's unit of each module (load, compute, store). */
const unitOf = [Unit.load, Unit.execute, Unit.store];

export function vtaTiming(i: Instr, m: VtaMachine, d: TimingDesc): void {
  /** Entries [lo, hi) of a memory type, clipped to the buffer (a bad range faults in `execute`). */
  const touch = (add: typeof addRead, t: number, lo: number, hi: number): void =>
    add(d, m.memOf[t], Math.min(lo, m.depthOf[t]), Math.min(hi, m.depthOf[t]));
  if (i.kind === 'finish') return;
  d.unit = unitOf[moduleOf(i)];
  if (i.kind === 'load' || i.kind === 'store') {
    if (i.xSize === 0) return;
    const entries = (i.xPad0 + i.xSize + i.xPad1) * (i.yPad0 + i.ySize + i.yPad1);
    const bytes = i.xSize * i.ySize * (m.bytesOf[i.memType] ?? 0);
    d.occupancy = i.ySize + entries - i.xSize * i.ySize;
    d.latency = m.dramLatency;
    if (i.kind === 'store') d.dramWriteBytes = bytes;
    else d.dramReadBytes = bytes;
    touch(i.kind === 'store' ? addRead : addWrite, i.memType, i.sramBase, i.sramBase + entries);
    return;
  }
  const n = i.uopEnd - i.uopBgn;
  const passes = i.iterOut * i.iterIn;
  if (n <= 0 || passes === 0) return;
  /** The entries a loop operand reaches: its uops' indices plus the loop factors. */
  const reach = (add: typeof addRead, t: number, idx: Int32Array, out: number, inn: number) => {
    const used = idx.subarray(i.uopBgn, i.uopEnd);
    const hi = Math.max(...used) + (i.iterOut - 1) * out + (i.iterIn - 1) * inn + 1;
    touch(add, t, Math.min(...used), hi);
  };
  touch(addRead, Mem.uop, i.uopBgn, i.uopEnd);
  if (i.kind === 'alu') {
    d.occupancy = 2 * passes * n;
    reach(addWrite, Mem.acc, m.uopDst, i.dstOut, i.dstIn);
    reach(addRead, Mem.acc, m.uopDst, i.dstOut, i.dstIn);
    if (!i.useImm) reach(addRead, Mem.acc, m.uopSrc, i.srcOut, i.srcIn);
    return;
  }
  d.occupancy = passes * (n + m.gemmFill);
  reach(addWrite, Mem.acc, m.uopDst, i.accOut, i.accIn);
  if (i.reset) return;
  d.macs = passes * n * m.cfg.block ** 2;
  reach(addRead, Mem.inp, m.uopSrc, i.inpOut, i.inpIn);
  reach(addRead, Mem.wgt, m.uopWgt, i.wgtOut, i.wgtIn);
}
