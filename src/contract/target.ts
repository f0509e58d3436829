import { InternalError, SpecError } from '../errors.js';
import type { Dram } from '../sim/dram.js';
import type { Program } from '../program/program.js';
import type { Mapping } from '../mapping/mapping.js';
import type { Workload } from '../workload/workload.js';
import type { CEncoding, Encoded, IsaTable } from './isa.js';
import { parseSpec } from '../spec/load_spec.js';
import type { Pattern } from './patterns.js';
import type { Spec, TensorRole } from '../spec/spec.js';

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
 * What only the target's code knows about running a workload: how it lays tensors out on chip
 * (footprints), what else limits a mapping, how a mapping becomes a program, and optionally the
 * vendor's own tiling heuristic.
 */
export interface TargetCode {
  lower(workload: Workload, mapping: Mapping, spec: Spec, options: LowerOptions): Program;
  footprint(workload: Workload, mapping: Mapping, spec: Spec): readonly Footprint[];
  checkMapping(workload: Workload, mapping: Mapping, spec: Spec): readonly Problem[];
  /** Weights in the DRAM layout the program reads, when that is not the workload's own layout. */
  readonly packWeights?: (
    workload: Workload,
    mapping: Mapping,
    spec: Spec,
    weights: Int8Array,
  ) => Int8Array;
  /** The input in the DRAM layout the program reads, when that is not the workload's own layout. */
  readonly packInput?: (
    workload: Workload,
    mapping: Mapping,
    spec: Spec,
    input: Int8Array,
  ) => Int8Array;
  /** The output in the workload's layout, from the DRAM layout the program writes (when they differ). */
  readonly unpackOutput?: (
    workload: Workload,
    mapping: Mapping,
    spec: Spec,
    output: Int8Array,
  ) => Int8Array;
  readonly baseline?: (workload: Workload, spec: Spec) => Mapping;
  /** The fused graph ops this target runs (src/partition/ offers them); none: everything on the host. */
  readonly patterns?: readonly Pattern[];
  /** The C runtime header emitted programs include (src/program/c.ts lists what it defines). */
  readonly cHeader?: (spec: Spec) => string;
  /** Each instruction kind's header macro and word layout, for the C emitter. */
  readonly cEncoding?: CEncoding;
}

/**
 * A target: its validated spec plus the small amount of code only it can supply (docs/architecture.md).
 * `I` is its instruction union, `M` its machine state for the simulator.
 */
export interface Target<I extends { readonly kind: string }, M> {
  readonly name: string;
  /** Lowering, layout and the vendor baseline. */
  readonly code: TargetCode;
  readonly description: string;
  readonly spec: Spec;
  /** Where the spec came from, for error messages. */
  readonly specFile: string;
  readonly isa: IsaTable<I, M>;
  /** Decodes any instruction word of this target. */
  decode(word: Encoded): I;
  /** Fresh machine state over a DRAM; `functional` false skips data (timing only). */
  createMachine(spec: Spec, dram: Dram, functional: boolean): M;
  /**
   * Checks a machine at the end of a stream (work still queued inside it, protocol state); throws a
   * Fault (src/sim/fault.ts) when the stream did not end cleanly.
   */
  endOfStream?(machine: M): void;
  /** Problems this target's code has with a spec (e.g. a memory it needs is missing). */
  checkSpec(spec: Spec): readonly Problem[];
}

/** A target of any instruction set, as the registry and the CLI hold it. */
// The ISA's method parameters are bivariant, so every concrete target is assignable here.
export type AnyTarget = Target<{ readonly kind: string }, unknown>;

export interface TargetDefinition<I extends { readonly kind: string }, M> {
  readonly specJson: unknown;
  readonly specFile: string;
  readonly isa: IsaTable<I, M>;
  readonly code: TargetCode;
  createMachine(spec: Spec, dram: Dram, functional: boolean): M;
  endOfStream?(machine: M): void;
  checkSpec(spec: Spec): readonly Problem[];
}

/**
 * Validates a built-in target when it loads: its spec against the shared schema and its own checks, and
 * its ISA table's coverage (every entry has every function; no two kinds claim a funct exclusively).
 */
export function defineTarget<I extends { readonly kind: string }, M>(
  def: TargetDefinition<I, M>,
): Target<I, M> {
  const spec = withTargetChecks(parseSpec(def.specJson, def.specFile), def.specFile, def.checkSpec);
  const entries = Object.entries(def.isa) as [string, IsaTable<I, M>[I['kind']]][];
  const byFunct = new Map<number, IsaTable<I, M>[I['kind']][]>();
  for (const [kind, e] of entries) {
    for (const fn of ['encode', 'decode', 'format', 'execute', 'timing'] as const) {
      if (typeof e[fn] !== 'function') {
        throw new InternalError(`${def.specFile}: ISA entry "${kind}" lacks ${fn}`);
      }
    }
    for (const f of e.functs) byFunct.set(f, [...(byFunct.get(f) ?? []), e]);
  }
  const decode = (word: Encoded): I => {
    for (const e of byFunct.get(word.funct) ?? []) {
      const instr = e.decode(word) as I | undefined;
      if (instr !== undefined) return instr;
    }
    throw new InternalError(
      `${spec.name}: no instruction has funct ${word.funct} (rs1=0x${word.rs1.toString(
        16,
      )}, rs2=0x${word.rs2.toString(16)})`,
    );
  };
  return {
    name: spec.name,
    description: spec.description,
    spec,
    specFile: def.specFile,
    code: def.code,
    isa: def.isa,
    decode,
    createMachine: def.createMachine,
    ...(def.endOfStream === undefined ? {} : { endOfStream: def.endOfStream }),
    checkSpec: def.checkSpec,
  };
}

/** Runs a target's own spec checks after the shared schema, reporting both the same way. */
export function withTargetChecks(
  spec: Spec,
  file: string,
  check: (spec: Spec) => readonly { readonly path: string; readonly message: string }[],
): Spec {
  const problems = check(spec);
  if (problems.length > 0) throw new SpecError(file, problems);
  return spec;
}
