import { SimulationError } from '../errors.js';
import type { StreamItem } from '../program/program.js';
import type { InstrDef } from '../contract/isa.js';
import type { Target } from '../contract/target.js';
import type { Dram } from '../sim/dram.js';
import { Fault } from '../sim/fault.js';
import { createTimingDesc, resetTimingDesc } from '../sim/timing_desc.js';
import {
  createTimingEngine,
  fence,
  finish,
  step,
  timingParamsOf,
  utilization,
  type TimingResult,
} from '../sim/timing_engine.js';

export interface SimulationResult extends TimingResult {
  /** MACs / (cycles × rows × cols of the array). */
  readonly utilization: number;
}

/** A simulation in progress: feed it instructions one at a time, then finish it. */
export interface Simulation<I> {
  step(item: StreamItem<I>): void;
  finish(): SimulationResult;
}

/**
 * Starts simulating on a machine: each step runs an instruction's functional semantics (when the
 * machine is functional) and its timing. A fault stops the run with a SimulationError naming the
 * instruction's index and its decoded form.
 */
export function startSimulation<I extends { readonly kind: string }, M>(
  target: Target<I, M>,
  machine: M,
): Simulation<I> {
  const engine = createTimingEngine(timingParamsOf(target.spec));
  const desc = createTimingDesc();
  const table = target.isa as unknown as Record<string, InstrDef<I, M>>;
  let index = 0;
  return {
    step(item) {
      if (item.kind === 'fence') {
        fence(engine);
        index++;
        return;
      }
      const def = table[item.kind];
      const instr = item as I;
      try {
        def.execute(instr, machine);
      } catch (e) {
        if (e instanceof Fault) throw new SimulationError(index, def.format(instr), e.reason);
        throw e;
      }
      resetTimingDesc(desc);
      def.timing(instr, machine, desc);
      step(engine, desc);
      index++;
    },
    finish() {
      try {
        target.endOfStream(machine);
      } catch (e) {
        if (e instanceof Fault) throw new SimulationError(index, 'end of stream', e.reason);
        throw e;
      }
      const result = finish(engine);
      const peak = target.spec.array.rows * target.spec.array.cols;
      return { ...result, utilization: utilization(result, peak) };
    },
  };
}

/** Runs a whole instruction stream on a machine. */
export function runStream<I extends { readonly kind: string }, M>(
  target: Target<I, M>,
  machine: M,
  stream: readonly StreamItem<I>[],
): SimulationResult {
  const sim = startSimulation(target, machine);
  for (let i = 0; i < stream.length; i++) sim.step(stream[i]);
  return sim.finish();
}

/** Creates a machine over `dram` and runs the stream; `functional: false` is timing only. */
export function simulate<I extends { readonly kind: string }, M>(
  target: Target<I, M>,
  stream: readonly StreamItem<I>[],
  dram: Dram,
  options: { readonly functional: boolean },
): { readonly result: SimulationResult; readonly machine: M } {
  const machine = target.createMachine(dram, options.functional);
  return { result: runStream(target, machine, stream), machine };
}
