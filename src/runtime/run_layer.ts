import type { Buffer, Program } from '../program/program.js';
import type { Mapping } from '../mapping/mapping.js';
import type { SimulationResult } from './simulate.js';
import { runProgram } from './run_program.js';
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
  const fill = (b: Buffer): Int8Array | Int32Array | null => {
    if (data === null) return null;
    if (b.role === 'input') return target.packInput(w, m, data.input);
    if (b.role === 'weight') return target.packWeights(w, m, data.weight);
    return b.role === 'bias' ? data.bias : null;
  };
  const run = runProgram(target, program, data === null ? null : fill);
  const output = run.output === null ? null : target.unpackOutput(w, m, run.output);
  return { program, instructions: run.instructions, result: run.result, output };
}

/**
 * The evaluator schedulers rank mappings with: the simulator's cycles of a timing-only run; infinite
 * when the program has accesses the hardware would leave unordered (src/sim/timing_engine.ts,
 * `unorderedAccesses`), so that such a mapping is never chosen.
 */
export function simulatedCycles(target: AnyTarget, w: Workload, m: Mapping): number {
  const r = runLayer(target, w, m, null).result;
  return r.unorderedAccesses > 0 ? Infinity : r.totalCycles;
}
