import { InputError } from '../errors.js';
import type { AnyTarget } from '../contract/target.js';
import type { Mapping } from '../mapping/mapping.js';
import type { Workload } from '../workload/workload.js';
import { cacheKey, cachedSchedule, type ScheduleCache } from './cache.js';
import { cosa, cosaEven } from './cosa/cosa.js';
import { exhaustive } from './exhaustive.js';
import { foldedNeighbours, foldedVariant } from './fold_variant.js';
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
    return name === 'baseline'
      ? result
      : chooseFoldedColumns(chooseLoopInstructions(result, w, target, once), w, target, once);
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
  return chooseVariant(result, other, w, target, options);
}

/** Rounds of the folded mapping's neighbour search (each times at most six mappings). */
const foldRounds = 3;

/**
 * A searching scheduler's mapping, or the same tiles and order with the kernel columns folded into
 * the array's reduction (`foldKernelColumns`, run unrolled) when the target folds them, the
 * mapping is legal that way and the evaluator times it faster: a conv with few input channels then
 * fills more of the array per pass. A folded mapping is then moved to the fastest of its
 * neighbours (src/schedule/fold_variant.ts) for a few rounds. The baseline decides this as the
 * vendor's library does.
 */
function chooseFoldedColumns(
  result: ScheduleResult,
  w: Workload,
  target: AnyTarget,
  options: ScheduleOptions,
): ScheduleResult {
  const folded = foldedVariant(w, result.mapping, target);
  let chosen = folded === null ? result : chooseVariant(result, folded, w, target, options);
  // Folded, a tile's loads weigh more against its fewer passes: larger or reshaped pixel tiles
  // may run faster. A few rounds of moving to the fastest neighbour, timed by the evaluator.
  for (let round = 0; round < foldRounds; round++) {
    const around = chosen.mapping;
    for (const n of foldedNeighbours(w, around, target)) {
      chosen = chooseVariant(chosen, n, w, target, options);
    }
    if (chosen.mapping === around) break;
  }
  return chosen;
}

/** The result with `variant` as its mapping when that is legal and the evaluator times it faster. */
function chooseVariant(
  result: ScheduleResult,
  variant: Mapping,
  w: Workload,
  target: AnyTarget,
  options: ScheduleOptions,
): ScheduleResult {
  if (validateMapping(w, variant, target).length > 0) return result;
  const faster = options.evaluate(target, w, variant) < options.evaluate(target, w, result.mapping);
  return {
    ...result,
    ...(faster ? { mapping: variant } : {}),
    mappingsTried: result.mappingsTried + 1,
  };
}
