import type { AnyTarget } from '../contract/target.js';
import type { Workload } from '../workload/workload.js';
import type { Mapping } from '../mapping/mapping.js';

/** What every scheduler returns: a mapping, how it was found, and whether it fell back. */
export interface ScheduleResult {
  readonly scheduler: string;
  readonly mapping: Mapping;
  readonly solveSeconds: number;
  /** Mappings the scheduler evaluated (searches), or 1. */
  readonly mappingsTried: number;
  /** False when a search stopped at its time limit before covering its space. */
  readonly complete: boolean;
  /** Set when the scheduler could not do its job and returned another mapping instead. */
  readonly fallback: { readonly reason: string } | null;
}

/**
 * Scores a mapping of a workload on a target: its cycles, lower is better. Searching
 * schedulers rank their finalists with it; the driver passes the simulator's timing run
 * (`simulatedCycles` in src/runtime/run_layer.ts), so schedulers never import the runtime.
 */
export type Evaluator = (target: AnyTarget, w: Workload, m: Mapping) => number;

export interface ScheduleOptions {
  /** How finalists are scored. */
  readonly evaluate: Evaluator;
  readonly seed: number;
  /** Wall-clock budget for searching schedulers, in seconds. */
  readonly timeLimitSeconds: number;
  /** Solutions a MIP scheduler keeps and simulates, keeping the fastest (`--refine N`). */
  readonly refine?: number;
}

export type Scheduler = (
  w: Workload,
  target: AnyTarget,
  options: ScheduleOptions,
) => ScheduleResult;
