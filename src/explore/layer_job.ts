import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { simulateLayer } from '../driver/layer_report.js';
import { GemmforgeError } from '../errors.js';
import type { AnyTarget } from '../contract/target.js';
import type { Mapping } from '../mapping/mapping.js';
import { simulatedCycles } from '../runtime/run_layer.js';
import { canonicalJson } from '../schedule/cache.js';
import { estimateCost } from '../schedule/cost.js';
import { assertValidMapping } from '../schedule/validate.js';
import { macs } from '../workload/shape.js';
import { candidateBudgets } from '../schedule/exhaustive.js';
import type { SearchLimit } from '../schedule/scheduler.js';
import { schedule } from '../schedule/schedulers.js';
import type { Spec } from '../spec/spec.js';
import { targetFromSpec } from '../targets/index.js';
import type { Workload } from '../workload/workload.js';

/**
 * The unit of work of `gemmforge explore`: one layer on one spec with one scheduler, scheduled and
 * timed (a timing-only simulation, no data). Jobs are plain data so they cross worker threads and
 * job queues; a job's key is a hash of everything that determines its outcome, so equal jobs are
 * computed once, whoever asks and wherever they run.
 */
export interface LayerJob {
  /** The spec without `name`, `description` and `sources` (they do not change a result). */
  readonly spec: Spec;
  /** The workload without its name. */
  readonly workload: Workload;
  /** The requantization scale the program is lowered for (a target's program may depend on it). */
  readonly scale: number;
  readonly scheduler: string;
  readonly seed: number;
  readonly timeLimitSeconds: number;
  /**
   * How the chosen mapping is timed: `simulated` (the timing engine, what `compile` reports) or
   * `predicted` (the analytical cost model, src/schedule/cost.ts: the fast mode's, many times cheaper).
   */
  readonly timing: LayerTiming;
}

export const layerTimings = ['simulated', 'predicted'] as const;
export type LayerTiming = (typeof layerTimings)[number];

export type LayerOutcome =
  | {
      readonly ok: true;
      readonly cycles: number;
      readonly macs: number;
      readonly mapping: Mapping;
      readonly fallback: string | null;
      readonly limitHit: SearchLimit | null;
      /** Wall seconds the job took where it ran (not part of any point's results). */
      readonly seconds: number;
    }
  | {
      readonly ok: false;
      readonly error: string;
      readonly seconds: number;
      /** Set when the failure was the machinery's (a queued job out of tries), not the layer's. */
      readonly transient?: true;
    };

/** gemmforge's version, from the package.json beside src/ and dist/: results may change with it. */
export const gemmforgeVersion: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** A job for a layer of a point. */
export function layerJob(
  spec: Spec,
  workload: Workload,
  scale: number,
  settings: {
    readonly scheduler: string;
    readonly seed: number;
    readonly timeLimitSeconds: number;
    readonly timing: LayerTiming;
  },
): LayerJob {
  return {
    spec: jobSpec(spec),
    workload: { ...workload, name: '' },
    scale,
    ...settings,
  };
}

/**
 * A point's spec as its jobs carry it, and that spec's canonical JSON: made once per spec object, so
 * a point's many jobs share one spec and keying them does not write it out again each time.
 */
const jobSpecs = new WeakMap<Spec, Spec>();
const specJson = new WeakMap<Spec, string>();

function jobSpec(spec: Spec): Spec {
  let s = jobSpecs.get(spec);
  if (s === undefined) {
    const { name: _name, description: _description, sources: _sources, ...rest } = spec;
    s = { ...rest, name: 'point', description: 'explore point' } as Spec;
    jobSpecs.set(spec, s);
  }
  return s;
}

/**
 * The job's key: a SHA-256 of gemmforge's version and the job's canonical JSON, its spec's written
 * after the rest (hex, 64 characters).
 */
export function jobKey(job: LayerJob): string {
  const { spec, ...rest } = job;
  let json = specJson.get(spec);
  if (json === undefined) {
    json = canonicalJson(spec);
    specJson.set(spec, json);
  }
  return createHash('sha256')
    .update(canonicalJson({ version: gemmforgeVersion, job: rest }))
    .update('\n')
    .update(json)
    .digest('hex');
}

/** Targets by spec key, per thread: a target validates its spec once when made. */
const targets = new Map<string, AnyTarget>();

function targetOf(spec: Spec): AnyTarget {
  const key = canonicalJson(spec);
  let t = targets.get(key);
  if (t === undefined) {
    t = targetFromSpec(spec, 'explore point');
    targets.set(key, t);
  }
  return t;
}

/**
 * Schedules and times a job's layer. Bad input on this point (a spec the target refuses, a layer
 * no mapping fits) is an outcome with the message, not a throw: it is the point's to report.
 */
export function runLayerJob(job: LayerJob): LayerOutcome {
  const start = performance.now();
  const seconds = (): number => (performance.now() - start) / 1000;
  try {
    const target = targetOf(job.spec);
    const chosen = schedule(job.scheduler, job.workload, target, {
      evaluate: simulatedCycles,
      seed: job.seed,
      timeLimitSeconds: job.timeLimitSeconds,
      candidateBudget: candidateBudgets.modelLayer,
    });
    let cycles: number;
    if (job.timing === 'simulated') {
      cycles = simulateLayer(job.workload, target, chosen, null, job.scale).report.simulatedCycles;
    } else {
      assertValidMapping(job.workload, chosen.mapping, target);
      cycles = estimateCost(job.workload, chosen.mapping, target.spec).cycles;
    }
    return {
      ok: true,
      cycles,
      macs: macs(job.workload),
      mapping: chosen.mapping,
      fallback: chosen.fallback?.reason ?? null,
      limitHit: chosen.limitHit,
      seconds: seconds(),
    };
  } catch (e) {
    if (!(e instanceof GemmforgeError)) throw e;
    return { ok: false, error: e.message.replace(/\n\s*/g, '; '), seconds: seconds() };
  }
}
