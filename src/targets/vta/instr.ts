import { memoryRows, type Spec } from '../../target/spec.js';

/**
 * VTA's instructions as plain records (VTA.md §3), one field list per kind after the common header
 * (opcode and the four dependency flags). DRAM addresses and SRAM bases count entries of the buffer
 * `memType` names. The lists drive both the record types and the bit layouts.
 */
const deps = ['popPrev', 'popNext', 'pushPrev', 'pushNext'] as const;
const mem = [
  ...['memType', 'sramBase', 'dramBase', 'ySize', 'xSize', 'xStride'],
  ...['yPad0', 'yPad1', 'xPad0', 'xPad1'],
] as const;
const loops = ['reset', 'uopBgn', 'uopEnd', 'iterOut', 'iterIn'] as const;
export const fieldLists = {
  load: mem,
  store: mem,
  gemm: [...loops, 'accOut', 'accIn', 'inpOut', 'inpIn', 'wgtOut', 'wgtIn'],
  alu: [...loops, 'dstOut', 'dstIn', 'srcOut', 'srcIn', 'aluOp', 'useImm', 'imm'],
  finish: [],
} as const;
type Flag = (typeof deps)[number] | 'reset' | 'useImm';
/** Fields that are booleans in the records and single bits in the words. */
export const flagFields: ReadonlySet<string> = new Set([...deps, 'reset', 'useImm']);
type Fields<L extends readonly string[]> = {
  readonly [K in L[number] | (typeof deps)[number]]: K extends Flag ? boolean : number;
};
type Lists = typeof fieldLists;
export type Kind = keyof Lists;
export type Instr = { [K in Kind]: { readonly kind: K } & Fields<Lists[K]> }[Kind];
export type InstrOf<K extends Kind> = Extract<Instr, { kind: K }>;

export const opcodes: { readonly [K in Kind]: number } = {
  load: 0,
  store: 1,
  gemm: 2,
  finish: 3,
  alu: 4,
};
/** Memory ids (memory_type) and ALU opcodes. */
export const Mem = { uop: 0, wgt: 1, inp: 2, acc: 3, out: 4, acc8: 5 } as const;
export const Alu = { min: 0, max: 1, add: 2, shr: 3, mul: 4 } as const;

/** One field of a word: bits [lo, lo + bits); `signed` fields are two's complement. */
export interface BitField {
  readonly name: string;
  readonly lo: number;
  readonly bits: number;
  readonly signed: boolean;
}

export type Depths = { readonly [B in 'inp' | 'wgt' | 'acc' | 'uop']: number };

/** The configuration's sizes and every bit layout, derived from a spec (nothing hard-coded). */
export interface VtaConfig {
  readonly block: number;
  /** Entries of each buffer. */
  readonly depth: Depths;
  readonly insn: { readonly [K in Kind]: readonly BitField[] };
  readonly uop: readonly BitField[];
}

/** Field widths: fixed ones (hw_spec.h), and index and loop-factor widths of log2(buffer depth). */
function widths(l: Depths): Readonly<Record<string, number>> {
  return {
    opcode: 3,
    ...{ memType: 3, sramBase: 16, dramBase: 32, ySize: 16, xSize: 16, xStride: 16 },
    ...{ yPad0: 4, yPad1: 4, xPad0: 4, xPad1: 4, iterOut: 14, iterIn: 14 },
    ...{ uopBgn: l.uop, uopEnd: l.uop + 1, aluOp: 3, imm: 16 },
    ...{ accOut: l.acc, accIn: l.acc, dstOut: l.acc, dstIn: l.acc, dst: l.acc },
    // ALU sources index ACC; a micro-op's src serves both (hw_spec.h: VTAAluInsn, VTAUop).
    ...{ inpOut: l.inp, inpIn: l.inp, srcOut: l.acc, srcIn: l.acc, src: Math.max(l.inp, l.acc) },
    ...{ wgtOut: l.wgt, wgtIn: l.wgt, wgt: l.wgt },
  };
}

/**
 * Places fields one after another from bit 0, as 64-bit C bit-fields pack: a field that would
 * straddle bit 64 starts at bit 64. Fields without a width are 1-bit flags.
 */
export function place(names: readonly string[], w: Readonly<Record<string, number>>): BitField[] {
  let at = 0;
  return names.map((name) => {
    const bits = w[name] ?? 1;
    if (at < 64 && at + bits > 64) at = 64;
    at += bits;
    return { name, lo: at - bits, bits, signed: name === 'imm' };
  });
}

export function vtaConfig(spec: Spec): VtaConfig {
  const depth = {
    inp: memoryRows(spec.memories.inp),
    wgt: memoryRows(spec.memories.wgt),
    acc: memoryRows(spec.memories.acc),
    uop: memoryRows(spec.memories.uop),
  };
  const w = widths({
    inp: Math.log2(depth.inp),
    wgt: Math.log2(depth.wgt),
    acc: Math.log2(depth.acc),
    uop: Math.log2(depth.uop),
  });
  const layout = (k: Kind): BitField[] => place(['opcode', ...deps, ...fieldLists[k]], w);
  return {
    block: spec.array.rows,
    depth,
    insn: {
      load: layout('load'),
      store: layout('store'),
      gemm: layout('gemm'),
      alu: layout('alu'),
      finish: layout('finish'),
    },
    uop: place(['dst', 'src', 'wgt'], w),
  };
}
