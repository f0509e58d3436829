import {
  objectiveValues,
  paretoFront,
  type ModelResult,
  type PointResult,
} from './point_result.js';
import type { Objective, Sweep } from './sweep.js';

/** A point's figure for one model, against the base target's. */
export interface BestPoint {
  readonly index: number;
  readonly cycles: number;
  readonly sramBytes: number;
  /** Base cycles / this point's cycles (null without the base's). */
  readonly gain: number | null;
}

/** pareto.json: the front over the sweep's objectives, and per model its own front and best points. */
export interface ParetoSummary {
  readonly objectives: readonly Objective[];
  /** Indices of the points on the front, by index. */
  readonly front: readonly number[];
  readonly models: readonly {
    readonly model: string;
    readonly baseCycles: number | null;
    /** Front of (this model's cycles, SRAM bytes). */
    readonly front: readonly number[];
    /** The fewest cycles of any point. */
    readonly best: BestPoint | null;
    /** The fewest cycles at no more SRAM than the base target's. */
    readonly bestWithinBaseSram: BestPoint | null;
  }[];
}

function modelOf(p: PointResult, model: string): ModelResult | undefined {
  return p.models.find((m) => m.model === model);
}

/** The point with the fewest cycles on `model` among `points` (lowest index on a tie). */
function fastest(points: readonly PointResult[], model: string): PointResult | null {
  let best: PointResult | null = null;
  for (const p of points) {
    const c = modelOf(p, model)?.cycles;
    if (c === undefined) continue;
    const b = best === null ? undefined : modelOf(best, model)?.cycles;
    if (b === undefined || c < b) best = p;
  }
  return best;
}

function bestPoint(
  p: PointResult | null,
  model: string,
  baseCycles: number | null,
): BestPoint | null {
  const m = p === null ? undefined : modelOf(p, model);
  if (p === null || m === undefined) return null;
  return {
    index: p.index,
    cycles: m.cycles,
    sramBytes: p.sramBytes,
    gain: baseCycles === null ? null : baseCycles / m.cycles,
  };
}

function modelNames(points: readonly PointResult[], base: PointResult): string[] {
  const names = base.models.map((m) => m.model);
  for (const p of points)
    for (const m of p.models) if (!names.includes(m.model)) names.push(m.model);
  return names;
}

export function paretoSummary(
  points: readonly PointResult[],
  base: PointResult,
  objectives: readonly Objective[],
): ParetoSummary {
  const ok = points.filter((p) => p.status === 'ok');
  return {
    objectives,
    front: paretoFront(ok, objectiveValues(objectives)).map((p) => p.index),
    models: modelNames(ok, base).map((model) => {
      const baseCycles = modelOf(base, model)?.cycles ?? null;
      const within = ok.filter((p) => p.sramBytes <= base.sramBytes);
      const front = paretoFront(ok, (p) => {
        const c = modelOf(p, model)?.cycles;
        return c === undefined ? null : [c, p.sramBytes];
      });
      return {
        model,
        baseCycles,
        front: front.map((p) => p.index),
        best: bestPoint(fastest(ok, model), model, baseCycles),
        bestWithinBaseSram: bestPoint(fastest(within, model), model, baseCycles),
      };
    }),
  };
}

/**
 * The points a fast sweep re-schedules with the full scheduler, most promising first: each model's
 * fastest point and fastest at no more SRAM than the base, then the front over the objectives by
 * cycles. Indices into `points`.
 */
export function bestPoints(
  points: readonly PointResult[],
  base: PointResult,
  sweep: Sweep,
): number[] {
  const summary = paretoSummary(points, base, sweep.objectives);
  const order: number[] = [];
  const add = (i: number | undefined): void => {
    if (i !== undefined && !order.includes(i)) order.push(i);
  };
  for (const m of summary.models) {
    add(m.best?.index);
    add(m.bestWithinBaseSram?.index);
  }
  const byCycles = [...summary.front].sort(
    (a, b) => (points[a].cycles ?? Infinity) - (points[b].cycles ?? Infinity) || a - b,
  );
  for (const i of byCycles) add(i);
  return order;
}
