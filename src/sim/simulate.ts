import { SimulationError } from '../errors.js';
import type { InstrDef } from '../target/isa.js';
import type { Target } from '../target/target.js';
import type { Dram } from './dram.js';
import { Fault } from './fault.js';
import { createTimingDesc, resetTimingDesc } from './timing_desc.js';
import {
  createTimingEngine,
  fence,
  finish,
  step,
  timingParamsOf,
  utilization,
  type TimingResult,
} from './timing_engine.js';

/** The host waits until every earlier instruction has completed (a RISC-V `fence` after RoCC work). */
export interface Fence {
  readonly kind: 'fence';
}

export const fenceItem: Fence = { kind: 'fence' };

/** What a program expands to: the target's instructions, and fences. */
export type StreamItem<I> = I | Fence;

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
        target.endOfStream?.(machine);
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
  const machine = target.createMachine(target.spec, dram, options.functional);
  return { result: runStream(target, machine, stream), machine };
}
