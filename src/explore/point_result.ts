import type { Spec } from '../spec/spec.js';
import { fittedArea, fittedLayerEnergy } from './estimate.js';
import type { LayerOutcome, LayerTiming } from './layer_job.js';
import type { ModelLayers } from './models.js';
import type { Objective, FieldValue } from './sweep.js';

/** A scheduler and how its mappings are timed: one evaluation of a point. */
export interface Pass {
  readonly scheduler: string;
  readonly timing: LayerTiming;
}

/** One model on one point: whole-model cycles, utilization, the fitted energy. */
export interface ModelResult {
  readonly model: string;
  readonly cycles: number;
  readonly macs: number;
  /** MACs / (cycles × PEs). */
  readonly utilization: number;
  /** Fitted to Accelergy (src/explore/estimate.ts), in the data's units. */
  readonly energyFitted: number;
  /** Layers whose scheduler fell back to another mapping, or stopped at a limit. */
  readonly fallbacks: number;
  readonly limitHits: number;
}

/** A line of points.jsonl. */
export interface PointResult {
  /** Its index in the sweep's product; -1 for the base target. */
  readonly index: number;
  readonly values: Readonly<Record<string, FieldValue>>;
  /** `ok`; `invalid` (refused spec or a constraint: nothing run); `failed` (a layer failed). */
  readonly status: 'ok' | 'invalid' | 'failed';
  readonly reason: string | null;
  readonly sramBytes: number;
  readonly pes: number;
  /** Fitted to Accelergy (src/explore/estimate.ts), in the data's units. */
  readonly areaFitted: number;
  /** How `models` were scheduled and timed. */
  readonly pass: Pass;
  readonly models: readonly ModelResult[];
  /** Geometric mean of the models' cycles (the `cycles` objective). */
  readonly cycles: number | null;
  /** With a fast mode, a point re-scheduled by the full scheduler keeps its fast results here. */
  readonly fast?: { readonly pass: Pass; readonly models: readonly ModelResult[] };
  readonly spec: Spec;
}

/** What evaluating a point needs besides its outcomes. */
export interface PointInput {
  readonly index: number;
  readonly values: Readonly<Record<string, FieldValue>>;
  readonly spec: Spec;
  readonly sramBytes: number;
  readonly pes: number;
  readonly invalid: string | null;
}

/** A point's result from its layers' outcomes (`outcome(model, layer)`), in model order. */
export function pointResult(
  p: PointInput,
  models: readonly ModelLayers[],
  pass: Pass,
  outcome: (model: number, layer: number) => LayerOutcome,
): PointResult {
  const head = {
    index: p.index,
    values: p.values,
    sramBytes: p.sramBytes,
    pes: p.pes,
    areaFitted: fittedArea(p.spec),
    pass,
  };
  if (p.invalid !== null) {
    return {
      ...head,
      status: 'invalid',
      reason: p.invalid,
      models: [],
      cycles: null,
      spec: p.spec,
    };
  }
  const results: ModelResult[] = [];
  for (const [mi, m] of models.entries()) {
    let cycles = 0;
    let macs = 0;
    let energy = 0;
    let fallbacks = 0;
    let limitHits = 0;
    for (const [li, l] of m.layers.entries()) {
      const o = outcome(mi, li);
      if (!o.ok) {
        const reason = `${m.name} layer ${l.name}: ${o.error}`;
        return { ...head, status: 'failed', reason, models: [], cycles: null, spec: p.spec };
      }
      cycles += o.cycles * l.count;
      macs += o.macs * l.count;
      energy += fittedLayerEnergy(l.workload, p.sramBytes) * l.count;
      if (o.fallback !== null) fallbacks += l.count;
      if (o.limitHit !== null) limitHits += l.count;
    }
    results.push({
      model: m.name,
      cycles,
      macs,
      utilization: macs / (cycles * p.pes),
      energyFitted: energy,
      fallbacks,
      limitHits,
    });
  }
  const geo =
    results.length === 0
      ? null
      : Math.exp(results.reduce((s, r) => s + Math.log(r.cycles), 0) / results.length);
  return { ...head, status: 'ok', reason: null, models: results, cycles: geo, spec: p.spec };
}

/** A point's value of an objective (all are minimised); null when it has none. */
export function objectiveValue(p: PointResult, o: Objective): number | null {
  switch (o) {
    case 'cycles':
      return p.cycles;
    case 'sramBytes':
      return p.sramBytes;
    case 'area':
      return p.areaFitted;
    case 'energy':
      return p.status === 'ok' ? p.models.reduce((s, m) => s + m.energyFitted, 0) : null;
    case 'pes':
      return p.pes;
  }
}

/**
 * The points no other point beats on every value (`values` gives a point's values, all minimised;
 * points without values are left out), by index order. Two points with equal values both stay.
 */
export function paretoFront(
  points: readonly PointResult[],
  values: (p: PointResult) => readonly number[] | null,
): PointResult[] {
  const scored = points
    .map((p) => ({ p, v: values(p) }))
    .filter((x): x is { p: PointResult; v: readonly number[] } => x.v !== null);
  const dominates = (a: readonly number[], b: readonly number[]): boolean =>
    a.every((x, i) => x <= b[i]) && a.some((x, i) => x < b[i]);
  return scored.filter((x) => !scored.some((y) => dominates(y.v, x.v))).map((x) => x.p);
}

/** A point's values of the sweep's objectives, or null when it lacks one. */
export function objectiveValues(objectives: readonly Objective[]) {
  return (p: PointResult): number[] | null => {
    const vs = objectives.map((o) => objectiveValue(p, o));
    return vs.some((v) => v === null) ? null : (vs as number[]);
  };
}
