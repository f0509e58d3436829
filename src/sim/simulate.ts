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

/**
 * Runs an instruction stream on a machine: functional semantics (when the machine is functional) and
 * the timing engine together, one instruction at a time. A fault stops the run with a SimulationError
 * naming the instruction's index and its decoded form.
 */
export function runStream<I extends { readonly kind: string }, M>(
  target: Target<I, M>,
  machine: M,
  stream: readonly StreamItem<I>[],
): SimulationResult {
  const engine = createTimingEngine(timingParamsOf(target.spec));
  const desc = createTimingDesc();
  const table = target.isa as unknown as Record<string, InstrDef<I, M>>;
  let index = 0;
  try {
    for (; index < stream.length; index++) {
      const item = stream[index];
      if (item.kind === 'fence') {
        fence(engine);
        continue;
      }
      const def = table[item.kind];
      const instr = item as I;
      def.execute(instr, machine);
      resetTimingDesc(desc);
      def.timing(instr, machine, desc);
      step(engine, desc);
    }
  } catch (e) {
    if (e instanceof Fault) {
      const item = stream[index] as I;
      throw new SimulationError(index, table[item.kind].format(item), e.reason);
    }
    throw e;
  }
  const result = finish(engine);
  const peak = target.spec.array.rows * target.spec.array.cols;
  return { ...result, utilization: utilization(result, peak) };
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
