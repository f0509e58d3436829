import {
  decodeFields,
  encodeFields,
  flag,
  int,
  packedFields,
  uint,
  wideBits,
  type FieldDecls,
} from '../../contract/isa.js';
import { memoryRows, type Spec } from '../../spec/spec.js';

/**
 * VTA's instructions (docs/vta.md §3) as plain records, one field list per kind after the common header
 * (opcode and the four dependency flags), and as bits. DRAM addresses and SRAM bases count entries of
 * the buffer `memType` names. The lists drive the record types and the bit layouts; isa.ts declares
 * each kind from them.
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
/** Every field of a kind's records: the dependency flags, then its own. */
export const fieldsOf = (kind: Kind): readonly string[] => [...deps, ...fieldLists[kind]];
/** Fields that are booleans in the records and single bits in the words. */
export const flagFields: ReadonlySet<string> = new Set([...deps, 'reset', 'useImm']);
type Fields<L extends readonly string[]> = {
  readonly [K in L[number] | (typeof deps)[number]]: K extends Flag ? boolean : number;
};
type Lists = typeof fieldLists;
export type Kind = keyof Lists;
export type Instr = { [K in Kind]: { readonly kind: K } & Fields<Lists[K]> }[Kind];
export type InstrOf<K extends Kind> = Extract<Instr, { kind: K }>;

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

/** A micro-op as its 32-bit word: dst (ACC index), src (INP or ACC index), wgt (WGT index). */
export type Uop = { readonly [F in 'dst' | 'src' | 'wgt']: number };

/** The configuration's sizes and every bit layout, derived from a spec (nothing hard-coded). */
export interface VtaConfig {
  readonly block: number;
  /** Entries of each buffer. */
  readonly depth: Depths;
  readonly insn: { readonly [K in Kind]: readonly BitField[] };
  /** Each kind's fields (all but the opcode) as the shared codec reads them. */
  readonly fields: { readonly [K in Kind]: FieldDecls<InstrOf<K>> };
  readonly uop: readonly BitField[];
  readonly uopFields: FieldDecls<Uop>;
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

/** Fields packed as 64-bit C bit-fields (docs/vta.md §3.1); `imm` is the one signed field. */
function place(names: readonly string[], w: Readonly<Record<string, number>>): BitField[] {
  return packedFields(names, w).map((f) => ({ ...f, signed: f.name === 'imm' }));
}

/** The placed fields of a record (the opcode aside) as the shared codec's declarations. */
function fieldDecls<T>(fields: readonly BitField[]): FieldDecls<T> {
  const decls = fields
    .filter((f) => f.name !== 'opcode')
    .map((f) => {
      const { reg, hi, lo } = wideBits(f.lo, f.bits);
      if (flagFields.has(f.name)) return [f.name, flag(reg, lo)] as const;
      return [f.name, f.signed ? int(reg, hi, lo) : uint(reg, hi, lo)] as const;
    });
  // Every field of T is in the list, placed with its type (fieldLists and flagFields).
  return Object.fromEntries(decls) as FieldDecls<T>;
}

const buffers = ['inp', 'wgt', 'acc', 'uop'] as const;

export function vtaConfig(spec: Spec): VtaConfig {
  const depth = Object.fromEntries(buffers.map((b) => [b, memoryRows(spec.memories[b])])) as Depths;
  const w = widths(Object.fromEntries(buffers.map((b) => [b, Math.log2(depth[b])])) as Depths);
  const insn = {
    load: place(['opcode', ...fieldsOf('load')], w),
    store: place(['opcode', ...fieldsOf('store')], w),
    gemm: place(['opcode', ...fieldsOf('gemm')], w),
    alu: place(['opcode', ...fieldsOf('alu')], w),
    finish: place(['opcode', ...fieldsOf('finish')], w),
  };
  const uop = place(['dst', 'src', 'wgt'], w);
  const fields = {
    load: fieldDecls<InstrOf<'load'>>(insn.load),
    store: fieldDecls<InstrOf<'store'>>(insn.store),
    gemm: fieldDecls<InstrOf<'gemm'>>(insn.gemm),
    alu: fieldDecls<InstrOf<'alu'>>(insn.alu),
    finish: fieldDecls<InstrOf<'finish'>>(insn.finish),
  };
  return { block: spec.array.rows, depth, insn, fields, uop, uopFields: fieldDecls<Uop>(uop) };
}

export function encodeUop(cfg: VtaConfig, u: Uop): number {
  return Number(encodeFields(cfg.uopFields, u, 'encode uop').rs1);
}

export function decodeUop(cfg: VtaConfig, word: number): Uop {
  return decodeFields(cfg.uopFields, BigInt(word >>> 0));
}
