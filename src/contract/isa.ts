import { InternalError } from '../errors.js';
import type { TimingDesc } from '../sim/timing_desc.js';

/**
 * An instruction set as one declaration per instruction kind (`InstrDecl`): its fields and where their
 * bits go, its C name, mnemonic and funct, its functional semantics and its timing. Encoding, decoding,
 * formatting, the ISA table and the C emitter's word layouts are all derived here from the
 * declarations, so a target states each fact about an instruction once.
 */

/**
 * One instruction word as a RoCC-style accelerator receives it: the funct and two 64-bit operands.
 * A wider word (up to 128 bits) is its low 64 bits in rs1 and its high 64 bits in rs2.
 */
export interface Encoded {
  readonly funct: number;
  readonly rs1: bigint;
  readonly rs2: bigint;
}

/** How one instruction kind is encoded, decoded and printed. */
export interface InstrEncoding<I> {
  /** The funct values this kind may carry. */
  readonly functs: readonly number[];
  encode(instr: I): Encoded;
  /** The decoded instruction, or undefined when the word belongs to another kind sharing the funct. */
  decode(word: Encoded): I | undefined;
  /** One line for errors and traces, e.g. `mvin dram=0x1000 dst=sp[12] 16x16`. */
  format(instr: I): string;
}

/**
 * Everything about one instruction kind in one place: encoding, the C name the emitter uses, functional
 * semantics for the simulator (`execute`) and its timing descriptor (`timing`). `M` is the target's
 * machine state. `execute` throws a Fault (src/sim/fault.ts) on a bad access.
 */
export interface InstrDef<I, M> extends InstrEncoding<I> {
  readonly cName: string;
  execute(instr: I, machine: M): void;
  timing(instr: I, machine: M, out: TimingDesc): void;
}

/** The ISA table: one entry per instruction kind, all fields required. */
export type IsaTable<I extends { readonly kind: string }, M> = {
  readonly [K in I['kind']]: InstrDef<Extract<I, { kind: K }>, M>;
};

export type Reg = 'rs1' | 'rs2';

/**
 * One field of an instruction as bits of its word: the field at `path` in the instruction record
 * (e.g. `['dst', 'addr']`) is an unsigned integer in bits [hi:lo] of rs1 or rs2, or a flag (a
 * boolean, hi = lo). Encoders refuse values that do not fit (and values from 2^53).
 */
export interface WordField {
  readonly path: readonly string[];
  readonly reg: Reg;
  readonly hi: number;
  readonly lo: number;
  readonly flag: boolean;
  /** Two's complement in its bits (a signed immediate); unsigned otherwise. */
  readonly signed?: boolean;
}

/** Bits every word of a kind carries (e.g. a subtype tag): bits [hi:lo] of `reg` hold `value`. */
export interface WordFixedBits {
  readonly reg: Reg;
  readonly hi: number;
  readonly lo: number;
  readonly value: number;
}

/** A kind's funct: one value, or chosen by the value of one of its fields (e.g. a load slot). */
export type WordFunct =
  | { readonly kind: 'fixed'; readonly funct: number }
  | {
      readonly kind: 'field';
      readonly field: string;
      readonly cases: readonly { readonly value: number | boolean; readonly funct: number }[];
    };

/**
 * An instruction kind's word as data: its funct, its fixed bits and where each field goes. The
 * target's encoder is driven by the same description, and the C emitter computes rs1/rs2 from it.
 */
export interface WordLayout {
  readonly funct: WordFunct;
  readonly fixed: readonly WordFixedBits[];
  readonly fields: readonly WordField[];
}

/** What the C emitter needs of one instruction kind: the header's macro for it and its word. */
export interface CInstr {
  /** A macro or function of the target's C header taking (funct, rs1, rs2); funct is a literal. */
  readonly cName: string;
  readonly word: WordLayout;
}

/** Every instruction kind of a target, for the C emitter. */
export interface CEncoding {
  readonly [kind: string]: CInstr;
}

// Declarations.

/**
 * How `format` prints a number field: decimal or hex (both left out when 0), an address (hex, always
 * shown), an IEEE-754 binary32 bit pattern as its value (a `…Bits` key loses that suffix).
 */
export type Show = 'dec' | 'hex' | 'address' | 'f32';

/** A field's bits and how its value is held: unsigned, two's complement, or a flag (one bit). */
export interface BitsDecl {
  readonly type: 'uint' | 'int' | 'flag';
  readonly reg: Reg;
  readonly hi: number;
  readonly lo: number;
  readonly show: Show;
}
/** A whole 64-bit register carried as a bigint. */
export interface RawDecl {
  readonly type: 'raw';
  readonly reg: Reg;
}
/** A record of fields (e.g. an operand), printed by `show` as `key=...`. */
export interface RecordDecl<T> {
  readonly type: 'record';
  readonly fields: FieldDecls<T>;
  show(value: T): string;
}
/** A field that selects the funct, and the mnemonic `format` prints, by its value. */
export interface FunctDecl<T> {
  readonly type: 'funct';
  readonly cases: readonly FunctCase<T>[];
}
export interface FunctCase<T> {
  readonly funct: number;
  readonly value: T;
  readonly name: string;
}

type AnyDecl = BitsDecl | RawDecl | RecordDecl<never> | FunctDecl<unknown>;
type FieldDecl<T> = [T] extends [boolean]
  ? BitsDecl | FunctDecl<T>
  : [T] extends [number]
    ? BitsDecl | FunctDecl<T>
    : [T] extends [bigint]
      ? RawDecl
      : RecordDecl<T>;
/** Where every field of `I` (but `kind`) lives; the type makes a declaration complete. */
export type FieldDecls<I> = { readonly [K in Exclude<keyof I, 'kind'>]: FieldDecl<I[K]> };

/**
 * One instruction kind, declared once: its fields and their bits, its C name, its funct and mnemonic
 * (`op`, unless a field selects them), bits every word carries, whether decode refuses words with
 * bits outside its fields (`unusedBits: 'zero'`) or ignores them (the default), its semantics and
 * its timing.
 */
export interface InstrDecl<I, M> {
  readonly cName: string;
  readonly op?: { readonly funct: number; readonly name: string };
  readonly fixed?: readonly WordFixedBits[];
  readonly fields: FieldDecls<I>;
  readonly unusedBits?: 'ignored' | 'zero';
  execute(instr: I, machine: M): void;
  timing(instr: I, machine: M, out: TimingDesc): void;
}

/** A declaration per instruction kind of the union `I`. */
export type IsaDecls<I extends { readonly kind: string }, M> = {
  readonly [K in I['kind']]: InstrDecl<Extract<I, { kind: K }>, M>;
};

export function uint(reg: Reg, hi: number, lo: number, show: Show = 'dec'): BitsDecl {
  return { type: 'uint', reg, hi, lo, show };
}
export function int(reg: Reg, hi: number, lo: number): BitsDecl {
  return { type: 'int', reg, hi, lo, show: 'dec' };
}
export function flag(reg: Reg, bit: number): BitsDecl {
  return { type: 'flag', reg, hi: bit, lo: bit, show: 'dec' };
}
export function raw(reg: Reg): RawDecl {
  return { type: 'raw', reg };
}
/** A field that selects the funct: its cases as [funct, value, mnemonic]. */
export function selector<T>(...cases: readonly (readonly [number, T, string])[]): FunctDecl<T> {
  return { type: 'funct', cases: cases.map(([funct, value, name]) => ({ funct, value, name })) };
}

/**
 * Places fields of the given widths one after another from bit 0 of a word of up to 128 bits, as C
 * bit-fields in 64-bit units pack: a field that would straddle bit 64 starts at bit 64. Names without
 * a width are 1-bit fields. Returns each field's first bit and width.
 */
export function packedFields(
  names: readonly string[],
  widths: Readonly<Record<string, number>>,
): { readonly name: string; readonly lo: number; readonly bits: number }[] {
  let at = 0;
  return names.map((name) => {
    const bits = widths[name] ?? 1;
    if (at < 64 && at + bits > 64) at = 64;
    at += bits;
    return { name, lo: at - bits, bits };
  });
}

/** Bits [lo, lo + bits) of a 128-bit word as a register and its bit range. */
export function wideBits(lo: number, bits: number): { reg: Reg; hi: number; lo: number } {
  const reg = lo >= 64 ? 'rs2' : 'rs1';
  const first = lo >= 64 ? lo - 64 : lo;
  return { reg, hi: first + bits - 1, lo: first };
}

// The codec.

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);
const word64 = 1n << 64n;
const mask = (hi: number, lo: number): bigint => ((1n << BigInt(hi - lo + 1)) - 1n) << BigInt(lo);

function fieldEntries(fields: object): [string, AnyDecl][] {
  return Object.entries(fields);
}

/** `value` placed at the field's bits; throws unless it fits (integers below 2^53). */
function putBits(d: BitsDecl, key: string, value: unknown, where: string): bigint {
  const width = d.hi - d.lo + 1;
  if (d.type === 'flag') {
    if (typeof value !== 'boolean') throw new Error(`${where}: ${String(value)} is not a boolean`);
    return value ? 1n << BigInt(d.lo) : 0n;
  }
  const signed = d.type === 'int';
  const bits = Math.min(width, 53);
  const [min, limit] = signed ? [-(2 ** (bits - 1)), 2 ** (bits - 1)] : [0, 2 ** bits];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value >= limit) {
    const range = signed ? `[${min}, ${limit})` : `[0, 2^${bits})`;
    const kind = signed ? `${width}-bit signed` : `${width}-bit`;
    throw new Error(
      `${where}: ${String(value)} is not an integer in ${range} (${kind} field ${key})`,
    );
  }
  return BigInt.asUintN(width, BigInt(value)) << BigInt(d.lo);
}

/** The field's value read from its register. */
function getBits(d: BitsDecl, reg: bigint, where: string): number | boolean {
  const value = (reg & mask(d.hi, d.lo)) >> BigInt(d.lo);
  if (d.type === 'flag') return value === 1n;
  if (d.type === 'int') return Number(BigInt.asIntN(d.hi - d.lo + 1, value));
  if (value > maxSafe) {
    throw new Error(`${where}: 0x${value.toString(16)} exceeds 2^53 - 1 and cannot be a number`);
  }
  return Number(value);
}

/** ORs the bits of every field of `record` into `regs`, checking each value. */
function putFields(fields: object, record: unknown, regs: Record<Reg, bigint>, where: string) {
  for (const [key, d] of fieldEntries(fields)) {
    const value: unknown = Reflect.get(Object(record), key);
    const at = `${where}.${key}`;
    if (d.type === 'funct') continue;
    if (d.type === 'raw') {
      if (typeof value !== 'bigint' || value < 0n || value >= word64) {
        throw new Error(`${at}: ${String(value)} is not a bigint in [0, 2^64) (64-bit register)`);
      }
      regs[d.reg] |= value;
    } else if (d.type === 'record') {
      if (typeof value !== 'object' || value === null) {
        const names = Object.keys(d.fields).join(', ');
        throw new Error(`${at}: ${String(value)} is not a record {${names}}`);
      }
      putFields(d.fields, value, regs, at);
    } else {
      regs[d.reg] |= putBits(d, key, value, at);
    }
  }
}

/** The record the fields hold in `regs`; a `funct` field takes `selected`. */
function getFields(fields: object, regs: Record<Reg, bigint>, selected: unknown, where: string) {
  const out: Record<string, unknown> = {};
  for (const [key, d] of fieldEntries(fields)) {
    const at = `${where}.${key}`;
    if (d.type === 'funct') out[key] = selected;
    else if (d.type === 'raw') out[key] = regs[d.reg];
    else if (d.type === 'record') out[key] = getFields(d.fields, regs, undefined, at);
    else out[key] = getBits(d, regs[d.reg], at);
  }
  return out;
}

/** The bits the fields (and fixed bits) cover, per register. */
function usedBits(fields: object, fixed: readonly WordFixedBits[]): Record<Reg, bigint> {
  const used = { rs1: 0n, rs2: 0n };
  for (const b of fixed) used[b.reg] |= mask(b.hi, b.lo);
  const walk = (fs: object): void => {
    for (const [, d] of fieldEntries(fs)) {
      if (d.type === 'raw') used[d.reg] |= word64 - 1n;
      else if (d.type === 'record') walk(d.fields);
      else if (d.type !== 'funct') used[d.reg] |= mask(d.hi, d.lo);
    }
  };
  walk(fields);
  return used;
}

/** A record's fields as a plain word (e.g. a micro-op): rs1 and rs2, every value checked. */
export function encodeFields<T>(fields: FieldDecls<T>, record: T, where: string): Encoded {
  const regs = { rs1: 0n, rs2: 0n };
  putFields(fields, record, regs, where);
  return { funct: 0, ...regs };
}

/** The record a plain word holds (the inverse of `encodeFields`). */
export function decodeFields<T>(fields: FieldDecls<T>, rs1: bigint, rs2 = 0n): T {
  // The declarations name every field of T with a location of its type, so the record is a T.
  return getFields(fields, { rs1, rs2 }, undefined, 'decode') as T;
}

function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}

function f32Text(bitPattern: number): string {
  const value = new Float32Array(new Uint32Array([bitPattern]).buffer)[0];
  return Number.isNaN(value) ? hex(bitPattern) : String(value);
}

/** `key=value` for `format`, or '' for a zero/false field that is not worth printing. */
function formatField(key: string, d: AnyDecl, value: unknown): string {
  switch (d.type) {
    case 'funct':
      return '';
    case 'raw':
      return `${key}=${typeof value === 'bigint' ? hex(value) : String(value)}`;
    case 'record':
      return `${key}=${d.show(value as never)}`;
    case 'flag':
      return value === true ? key : '';
    case 'uint':
    case 'int':
      if (typeof value !== 'number') return `${key}=${String(value)}`;
      if (d.show === 'address') return `${key}=${hex(value)}`;
      if (value === 0) return '';
      if (d.show === 'hex') return `${key}=${hex(value)}`;
      if (d.show === 'f32') return `${key.replace(/Bits$/, '')}=${f32Text(value)}`;
      return `${key}=${value}`;
  }
}

/** One line for errors and traces: the mnemonic, then every field worth printing. */
export function formatFields(name: string, fields: object, record: object): string {
  const parts = fieldEntries(fields).map(([key, d]) =>
    formatField(key, d, Reflect.get(Object(record), key)),
  );
  return [name, ...parts.filter((part) => part !== '')].join(' ');
}

/** The encoder, decoder and formatter of one declared kind. */
function codec<I>(kind: string, decl: InstrDecl<I, unknown>): InstrEncoding<I> {
  const fields = fieldEntries(decl.fields);
  const fixed = decl.fixed ?? [];
  const selector = fields.find(
    (field): field is [string, FunctDecl<unknown>] => field[1].type === 'funct',
  );
  const cases: readonly FunctCase<unknown>[] =
    selector?.[1].cases ?? (decl.op ? [{ ...decl.op, value: undefined }] : []);
  if (cases.length === 0) throw new InternalError(`ISA declaration of ${kind}: no funct`);
  const caseOf = (instr: I): FunctCase<unknown> | undefined =>
    selector === undefined
      ? cases[0]
      : cases.find((c) => c.value === Reflect.get(Object(instr), selector[0]));
  const used = usedBits(decl.fields, fixed);

  return {
    functs: cases.map((c) => c.funct),

    encode(instr) {
      const found = caseOf(instr);
      if (found === undefined) {
        const key = selector?.[0] ?? '';
        const allowed = cases.map((c) => String(c.value)).join(', ');
        const value = String(Reflect.get(Object(instr), key));
        throw new Error(`encode ${kind}.${key}: ${value} is not one of ${allowed}`);
      }
      const regs = { rs1: 0n, rs2: 0n };
      for (const b of fixed) regs[b.reg] |= BigInt(b.value) << BigInt(b.lo);
      putFields(decl.fields, instr, regs, `encode ${kind}`);
      return { funct: found.funct, ...regs };
    },

    decode(word) {
      const found = cases.find((c) => c.funct === word.funct);
      if (found === undefined) return undefined;
      const at = `decode ${kind} (funct ${word.funct})`;
      for (const reg of ['rs1', 'rs2'] as const) {
        const value = word[reg];
        if (decl.unusedBits === 'zero' && (value & ~used[reg]) !== 0n) return undefined;
        if (value < 0n || value >= word64) {
          throw new Error(`${at}: ${reg} = ${value} is not a 64-bit unsigned value`);
        }
      }
      for (const b of fixed) {
        if ((word[b.reg] & mask(b.hi, b.lo)) >> BigInt(b.lo) !== BigInt(b.value)) return undefined;
      }
      // The declaration names every field of I with a location of its type, so this is an I.
      return { kind, ...getFields(decl.fields, word, found.value, at) } as I;
    },

    format(instr) {
      return formatFields(caseOf(instr)?.name ?? kind, decl.fields, Object(instr));
    },
  };
}

function entriesOf<I extends { readonly kind: string }, M>(
  decls: IsaDecls<I, M>,
): [string, InstrDecl<never, M>][] {
  return Object.entries(decls);
}

/** The ISA table of the declarations: each kind's codec, C name, semantics and timing. */
export function isaTable<I extends { readonly kind: string }, M>(
  decls: IsaDecls<I, M>,
): IsaTable<I, M> {
  const table = entriesOf(decls).map(([kind, decl]) => [
    kind,
    { ...codec(kind, decl), cName: decl.cName, execute: decl.execute, timing: decl.timing },
  ]);
  // One entry per kind of I, each built from that kind's declaration.
  return Object.fromEntries(table) as IsaTable<I, M>;
}

/** The instruction a word holds, asking the kinds that own its funct in table order. */
export function decodeWord<I extends { readonly kind: string }, M>(
  isa: IsaTable<I, M>,
  word: Encoded,
  isaName: string,
): I {
  const owners = Object.values<InstrEncoding<I>>(isa).filter((e) => e.functs.includes(word.funct));
  if (owners.length === 0) {
    throw new Error(`decodeInstr: funct ${word.funct} is not a ${isaName} instruction`);
  }
  for (const owner of owners) {
    const instr = owner.decode(word);
    if (instr !== undefined) return instr;
  }
  const rs1 = hex(word.rs1);
  throw new Error(`decodeInstr: funct ${word.funct}: no instruction kind accepts rs1=${rs1}`);
}

/** Where one field's bits go, for the C emitter (records as their fields). */
function wordFields(path: readonly string[], d: AnyDecl): WordField[] {
  switch (d.type) {
    case 'funct':
      return [];
    case 'raw':
      return [{ path, reg: d.reg, hi: 63, lo: 0, flag: false }];
    case 'record':
      return fieldEntries(d.fields).flatMap(([key, sub]) => wordFields([...path, key], sub));
    case 'int':
      return [{ path, reg: d.reg, hi: d.hi, lo: d.lo, flag: false, signed: true }];
    case 'uint':
    case 'flag':
      return [{ path, reg: d.reg, hi: d.hi, lo: d.lo, flag: d.type === 'flag' }];
  }
}

/** Every declared kind's C name and word layout, as the C emitter reads them. */
export function cEncoding<I extends { readonly kind: string }, M>(
  decls: IsaDecls<I, M>,
): CEncoding {
  const entry = (decl: InstrDecl<never, M>): CInstr => {
    const fields = fieldEntries(decl.fields);
    const selector = fields.find(
      (field): field is [string, FunctDecl<number | boolean>] => field[1].type === 'funct',
    );
    let funct: WordFunct;
    if (selector !== undefined) {
      const cases = selector[1].cases.map(({ funct, value }) => ({ funct, value }));
      funct = { kind: 'field', field: selector[0], cases };
    } else if (decl.op !== undefined) {
      funct = { kind: 'fixed', funct: decl.op.funct };
    } else {
      throw new InternalError(`C encoding of ${decl.cName}: no funct`);
    }
    const word = {
      funct,
      fixed: decl.fixed ?? [],
      fields: fields.flatMap(([key, d]) => wordFields([key], d)),
    };
    return { cName: decl.cName, word };
  };
  return Object.fromEntries(entriesOf(decls).map(([kind, decl]) => [kind, entry(decl)]));
}
