import type { AnyTarget } from '../contract/target.js';
import type { Workload } from '../workload/workload.js';
import type { Mapping } from '../mapping/mapping.js';

/**
 * A limit that stopped a search before it covered its space: the wall-clock safety net (`time`), or
 * a deterministic work limit: MIP branch-and-bound nodes, improving MIP solutions, or the candidates
 * an enumeration may evaluate. Only `time` depends on the machine's speed and load.
 */
export type SearchLimit = 'time' | 'nodes' | 'solutions' | 'candidates';

/** What every scheduler returns: a mapping, how it was found, and whether it fell back. */
export interface ScheduleResult {
  readonly scheduler: string;
  readonly mapping: Mapping;
  readonly solveSeconds: number;
  /** Mappings the scheduler evaluated (searches), or 1. */
  readonly mappingsTried: number;
  /** False when a search stopped at a limit before covering its space (or proving optimality). */
  readonly complete: boolean;
  /** The limit that stopped the search (the most machine-dependent one when several did), or null. */
  readonly limitHit: SearchLimit | null;
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
  /**
   * Wall-clock safety net of searching schedulers, in seconds (per MIP for cosa and cosa-even, the
   * whole search for exhaustive). Their deciding limits are deterministic work limits; when this one
   * stops a search, `limitHit` is `time` and the result may depend on the machine's load.
   */
  readonly timeLimitSeconds: number;
  /** exhaustive: the candidate mappings it may evaluate (its deterministic budget). */
  readonly candidateBudget?: number;
  /** Solutions a MIP scheduler keeps and simulates, keeping the fastest (`--refine N`). */
  readonly refine?: number;
  /** exhaustive: called now and then with the candidates evaluated so far and the budget. */
  readonly onProgress?: (evaluated: number, budget: number) => void;
}

export type Scheduler = (
  w: Workload,
  target: AnyTarget,
  options: ScheduleOptions,
) => ScheduleResult;
