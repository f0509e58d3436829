import { InternalError } from '../errors.js';
import { interpret } from '../program/interpret.js';
import type { Program } from '../program/program.js';
import type { Mapping } from '../mapping/mapping.js';
import { allocate, createDram, readInt8, writeInt32, writeInt8 } from '../sim/dram.js';
import { startSimulation, type SimulationResult } from './simulate.js';
import type { AnyTarget } from '../contract/target.js';
import type { Workload } from '../workload/workload.js';
import type { LayerData } from './layer_data.js';

export interface LayerRun {
  readonly program: Program;
  readonly instructions: number;
  readonly result: SimulationResult;
  /** The layer's output, read back from simulated DRAM (functional runs only). */
  readonly output: Int8Array | null;
}

/**
 * Runs one layer on a target's simulator: lowers the mapping, places the program's buffers in a fresh
 * DRAM, writes its constants and the data (when given, in the target's layouts), expands the program
 * and simulates it. Without data the run is timing only; its program is lowered for `timingScale`,
 * since a target's program may depend on the requantization scale (e.g. a shift epilogue that is
 * longer for larger shifts), and so may its cycles.
 */
export function runLayer(
  target: AnyTarget,
  w: Workload,
  m: Mapping,
  data: LayerData | null,
  timingScale = 1,
): LayerRun {
  const program = target.lower(w, m, { scale: data?.scale ?? timingScale });
  const dram = createDram();
  const bases: Record<string, number> = {};
  for (const b of program.buffers) {
    bases[b.name] = allocate(dram, b.name, Math.max(1, b.bytes), target.spec.dram.alignmentBytes);
    if (b.contents !== undefined) writeInt32(dram, bases[b.name], Int32Array.from(b.contents));
    if (data === null) continue;
    if (b.role === 'input') {
      writeInt8(dram, bases[b.name], target.packInput(w, m, data.input));
    }
    if (b.role === 'weight') {
      writeInt8(dram, bases[b.name], target.packWeights(w, m, data.weight));
    }
    if (b.role === 'bias' && data.bias !== null) writeInt32(dram, bases[b.name], data.bias);
  }
  const machine = target.createMachine(dram, data !== null);
  const sim = startSimulation(target, machine);
  let instructions = 0;
  interpret<{ readonly kind: string }>(program, bases, (item) => {
    instructions++;
    sim.step(item);
  });
  const result = sim.finish();
  const out = program.buffers.find((b) => b.role === 'output');
  if (out === undefined) throw new InternalError(`program ${program.name} has no output buffer`);
  const raw = data === null ? null : readInt8(dram, bases[out.name], out.bytes);
  const output = raw === null ? null : target.unpackOutput(w, m, raw);
  return { program, instructions, result, output };
}

/** The evaluator schedulers rank mappings with: the simulator's cycles of a timing-only run. */
export function simulatedCycles(target: AnyTarget, w: Workload, m: Mapping): number {
  return runLayer(target, w, m, null).result.totalCycles;
}
