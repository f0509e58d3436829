import { InternalError } from '../../errors.js';
import type { Encoded, InstrEncoding } from '../../target/isa.js';
import {
  flagFields,
  opcodes,
  type BitField,
  type InstrOf,
  type Kind,
  type VtaConfig,
} from './instr.js';

/**
 * VTA's 128-bit instructions from the bit layouts of a configuration. An `Encoded` word carries the
 * opcode as its funct and the instruction's two little-endian 64-bit halves: rs1 = bits 63:0, rs2 =
 * bits 127:64. Every field is checked against its width; unused bits are 0.
 */

function fieldValue(f: BitField, value: number | boolean): bigint {
  const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  const lo = f.signed ? -(2 ** (f.bits - 1)) : 0;
  const hi = f.signed ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1;
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new InternalError(`VTA field ${f.name} must be an integer in [${lo}, ${hi}] (got ${v})`);
  }
  return BigInt.asUintN(f.bits, BigInt(v));
}

/** Packs named values into a little-endian bit string of the given fields. */
export function packBits(
  fields: readonly BitField[],
  values: Record<string, number | boolean>,
): bigint {
  let word = 0n;
  for (const f of fields) word |= fieldValue(f, values[f.name]) << BigInt(f.lo);
  return word;
}

/** Unpacks fields; flags become booleans. */
export function unpackBits(
  fields: readonly BitField[],
  word: bigint,
): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const f of fields) {
    const raw = (word >> BigInt(f.lo)) & ((1n << BigInt(f.bits)) - 1n);
    const v = Number(f.signed ? BigInt.asIntN(f.bits, raw) : raw);
    out[f.name] = flagFields.has(f.name) ? v === 1 : v;
  }
  return out;
}

const mask64 = (1n << 64n) - 1n;

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
export interface Uop {
  readonly dst: number;
  readonly src: number;
  readonly wgt: number;
}

export function encodeUop(cfg: VtaConfig, u: Uop): number {
  return Number(packBits(cfg.uop, { ...u }));
}

export function decodeUop(cfg: VtaConfig, word: number): Uop {
  return unpackBits(cfg.uop, BigInt(word >>> 0)) as unknown as Uop;
}
