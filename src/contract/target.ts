import { InternalError, SpecError } from '../errors.js';
import type { Dram } from '../sim/dram.js';
import type { Program } from '../program/program.js';
import type { Mapping } from '../mapping/mapping.js';
import type { Workload } from '../workload/workload.js';
import type { VectorWorkload } from '../workload/vector.js';
import type { CEncoding, Encoded, IsaTable } from './isa.js';
import type { AcceleratorOp, Pattern, TargetPattern } from './patterns.js';
import type { Spec, TensorRole } from '../spec/spec.js';
import type { Unit } from '../sim/timing_desc.js';

export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** Rows of a memory one tensor's on-chip copy takes (once; double buffering doubles it). */
export interface Footprint {
  readonly memory: string;
  readonly tensor: TensorRole;
  readonly rows: number;
}

/** Data the program needs beyond shapes: the requantization scale (per tensor). */
export interface LowerOptions {
  readonly scale: number;
}

/**
 * A target: its validated spec and everything only its code knows, with the spec bound in
 * (README.md, "Describing an accelerator"). `I` is its instruction union, `M` its machine state for the simulator.
 * Callers only ever see this; a target's folder writes a `TargetDefinition` and `defineTarget` makes it.
 */
export interface Target<I extends { readonly kind: string }, M> {
  readonly name: string;
  readonly description: string;
  readonly spec: Spec;
  /** Where the spec came from, for error messages. */
  readonly specFile: string;
  readonly isa: IsaTable<I, M>;
  /** Decodes any instruction word of this target. */
  decode(word: Encoded): I;
  /** Fresh machine state over a DRAM; `functional` false skips data (timing only). */
  createMachine(dram: Dram, functional: boolean): M;
  /**
   * Checks a machine at the end of a stream (work still queued inside it, protocol state); throws a
   * Fault (src/sim/fault.ts) when the stream did not end cleanly.
   */
  endOfStream(machine: M): void;
  /** Problems this target's code has with a spec (e.g. a memory it needs is missing). */
  checkSpec(spec: Spec): readonly Problem[];
  /** The mapping as a program of this target's instructions. */
  lower(workload: Workload, mapping: Mapping, options: LowerOptions): Program;
  /**
   * A vector op (a residual add) as a program of this target's instructions, tiled by the target's
   * own rule; present when a pattern accepts such ops. Its buffers: inputs `A` and `B`, output `C`.
   */
  readonly lowerVector?: (workload: VectorWorkload) => Program;
  /** What a mapping keeps on chip, per memory and tensor. */
  footprint(workload: Workload, mapping: Mapping): readonly Footprint[];
  /** What else this target's code cannot do with a mapping. */
  checkMapping(workload: Workload, mapping: Mapping): readonly Problem[];
  /** Weights in the DRAM layout the program reads (the workload's own layout unless it packs). */
  packWeights(workload: Workload, mapping: Mapping, weights: Int8Array): Int8Array;
  /** The input in the DRAM layout the program reads. */
  packInput(workload: Workload, mapping: Mapping, input: Int8Array): Int8Array;
  /** The output in the workload's layout, from the DRAM layout the program writes. */
  unpackOutput(workload: Workload, mapping: Mapping, output: Int8Array): Int8Array;
  /** Whether `packInput` or `unpackOutput` change the layout (the C project does not do that yet). */
  readonly packsActivations: boolean;
  /** The vendor's own tiling heuristic; null when the target has none. */
  readonly baseline: ((workload: Workload) => Mapping) | null;
  /** Whether its conv lowering accepts `Mapping.foldKernelColumns` (its checkMapping says when). */
  readonly foldsKernelColumns: boolean;
  /**
   * How many candidate tiles the vendor library checks when it runs that heuristic at run time (its
   * host pays them, `hostCyclesPerTilingCheck` each); null when the target does not count them.
   */
  readonly baselineSearchChecks: ((workload: Workload) => number) | null;
  /** The fused graph ops this target runs (src/partition/ offers them); none: everything on the host. */
  readonly patterns: readonly TargetPattern[];
  /** The C runtime header emitted programs include (src/emit/ lists what it defines); absent: no C. */
  readonly cHeader?: () => string;
  /** Each instruction kind's header macro and word layout, for the C emitter. */
  readonly cEncoding?: CEncoding;
  /**
   * Commands the accelerator generates itself (a hardware loop unroller). The simulator asks before
   * each host instruction (`next`) and at a fence or the end of the stream (`next` null: everything
   * pending must come out) for the next generated command to run first; null lets the host go on.
   */
  unroll?(machine: M, next: I | null, clock: UnrollClock): Generated<I> | null;
}

/** What a loop unroller may read of the timing engine to pick its next command. */
export interface UnrollClock {
  /** Issue cycle of the host's latest instruction. */
  hostIssue(): number;
  /** The unroller's next free issue cycle. */
  next(): number;
  /** When a unit's queue next has a free slot. */
  slotFree(unit: Unit): number;
}

/** A generated command and the earliest cycle it may issue (its loop's start). */
export interface Generated<I> {
  readonly instr: I;
  readonly earliest: number;
}

/** A target of any instruction set, as the registry and the CLI hold it. */
// The ISA's method parameters are bivariant, so every concrete target is assignable here.
export type AnyTarget = Target<{ readonly kind: string }, unknown>;

/**
 * What a target's folder supplies to make a target from one spec: its own functions, which take the
 * spec, and the optional ones left out where the defaults (the workload's layouts, no end-of-stream
 * check, no patterns, no baseline, no C) fit.
 */
export interface TargetDefinition<I extends { readonly kind: string }, M> {
  /** Checked by the shared schema already (src/spec/load_spec.ts); `checkSpec` runs in defineTarget. */
  readonly spec: Spec;
  readonly specFile: string;
  checkSpec(spec: Spec): readonly Problem[];
  /** The ISA table for a spec that passed `checkSpec` (field widths may follow the spec). */
  isa(spec: Spec): IsaTable<I, M>;
  createMachine(spec: Spec, dram: Dram, functional: boolean): M;
  endOfStream?(machine: M): void;
  lower(workload: Workload, mapping: Mapping, spec: Spec, options: LowerOptions): Program;
  lowerVector?(workload: VectorWorkload, spec: Spec): Program;
  footprint(workload: Workload, mapping: Mapping, spec: Spec): readonly Footprint[];
  checkMapping(workload: Workload, mapping: Mapping, spec: Spec): readonly Problem[];
  packWeights?(workload: Workload, mapping: Mapping, spec: Spec, weights: Int8Array): Int8Array;
  packInput?(workload: Workload, mapping: Mapping, spec: Spec, input: Int8Array): Int8Array;
  unpackOutput?(workload: Workload, mapping: Mapping, spec: Spec, output: Int8Array): Int8Array;
  baseline?(workload: Workload, spec: Spec): Mapping;
  readonly foldsKernelColumns?: boolean;
  baselineSearchChecks?(workload: Workload, spec: Spec): number;
  readonly patterns?: readonly Pattern[];
  cHeader?(spec: Spec): string;
  /** Each instruction kind's C name and word layout for a spec (field widths may follow it). */
  cEncoding?(spec: Spec): CEncoding;
  unroll?(machine: M, next: I | null, clock: UnrollClock): Generated<I> | null;
}

const sameLayout = (_w: Workload, _m: Mapping, data: Int8Array): Int8Array => data;

/**
 * A target from its definition: runs the target's own spec checks (once; a SpecError lists every
 * problem), checks its ISA table's coverage (every entry has every function) and binds the spec into
 * every function, filling in the defaults of the optional ones.
 */
export function defineTarget<I extends { readonly kind: string }, M>(
  def: TargetDefinition<I, M>,
): Target<I, M> {
  const spec = def.spec;
  const problems = def.checkSpec(spec);
  if (problems.length > 0) throw new SpecError(def.specFile, problems);
  const isa = def.isa(spec);
  const decode = decoderOf(isa, def.specFile, spec.name);
  const { packWeights, packInput, unpackOutput, baseline, cHeader, lowerVector } = def;
  const searchChecks = def.baselineSearchChecks;
  return {
    name: spec.name,
    description: spec.description,
    spec,
    specFile: def.specFile,
    isa,
    decode,
    createMachine: (dram, functional) => def.createMachine(spec, dram, functional),
    endOfStream: (machine) => def.endOfStream?.(machine),
    ...(def.unroll === undefined ? {} : { unroll: def.unroll }),
    checkSpec: def.checkSpec,
    lower: (w, m, options) => def.lower(w, m, spec, options),
    ...(lowerVector === undefined
      ? {}
      : { lowerVector: (w: VectorWorkload) => lowerVector(w, spec) }),
    footprint: (w, m) => def.footprint(w, m, spec),
    checkMapping: (w, m) => def.checkMapping(w, m, spec),
    packWeights: packWeights === undefined ? sameLayout : (w, m, x) => packWeights(w, m, spec, x),
    packInput: packInput === undefined ? sameLayout : (w, m, x) => packInput(w, m, spec, x),
    unpackOutput:
      unpackOutput === undefined ? sameLayout : (w, m, x) => unpackOutput(w, m, spec, x),
    packsActivations: packInput !== undefined || unpackOutput !== undefined,
    baseline: baseline === undefined ? null : (w) => baseline(w, spec),
    foldsKernelColumns: def.foldsKernelColumns === true,
    baselineSearchChecks: searchChecks === undefined ? null : (w) => searchChecks(w, spec),
    patterns: (def.patterns ?? []).map((p) => ({
      name: p.name,
      kind: p.kind,
      padsWithValue: p.padsWithValue === true,
      check: (w: AcceleratorOp) => p.check(w, spec),
    })),
    ...(cHeader === undefined ? {} : { cHeader: () => cHeader(spec) }),
    ...(def.cEncoding === undefined ? {} : { cEncoding: def.cEncoding(spec) }),
  };
}

/**
 * A decoder over an ISA table, after checking its coverage: every entry has every function. Kinds
 * sharing a funct are tried in table order; each refuses words that are not its own.
 */
function decoderOf<I extends { readonly kind: string }, M>(
  isa: IsaTable<I, M>,
  specFile: string,
  name: string,
): (word: Encoded) => I {
  const entries = Object.entries(isa) as [string, IsaTable<I, M>[I['kind']]][];
  const byFunct = new Map<number, IsaTable<I, M>[I['kind']][]>();
  for (const [kind, e] of entries) {
    for (const fn of ['encode', 'decode', 'format', 'execute', 'timing'] as const) {
      if (typeof e[fn] !== 'function') {
        throw new InternalError(`${specFile}: ISA entry "${kind}" lacks ${fn}`);
      }
    }
    for (const f of e.functs) byFunct.set(f, [...(byFunct.get(f) ?? []), e]);
  }
  return (word: Encoded): I => {
    for (const e of byFunct.get(word.funct) ?? []) {
      const instr = e.decode(word) as I | undefined;
      if (instr !== undefined) return instr;
    }
    throw new InternalError(
      `${name}: no instruction has funct ${word.funct} (rs1=0x${word.rs1.toString(
        16,
      )}, rs2=0x${word.rs2.toString(16)})`,
    );
  };
}
