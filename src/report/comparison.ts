import type { RunLayer } from '../results/run_summary.js';

/** The scheduler other schedulers are compared against when it was run on a layer. */
export const referenceScheduler = 'baseline';

export interface SchedulerComparison {
  /** The scheduler every speedup is relative to: the reference when run, else the first listed. */
  readonly reference: string;
  readonly rows: readonly {
    readonly scheduler: string;
    readonly cycles: number;
    /** Reference cycles / this scheduler's cycles: above 1 is faster than the reference. */
    readonly speedup: number;
  }[];
}

/** How the schedulers run on a layer compare; null when fewer than two were run. */
export function schedulerComparison(layer: RunLayer): SchedulerComparison | null {
  if (layer.schedulers.length < 2) return null;
  const ref =
    layer.schedulers.find((s) => s.scheduler === referenceScheduler) ?? layer.schedulers[0];
  return {
    reference: ref.scheduler,
    rows: layer.schedulers.map((s) => ({
      scheduler: s.scheduler,
      cycles: s.cycles,
      speedup: s.cycles > 0 ? ref.cycles / s.cycles : 0,
    })),
  };
}
