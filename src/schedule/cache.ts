import type { Spec } from '../spec/spec.js';
import type { Workload } from '../workload/workload.js';
import type { ScheduleResult } from './scheduler.js';

/**
 * Schedules per identical problem, for one compile or one benchmark: a layer that occurs many times
 * (or twice under different names) is scheduled once, by any scheduler. The key is canonical JSON of
 * the scheduler, the workload without its name, the whole spec and the scheduler's settings. The
 * caller owns the cache and passes it in (`ScheduleOptions.cache`); nothing is cached behind its back.
 */
export type ScheduleCache = Map<string, ScheduleResult>;

export function createScheduleCache(): ScheduleCache {
  return new Map();
}

export function clearScheduleCache(cache: ScheduleCache): void {
  cache.clear();
}

/**
 * The result of an identical problem scheduled before (with solve time 0: nothing was solved this
 * time), or `compute`'s, stored under `key`. Without a cache, just `compute`'s.
 */
export function cachedSchedule(
  cache: ScheduleCache | undefined,
  key: string,
  compute: () => ScheduleResult,
): ScheduleResult {
  const hit = cache?.get(key);
  if (hit !== undefined) return { ...hit, solveSeconds: 0 };
  const result = compute();
  cache?.set(key, result);
  return result;
}

export function cacheKey(scheduler: string, w: Workload, spec: Spec, settings: unknown): string {
  return canonicalJson({ scheduler, workload: { ...w, name: '' }, spec, settings });
}

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (x !== null && typeof x === 'object') {
    const entries = Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(x) ?? 'null';
}
