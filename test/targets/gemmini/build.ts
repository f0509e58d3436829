import { f32Bits } from '../../../src/numeric/numeric.js';
import type { Instr, InstrOf, Operand } from '../../../src/targets/gemmini/instr.js';

/** Short constructors for hand-written Gemmini instruction streams in tests. */
export const op = (addr: number, rows: number, cols: number): Operand => ({ addr, rows, cols });

export function configEx(p: Partial<Omit<InstrOf<'configEx'>, 'kind'>> = {}): Instr {
  return {
    kind: 'configEx',
    dataflow: 1,
    activation: 0,
    setOnlyStrides: false,
    aTranspose: false,
    bTranspose: false,
    aStride: 1,
    accScaleBits: f32Bits(1),
    sysShift: 0,
    cStride: 1,
    ...p,
  };
}

export function configLd(
  slot: number,
  dramStride: number,
  p: Partial<InstrOf<'configLd'>> = {},
): Instr {
  return {
    kind: 'configLd',
    shrink: false,
    slot,
    pixelRepeats: 1,
    blockStride: 16,
    scaleBits: f32Bits(1),
    dramStride,
    ...p,
  };
}

export function configSt(dramStride: number, p: Partial<InstrOf<'configSt'>> = {}): Instr {
  return {
    kind: 'configSt',
    activation: 0,
    poolStride: 0,
    poolSize: 0,
    upad: 0,
    lpad: 0,
    poolOutDim: 0,
    porows: 0,
    pocols: 0,
    orows: 0,
    ocols: 0,
    dramStride,
    scaleBits: f32Bits(1),
    ...p,
  };
}

export const mvin = (slot: 0 | 1 | 2, dram: number, dst: Operand): Instr => ({
  kind: 'mvin',
  slot,
  dram,
  dst,
});
export const mvout = (dram: number, src: Operand): Instr => ({ kind: 'mvout', dram, src });
export const preload = (bd: Operand, c: Operand): Instr => ({ kind: 'preload', bd, c });
export const compute = (accumulated: boolean, a: Operand, bd: Operand): Instr => ({
  kind: 'compute',
  accumulated,
  a,
  bd,
});
