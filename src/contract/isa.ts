import type { TimingDesc } from '../sim/timing_desc.js';

/** One instruction word as a RoCC-style accelerator receives it: the funct and two 64-bit operands. */
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

/**
 * One field of an instruction as bits of its word: the field at `path` in the instruction record
 * (e.g. `['dst', 'addr']`) is an unsigned integer in bits [hi:lo] of rs1 or rs2, or a flag (a
 * boolean, hi = lo). Encoders refuse values that do not fit (and values from 2^53).
 */
export interface WordField {
  readonly path: readonly string[];
  readonly reg: 'rs1' | 'rs2';
  readonly hi: number;
  readonly lo: number;
  readonly flag: boolean;
}

/** Bits every word of a kind carries (e.g. a subtype tag): bits [hi:lo] of `reg` hold `value`. */
export interface WordFixedBits {
  readonly reg: 'rs1' | 'rs2';
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
