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
