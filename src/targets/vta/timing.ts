import { addRead, addWrite, Unit, type TimingDesc } from '../../sim/timing_desc.js';
import { Mem, type InstrOf } from './instr.js';
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

type AddRange = typeof addRead;

/** Entries [lo, hi) of a memory type, clipped to the buffer (a bad range faults in `execute`). */
function touch(m: VtaMachine, d: TimingDesc, add: AddRange, t: number, lo: number, hi: number) {
  add(d, m.memOf[t], Math.min(lo, m.depthOf[t]), Math.min(hi, m.depthOf[t]));
}

/** LOAD and STORE. */
export function dma(i: InstrOf<'load' | 'store'>, m: VtaMachine, d: TimingDesc): void {
  d.unit = unitOf[moduleOf(i)];
  if (i.xSize === 0) return;
  const entries = (i.xPad0 + i.xSize + i.xPad1) * (i.yPad0 + i.ySize + i.yPad1);
  const bytes = i.xSize * i.ySize * (m.bytesOf[i.memType] ?? 0);
  d.occupancy = i.ySize + entries - i.xSize * i.ySize;
  d.latency = m.dramLatency;
  if (i.kind === 'store') d.dramWriteBytes = bytes;
  else d.dramReadBytes = bytes;
  const add = i.kind === 'store' ? addRead : addWrite;
  touch(m, d, add, i.memType, i.sramBase, i.sramBase + entries);
}

/** A GEMM or ALU operand: its memory type, its micro-ops' indices and the two loop factors. */
type LoopOperand = readonly [mem: number, index: Int32Array, outer: number, inner: number];

/** The entries an operand reaches: its micro-ops' indices plus the loop factors. */
function reach(
  i: InstrOf<'gemm' | 'alu'>,
  m: VtaMachine,
  d: TimingDesc,
  add: AddRange,
  o: LoopOperand,
) {
  const [mem, index, outer, inner] = o;
  const used = index.subarray(i.uopBgn, i.uopEnd);
  const hi = Math.max(...used) + (i.iterOut - 1) * outer + (i.iterIn - 1) * inner + 1;
  touch(m, d, add, mem, Math.min(...used), hi);
}

/** The micro-op iterations of a GEMM or ALU (0: it does nothing), after reading its micro-ops. */
function iterations(i: InstrOf<'gemm' | 'alu'>, m: VtaMachine, d: TimingDesc): number {
  d.unit = Unit.execute;
  const passes = i.iterOut * i.iterIn;
  if (i.uopEnd - i.uopBgn <= 0 || passes === 0) return 0;
  touch(m, d, addRead, Mem.uop, i.uopBgn, i.uopEnd);
  return passes;
}

export function gemm(i: InstrOf<'gemm'>, m: VtaMachine, d: TimingDesc): void {
  const passes = iterations(i, m, d);
  if (passes === 0) return;
  const n = i.uopEnd - i.uopBgn;
  d.occupancy = passes * (n + m.gemmFill);
  reach(i, m, d, addWrite, [Mem.acc, m.uopDst, i.accOut, i.accIn]);
  if (i.reset) return;
  d.macs = passes * n * m.cfg.block ** 2;
  reach(i, m, d, addRead, [Mem.inp, m.uopSrc, i.inpOut, i.inpIn]);
  reach(i, m, d, addRead, [Mem.wgt, m.uopWgt, i.wgtOut, i.wgtIn]);
}

export function alu(i: InstrOf<'alu'>, m: VtaMachine, d: TimingDesc): void {
  const passes = iterations(i, m, d);
  if (passes === 0) return;
  d.occupancy = 2 * passes * (i.uopEnd - i.uopBgn);
  const dst = [Mem.acc, m.uopDst, i.dstOut, i.dstIn] as const;
  reach(i, m, d, addWrite, dst);
  reach(i, m, d, addRead, dst);
  if (!i.useImm) reach(i, m, d, addRead, [Mem.acc, m.uopSrc, i.srcOut, i.srcIn]);
}

/** FINISH completes at issue. */
export function none(): void {
  // Nothing to add to the reset descriptor.
}
