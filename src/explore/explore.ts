import type { AnyTarget } from '../contract/target.js';
import { recordOutcome, type JobCache } from './job_cache.js';
import { jobKey, layerJob, type LayerOutcome } from './layer_job.js';
import { modelLayers, type ModelLayers } from './models.js';
import { bestPoints, paretoSummary, type ParetoSummary } from './pareto.js';
import { pointResult, type Pass, type PointInput, type PointResult } from './point_result.js';
import { baseTarget, sramBytes, sweepPoints } from './points.js';
import type { Sweep } from './sweep.js';
import type { JobRunner } from './thread_pool.js';

/**
 * `gemmforge explore`'s engine: every point of a sweep (and the base target, for comparison) with
 * every model's layers scheduled and timed as layer jobs. A job is computed once per key (in this
 * run: shared by every point that has it; across runs: through the persistent cache); where it
 * runs is the runner's business. The results do not depend on the runner or on the order jobs
 * finish in: each point is assembled from its jobs' outcomes in model and layer order.
 */

export interface ExploreOptions {
  readonly runner: JobRunner;
  readonly cache: JobCache;
  /** Each point as soon as its first evaluation is complete (for points.jsonl while running). */
  readonly onPoint?: (p: PointResult) => void;
  /** Layer jobs finished and known so far (cached ones count as finished). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ExploreRun {
  readonly base: PointResult;
  /** Every point in product order (fewer when interrupted: the finished ones). */
  readonly points: readonly PointResult[];
  readonly total: number;
  readonly models: readonly string[];
  readonly pareto: ParetoSummary;
  /**
   * Distinct layer jobs computed in this run and found in the cache; and `requests`, the jobs the
   * points asked for (a job shared by several points is asked for by each).
   */
  readonly jobs: { readonly computed: number; readonly cached: number; readonly requests: number };
  readonly interrupted: boolean;
}

/** Points evaluated at once: bounds the jobs in flight and memory on large sweeps. */
const pointWindow = 64;

/** `fn` over `items`, at most `limit` at a time; results in item order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (x: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

function baseInput(base: AnyTarget): PointInput {
  const spec = base.spec;
  const pes = spec.array.rows * spec.array.cols;
  return { index: -1, values: {}, spec, sramBytes: sramBytes(spec), pes, invalid: null };
}

export async function explore(sweep: Sweep, options: ExploreOptions): Promise<ExploreRun> {
  const base = baseTarget(sweep);
  const points = sweepPoints(sweep, base.spec);
  const models: ModelLayers[] = sweep.models.map((m) => modelLayers(m, base, sweep.seed));
  const { runner, cache } = options;
  const seen = new Set<string>();
  const inflight = new Map<string, Promise<LayerOutcome | null>>();
  const jobs = { computed: 0, cached: 0, requests: 0 };
  let finished = 0;
  const progress = (): void => options.onProgress?.(finished, seen.size);

  const outcome = (key: string, run: () => Promise<LayerOutcome | null>) => {
    const hit = cache.entries.get(key);
    jobs.requests++;
    if (!seen.has(key)) {
      seen.add(key);
      if (hit !== undefined) {
        jobs.cached++;
        finished++;
      }
      progress();
    }
    if (hit !== undefined) return Promise.resolve(hit);
    let p = inflight.get(key);
    if (p === undefined) {
      p = run().then((o) => {
        inflight.delete(key);
        if (o === null) return null;
        // A transient failure is reported by its points but not kept: a later run tries again.
        if (o.ok || o.transient !== true) recordOutcome(cache, key, o);
        jobs.computed++;
        finished++;
        progress();
        return o;
      });
      inflight.set(key, p);
    }
    return p;
  };

  const evaluate = async (p: PointInput, pass: Pass): Promise<PointResult | null> => {
    const { scheduler, timing } = pass;
    if (p.invalid !== null) return pointResult(p, models, pass, () => ({}) as LayerOutcome);
    const settings = {
      scheduler,
      seed: sweep.seed,
      timeLimitSeconds: sweep.timeLimitSeconds,
      timing,
    };
    const outcomes = await Promise.all(
      models.map((m) =>
        Promise.all(
          m.layers.map((l) => {
            const job = layerJob(p.spec, l.workload, l.scale, settings);
            const key = jobKey(job);
            return outcome(key, () => runner.run(key, job));
          }),
        ),
      ),
    );
    if (outcomes.some((os) => os.some((o) => o === null))) return null;
    return pointResult(p, models, pass, (mi, li) => outcomes[mi][li] as LayerOutcome);
  };

  const full: Pass = { scheduler: sweep.scheduler, timing: 'simulated' };
  const first: Pass =
    sweep.fast === undefined ? full : { scheduler: sweep.fast.scheduler, timing: 'predicted' };
  const inputs: PointInput[] = points.map((p) => ({ ...p }));
  const [baseResult, ...firstResults] = await mapLimited(
    [{ ...baseInput(base) }, ...inputs],
    pointWindow,
    async (p) => {
      const r = await evaluate(p, first);
      if (r !== null && r.index >= 0) options.onPoint?.(r);
      return r;
    },
  );
  let results = firstResults;
  let baseFinal = baseResult;
  const interrupted = baseFinal === null || results.some((r) => r === null);
  if (!interrupted && sweep.fast !== undefined && sweep.fast.rescheduleTop > 0) {
    const chosen = bestPoints(results as PointResult[], baseFinal as PointResult, sweep).slice(
      0,
      sweep.fast.rescheduleTop,
    );
    const again = await mapLimited(
      [{ ...baseInput(base) }, ...chosen.map((i) => inputs[i])],
      pointWindow,
      (p) => evaluate(p, full),
    );
    const withFast = (again: PointResult | null, fast: PointResult): PointResult | null =>
      again === null ? null : { ...again, fast: { pass: fast.pass, models: fast.models } };
    baseFinal = withFast(again[0], baseFinal as PointResult);
    results = [...results];
    chosen.forEach((i, k) => {
      results[i] = withFast(again[k + 1], results[i] as PointResult);
    });
  }
  const done = results.filter((r): r is PointResult => r !== null);
  const stopped = interrupted || baseFinal === null || done.length < results.length;
  const baseDone = baseFinal ?? pointResult(baseInput(base), [], first, () => ({}) as LayerOutcome);
  return {
    base: baseDone,
    points: done,
    total: points.length,
    models: models.map((m) => m.name),
    pareto: paretoSummary(done, baseDone, sweep.objectives),
    jobs,
    interrupted: stopped,
  };
}
