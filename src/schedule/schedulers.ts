import { InputError } from '../errors.js';
import type { AnyTarget } from '../target/target.js';
import type { Workload } from '../workload/workload.js';
import { exhaustive } from './exhaustive.js';
import type { ScheduleOptions, ScheduleResult, Scheduler } from './scheduler.js';
import { simpleMapping } from './simple_mapping.js';

/** The target's own tiling heuristic, or the simple mapping for a target that has none. */
function baselineScheduler(w: Workload, target: AnyTarget): ScheduleResult {
  const start = performance.now();
  const own = target.code.baseline;
  return {
    scheduler: 'baseline',
    mapping: own === undefined ? simpleMapping(w, target) : own(w, target.spec),
    solveSeconds: (performance.now() - start) / 1000,
    mappingsTried: 1,
    complete: true,
    fallback:
      own === undefined
        ? { reason: `${target.name} has no baseline heuristic; simple mapping used` }
        : null,
  };
}

export const schedulers: Readonly<Record<string, Scheduler>> = {
  baseline: (w, t) => baselineScheduler(w, t),
  exhaustive: (w, t, o) => exhaustive(w, t, o),
};

export function schedulerNames(): string[] {
  return Object.keys(schedulers);
}

export function schedule(
  name: string,
  w: Workload,
  target: AnyTarget,
  options: ScheduleOptions,
): ScheduleResult {
  const s = schedulers[name];
  if (s === undefined) {
    throw new InputError(
      `unknown scheduler "${name}" (schedulers: ${schedulerNames().join(', ')})`,
    );
  }
  return s(w, target, options);
}
