import { InternalError } from '../../errors.js';
import type { Encoded, InstrEncoding } from '../../contract/isa.js';
import { memoryRows, type Spec } from '../../spec/spec.js';

/**
 * VTA's instructions (docs/vta.md §3) as plain records, one field list per kind after the common header
 * (opcode and the four dependency flags), and as bits. DRAM addresses and SRAM bases count entries of
 * the buffer `memType` names. The lists drive the record types, the bit layouts and the codecs.
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

const buffers = ['inp', 'wgt', 'acc', 'uop'] as const;

export function vtaConfig(spec: Spec): VtaConfig {
  const depth = Object.fromEntries(buffers.map((b) => [b, memoryRows(spec.memories[b])])) as Depths;
  const w = widths(Object.fromEntries(buffers.map((b) => [b, Math.log2(depth[b])])) as Depths);
  const layout = (k: Kind): BitField[] => place(['opcode', ...fieldsOf(k)], w);
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

function fieldValue(f: BitField, value: number | boolean): bigint {
  const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  const lo = f.signed ? -(2 ** (f.bits - 1)) : 0;
  const hi = f.signed ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1;
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new InternalError(`VTA field ${f.name} must be an integer in [${lo}, ${hi}] (got ${v})`);
  }
  return BigInt.asUintN(f.bits, BigInt(v));
}

type Values = Record<string, number | boolean>;

/** Packs named values into a little-endian bit string of the given fields. */
function packBits(fields: readonly BitField[], values: Values): bigint {
  let word = 0n;
  for (const f of fields) word |= fieldValue(f, values[f.name]) << BigInt(f.lo);
  return word;
}

/** Unpacks fields; flags become booleans. */
function unpackBits(fields: readonly BitField[], word: bigint): Values {
  const out: Values = {};
  for (const f of fields) {
    const raw = (word >> BigInt(f.lo)) & ((1n << BigInt(f.bits)) - 1n);
    const v = Number(f.signed ? BigInt.asIntN(f.bits, raw) : raw);
    out[f.name] = flagFields.has(f.name) ? v === 1 : v;
  }
  return out;
}

const mask64 = (1n << 64n) - 1n;

/**
 * VTA's 128-bit instructions from the bit layouts of a configuration. An `Encoded` word carries the
 * opcode as its funct and the instruction's two little-endian 64-bit halves: rs1 = bits 63:0, rs2 =
 * bits 127:64. Every field is checked against its width; unused bits are 0.
 */
export function encoding<K extends Kind>(cfg: VtaConfig, kind: K): InstrEncoding<InstrOf<K>> {
  const fields = cfg.insn[kind];
  const used = fields.reduce((m, f) => m | (((1n << BigInt(f.bits)) - 1n) << BigInt(f.lo)), 0n);
  return {
    functs: [opcodes[kind]],
    encode(instr) {
      const word = packBits(fields, { ...instr, opcode: opcodes[kind] } as never);
      return { funct: opcodes[kind], rs1: word & mask64, rs2: word >> 64n };
    },
    decode(w: Encoded) {
      const word = (w.rs2 << 64n) | w.rs1;
      if ((word & ~used) !== 0n) return undefined;
      const { opcode, ...rest } = unpackBits(fields, word);
      if (opcode !== opcodes[kind] || w.funct !== opcodes[kind]) return undefined;
      return { kind, ...rest } as unknown as InstrOf<K>;
    },
    format: formatInstr,
  };
}

/** One line for errors and traces: the kind, then every non-zero field. */
export function formatInstr(instr: { readonly kind: string }): string {
  const { kind, ...rest } = instr as Record<string, unknown>;
  const parts = Object.entries(rest)
    .filter(([, v]) => v !== false && v !== 0)
    .map(([n, v]) => (v === true ? n : `${n}=${String(v)}`));
  return [kind, ...parts].join(' ');
}

/** A micro-op as its 32-bit word: dst (ACC index), src (INP or ACC index), wgt (WGT index). */
export type Uop = { readonly [F in 'dst' | 'src' | 'wgt']: number };

export function encodeUop(cfg: VtaConfig, u: Uop): number {
  return Number(packBits(cfg.uop, { ...u }));
}

export function decodeUop(cfg: VtaConfig, word: number): Uop {
  return unpackBits(cfg.uop, BigInt(word >>> 0)) as unknown as Uop;
}
