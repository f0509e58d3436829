import { InputError } from '../errors.js';
import type { AnyTarget } from '../contract/target.js';
import type { Workload } from '../workload/workload.js';
import { cacheKey, cachedSchedule, type ScheduleCache } from './cache.js';
import { cosa, cosaEven } from './cosa/cosa.js';
import { exhaustive } from './exhaustive.js';
import type { Evaluator, ScheduleOptions, ScheduleResult, Scheduler } from './scheduler.js';
import { targetBaseline } from './target_baseline.js';
import { validateMapping } from './validate.js';

/** The target's own tiling heuristic, or the simple mapping where it has none for this workload. */
function baselineScheduler(w: Workload, target: AnyTarget): ScheduleResult {
  const start = performance.now();
  const base = targetBaseline(w, target);
  return {
    scheduler: 'baseline',
    mapping: base.mapping,
    solveSeconds: (performance.now() - start) / 1000,
    mappingsTried: 1,
    complete: true,
    limitHit: null,
    fallback: base.reason === null ? null : { reason: base.reason },
  };
}

export const schedulers: Readonly<Record<string, Scheduler>> = {
  baseline: (w, t) => baselineScheduler(w, t),
  exhaustive: (w, t, o) => exhaustive(w, t, o),
  cosa: (w, t, o) => cosa(w, t, o),
  'cosa-even': (w, t, o) => cosaEven(w, t, o),
};

export function schedulerNames(): string[] {
  return Object.keys(schedulers);
}

export function schedule(
  name: string,
  w: Workload,
  target: AnyTarget,
  options: ScheduleOptions,
  cache?: ScheduleCache,
): ScheduleResult {
  const s = schedulers[name];
  if (s === undefined) {
    throw new InputError(
      `unknown scheduler "${name}" (schedulers: ${schedulerNames().join(', ')})`,
    );
  }
  const settings = {
    seed: options.seed,
    timeLimitSeconds: options.timeLimitSeconds,
    candidateBudget: options.candidateBudget ?? null,
    refine: options.refine ?? null,
  };
  return cachedSchedule(cache, cacheKey(name, w, target.spec, settings), () => {
    const once = { ...options, evaluate: evaluatedOnce(options.evaluate, target, w) };
    const result = s(w, target, once);
    return name === 'baseline' ? result : chooseLoopInstructions(result, w, target, once);
  });
}

/**
 * The evaluator of one schedule call, each mapping of its layer evaluated once: a searching
 * scheduler has already simulated the mapping it returns when chooseLoopInstructions times it again.
 */
function evaluatedOnce(evaluate: Evaluator, target: AnyTarget, w: Workload): Evaluator {
  const seen = new Map<string, number>();
  return (t, layer, m) => {
    if (t !== target || layer !== w) return evaluate(t, layer, m);
    const key = JSON.stringify(m);
    let cycles = seen.get(key);
    if (cycles === undefined) {
      cycles = evaluate(t, layer, m);
      seen.set(key, cycles);
    }
    return cycles;
  };
}

/**
 * A searching scheduler's mapping, or the same tiles and order run the other way: by the target's
 * loop instructions (`hardwareLoops`, one per tile) when the target has a loop unroller, or unrolled
 * when the search kept a looped mapping (cosa weighs the baseline's), whichever the evaluator times
 * faster and the validator accepts. Looped, each tile reloads its inputs and weights, but the host
 * issues one instruction per tile instead of every command. The baseline decides this as the
 * vendor's library does.
 */
function chooseLoopInstructions(
  result: ScheduleResult,
  w: Workload,
  target: AnyTarget,
  options: ScheduleOptions,
): ScheduleResult {
  if (target.unroll === undefined) return result;
  const { hardwareLoops, ...unrolled } = result.mapping;
  const other = hardwareLoops === undefined ? { ...unrolled, hardwareLoops: true } : unrolled;
  if (validateMapping(w, other, target).length > 0) return result;
  const faster = options.evaluate(target, w, other) < options.evaluate(target, w, result.mapping);
  return {
    ...result,
    ...(faster ? { mapping: other } : {}),
    mappingsTried: result.mappingsTried + 1,
  };
}
