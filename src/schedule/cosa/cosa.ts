import type { TensorRole } from '../../spec/spec.js';
import type { AnyTarget } from '../../contract/target.js';
import type { Workload } from '../../workload/workload.js';
import { loopNest } from '../../workload/shape.js';
import { estimateCost } from '../cost.js';
import { foldedVariant } from '../fold_variant.js';
import type { Mapping } from '../../mapping/mapping.js';
import type { ScheduleOptions, ScheduleResult, SearchLimit } from '../scheduler.js';
import { occupancy } from '../occupancy.js';
import { targetBaseline } from '../target_baseline.js';
import { validateMapping } from '../validate.js';
import { decisionValues, decodeSolution } from './decode.js';
import { costDescent, legalNearby } from './local_search.js';
import { formulate } from './formulate.js';
import { decodeEven, formulateEven } from './formulate_even.js';
import { addRow, lpText, type Milp } from './milp.js';
import { fittedWeights, type CosaWeights } from './objective.js';
import { arrayChoices, problemFacts, type ProblemFacts } from './problem.js';
import {
  highsSolver,
  type MilpSolver,
  type SolveOptions,
  type SolveOutcome,
  type SolverLimit,
  type SolverWork,
} from './solve.js';

/**
 * The CoSA schedulers (docs/scheduling.md): `cosa-even`, CoSA's prime-factor MIP as published, and `cosa`,
 * our extension (non-divisor tiles, resident panels, double buffering as a decision, an objective in
 * cycles with fitted weights). One MIP per choice of array axes (dataflow, and groups on the array
 * for a depthwise conv). Every decoded mapping is validated exactly; when it overflows a memory (the
 * log-space capacity is approximate) the model is re-solved with that tensor's capacity tightened by
 * the overflow; when it still overflows after `maxRetries` re-solves, or breaks a limit the MIP
 * does not model, the nearest legal mapping with smaller tiles replaces it (`legalNearby`).
 * `refine` N keeps the N best solutions of each MIP (no-good cuts, default 1), and `cosa` simulates
 * them (timing only) with the target's baseline mapping: the fastest wins, so it
 * never returns a mapping slower than the baseline. `cosa-even` ranks its solutions by the cost model
 * unless refining. With no solution at all (time limit, infeasible, solver error, nothing valid) the result is
 * the baseline (or the simple mapping) with `fallback.reason`.
 */
export interface CosaOptions extends ScheduleOptions {
  /** The MILP solver (HiGHS by default; tests inject failing ones). */
  readonly solver?: MilpSolver;
  readonly weights?: CosaWeights;
  readonly mipRelGap?: number;
  /**
   * `cosa` only: leave the baseline and the solutions' neighbours out of the final choice (to
   * measure the MIP alone).
   */
  readonly withoutBaseline?: boolean;
  /**
   * `cosa` only: its candidate tiles, one per trip count (the default) or only exact divisors of
   * the bound (to measure what non-divisor tiles bring and cost, docs/cosa.md).
   */
  readonly candidateTiles?: 'trip-counts' | 'divisors';
}

type Variant = 'even' | 'extended';

interface Candidate {
  readonly mapping: Mapping;
  readonly objective: number;
}

const defaultGap = 0.03;
/**
 * `cosa` simulates the mappings its cost model puts at most this far above the best of them.
 * Simulations are most of its solve time: on every layer of bench/schedulers.ts (three networks on
 * one target, ResNet-50 on three more) this chose the same mappings as simulating the whole pool,
 * in 28–35% less solve time (docs/cosa.md, step 5).
 */
const simulatedSpread = 1.3;
const maxRetries = 3;

/**
 * The deterministic limits of each MIP (docs/cosa.md, "Determinism"). `cosa`'s models are small and
 * HiGHS solves them at or near the root node; the node limit only bounds a pathological tree.
 * CoSA's prime model is large and its root work (presolve, cuts, heuristics) takes seconds: it stops
 * at its third improving solution, without presolve, which keeps its solve time near the 2 s the
 * wall-clock limit used to allow.
 */
const solverWork: Readonly<Record<Variant, SolverWork>> = {
  extended: { maxNodes: 500, maxImprovingSolutions: null, presolve: true },
  even: { maxNodes: 200, maxImprovingSolutions: 3, presolve: false },
};

/** When several limits stopped MIPs of one layer, the one that depends on the machine wins. */
const limitRank: Readonly<Record<SolverLimit, number>> = { time: 3, nodes: 2, solutions: 1 };

function worseLimit(a: SearchLimit | null, b: SolverLimit | null): SearchLimit | null {
  if (b === null) return a;
  if (a === null || a === 'candidates') return b;
  return limitRank[b] > limitRank[a] ? b : a;
}

export function cosa(w: Workload, target: AnyTarget, options: CosaOptions): ScheduleResult {
  return run('extended', w, target, options);
}

export function cosaEven(w: Workload, target: AnyTarget, options: CosaOptions): ScheduleResult {
  return run('even', w, target, options);
}

function run(
  variant: Variant,
  w: Workload,
  target: AnyTarget,
  options: CosaOptions,
): ScheduleResult {
  const name = variant === 'even' ? 'cosa-even' : 'cosa';
  const start = performance.now();
  const solver = options.solver ?? highsSolver;
  const weights = options.weights ?? fittedWeights;
  const refine = Math.max(1, Math.floor(options.refine ?? (variant === 'extended' ? 1 : 0)));
  const simulate = variant === 'extended' || (options.refine ?? 0) > 0;
  const candidates: Candidate[] = [];
  const reasons: string[] = [];
  let limitHit: SearchLimit | null = null;
  const choices = arrayChoices(w, target);
  if (choices.length === 0) reasons.push('the target accepts none of the array axes tried');
  for (const choice of choices) {
    const facts = problemFacts(w, target, choice, {
      maxTiles: 10,
      divisorsOnly: variant === 'even' || options.candidateTiles === 'divisors',
      wholeKernel: variant === 'extended',
    });
    const label = `${choice.dataflow} (${choice.spatial.rows}×${choice.spatial.cols})`;
    if (facts === undefined) {
      reasons.push(`${label}: the target accepts no tile of some dim`);
      continue;
    }
    const margin = new Map<TensorRole, number>();
    const cuts: [string, boolean][][] = [];
    let found = 0;
    for (let attempt = 0; attempt <= maxRetries && found < refine;) {
      const built =
        variant === 'even' ? evenModel(facts, margin) : extendedModel(facts, weights, margin);
      for (const cut of cuts) noGood(built.milp, cut, `nogood_${cuts.indexOf(cut)}`);
      const outcome = solveSafely(solver, lpText(built.milp), {
        timeLimitSeconds: options.timeLimitSeconds,
        mipRelGap: options.mipRelGap ?? defaultGap,
        work: solverWork[variant],
      });
      limitHit = worseLimit(limitHit, outcome.limit);
      if (outcome.kind === 'no-solution') {
        if (found === 0) reasons.push(`${label}: ${outcome.reason}`);
        break;
      }
      const decoded = built.decode(outcome.values);
      const overflow = overflows(w, decoded, target);
      if (overflow.size > 0 && attempt < maxRetries) {
        attempt++;
        for (const [v, log] of overflow) margin.set(v, (margin.get(v) ?? 0) + log + 1e-3);
        continue;
      }
      // The last retry's overflow, or a limit the MIP does not model: the nearest legal tiles.
      const problems = validateMapping(w, decoded, target);
      const mapping = problems.length === 0 ? decoded : legalNearby(w, decoded, target);
      if (mapping === null) {
        reasons.push(
          `${label}: decoded mapping is not legal (${problems[0].path}: ${problems[0].message}) and no smaller tiles near it are${overflow.size > 0 ? ` (after ${maxRetries} tightened re-solves)` : ''}`,
        );
        break;
      }
      found++;
      if (!candidates.some((c) => sameMapping(c.mapping, mapping))) {
        candidates.push({ mapping, objective: outcome.objective });
      }
      if (built.decisions === undefined) break;
      cuts.push(built.decisions(outcome.values));
    }
  }
  const base = baselineOf(w, target);
  if (candidates.length === 0) {
    return {
      scheduler: name,
      mapping: base.mapping,
      solveSeconds: (performance.now() - start) / 1000,
      mappingsTried: 0,
      complete: limitHit === null,
      limitHit,
      fallback: {
        reason: `${reasons.join('; ')}; ${base.own ? 'the target baseline' : 'the simple mapping'} used`,
      },
    };
  }
  const pool = candidates.map((c) => c.mapping);
  if (variant === 'extended' && options.withoutBaseline !== true) {
    for (const c of candidates) {
      for (const n of neighbourMappings(w, c.mapping, target)) {
        if (!pool.some((m) => sameMapping(m, n))) pool.push(n);
      }
    }
  }
  // The cost model's cycles of each pool member, kept beside it as the pool grows.
  const estimates = pool.map((m) => estimateCost(w, m, target.spec).cycles);
  // A descent on the cost model from each MIP's solution, kept when the model puts it below
  // everything in the pool: the simulator then decides, as for every other candidate.
  if (variant === 'extended' && options.withoutBaseline !== true) {
    const floor = Math.min(...estimates);
    for (const c of candidates) {
      const d = costDescent(w, c.mapping, target);
      if (d.cycles < floor && !pool.some((m) => sameMapping(m, d.mapping))) {
        pool.push(d.mapping);
        estimates.push(d.cycles);
      }
    }
  }
  if (variant === 'extended' && options.withoutBaseline !== true && base.own) {
    if (validateMapping(w, base.mapping, target).length === 0) {
      if (!pool.some((m) => sameMapping(m, base.mapping))) {
        pool.push(base.mapping);
        estimates.push(estimateCost(w, base.mapping, target.spec).cycles);
      }
    }
  }
  // Each with its kernel columns folded into the reduction too, where the target folds them: the
  // objective does not know the fold, so only the simulator can rank those (a folded mapping takes
  // its unfolded one's estimate).
  if (variant === 'extended' && simulate) {
    for (const [i, m] of [...pool].entries()) {
      const folded = foldedVariant(w, m, target);
      if (folded !== null) {
        pool.push(folded);
        estimates.push(estimates[i]);
      }
    }
  }
  // Simulated (timing only) when simulating, else ranked by the cost model: the simulator is the
  // arbiter the objective is fitted against, and the cost model misranks some small-tile mappings.
  // `cosa` simulates only what the model puts within `simulatedSpread` of its best, and always the
  // target's baseline (so that it is never slower than the baseline).
  const spread = variant === 'extended' ? simulatedSpread * Math.min(...estimates) : Infinity;
  let best = pool[0];
  let bestScore = Infinity;
  for (const [i, m] of pool.entries()) {
    if (simulate && estimates[i] > spread && !sameMapping(m, base.mapping)) continue;
    const s = simulate ? options.evaluate(target, w, m) : estimates[i];
    if (s < bestScore) {
      bestScore = s;
      best = m;
    }
  }
  return {
    scheduler: name,
    mapping: best,
    solveSeconds: (performance.now() - start) / 1000,
    mappingsTried: pool.length,
    complete: limitHit === null,
    limitHit,
    fallback: null,
  };
}

interface BuiltModel {
  readonly milp: Milp;
  decode(values: ReadonlyMap<string, number>): Mapping;
  readonly decisions?: (values: ReadonlyMap<string, number>) => [string, boolean][];
}

function extendedModel(
  facts: ProblemFacts,
  weights: CosaWeights,
  margin: ReadonlyMap<TensorRole, number>,
): BuiltModel {
  const model = formulate(facts, {
    weights,
    residency: true,
    doubleBufferDecision: true,
    capacityMarginLog: margin,
  });
  return {
    milp: model.milp,
    decode: (values) => decodeSolution(facts, model.vars, values),
    decisions: (values) => decisionValues(model.vars, values),
  };
}

function evenModel(facts: ProblemFacts, margin: ReadonlyMap<TensorRole, number>): BuiltModel {
  const model = formulateEven(facts, margin);
  return {
    milp: model.milp,
    decode: (values) => decodeEven(facts, model, values),
    decisions: (values) =>
      [...model.milp.vars.values()]
        .filter((v) => v.kind === 'binary')
        .map((v) => [v.name, (values.get(v.name) ?? 0) > 0.5]),
  };
}

/** A solver that throws (an injected one, or a broken runtime) yields no solution, with the reason. */
function solveSafely(solver: MilpSolver, lp: string, options: SolveOptions): SolveOutcome {
  try {
    return solver(lp, options);
  } catch (e) {
    return {
      kind: 'no-solution',
      reason: `solver error: ${e instanceof Error ? e.message : String(e)}`,
      limit: null,
      seconds: 0,
    };
  }
}

/** Excludes one assignment of the given binaries: Σ_{on}(1 − b) + Σ_{off} b ≥ 1. */
function noGood(milp: Milp, values: readonly [string, boolean][], name: string): void {
  const ones = values.filter(([, on]) => on).length;
  addRow(
    milp,
    name,
    values.map(([n, on]) => [n, on ? -1 : 1]),
    '>=',
    1 - ones,
  );
}

/** Per tensor, log2 of how far its memory overflows (only memories that overflow). */
function overflows(w: Workload, m: Mapping, target: AnyTarget): Map<TensorRole, number> {
  const footprints = target.footprint(w, m);
  const uses = new Map(occupancy(footprints, m, target.spec).map((u) => [u.memory, u]));
  const out = new Map<TensorRole, number>();
  for (const f of footprints) {
    const u = uses.get(f.memory);
    if (u !== undefined && u.rows > u.capacityRows)
      out.set(f.tensor, Math.log2(u.rows / u.capacityRows));
  }
  return out;
}

/** The target's baseline mapping; the simple mapping when it has none or refuses this layer. */
function baselineOf(w: Workload, target: AnyTarget): { mapping: Mapping; own: boolean } {
  const b = targetBaseline(w, target);
  return { mapping: b.mapping, own: b.reason === null };
}

function sameMapping(a: Mapping, b: Mapping): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Legal neighbours of a MIP solution the simulator also times: its array-axis tiles cut down to a
 * power of two of array blocks (416 → 256 channels on a 16-wide array) and raised to the next one
 * (48 → 64), each of these and the solution itself with every tensor double-buffered. The MIP
 * counts DMA bytes, not bus requests (a row of 80 or 416 bytes splits into more, smaller requests
 * than one of 64 or 256), and its log-space capacity shares are approximate, so a tile one step
 * larger or a second buffer it ruled out may still fit.
 */
export function neighbourMappings(w: Workload, m: Mapping, target: AnyTarget): Mapping[] {
  const bounds = new Map(loopNest(w).dims.map((d) => [d.dim as string, d.bound]));
  const axes: readonly [string, number][] = [
    [m.spatial.rows, target.spec.array.rows],
    [m.spatial.cols, target.spec.array.cols],
  ];
  const snapped = (round: (x: number) => number): Mapping => {
    const tile: Record<string, number> = { ...m.tile };
    for (const [d, block] of axes) {
      const t = tile[d];
      const bound = bounds.get(d);
      if (t === undefined || bound === undefined || t <= block) continue;
      tile[d] = Math.min(bound, block * 2 ** round(Math.log2(t / block)));
    }
    return { ...m, tile: tile as Mapping['tile'] };
  };
  const allDoubleBuffered = (x: Mapping): Mapping => ({
    ...x,
    doubleBuffer: { input: true, weight: true, output: true },
  });
  const tiles = [m, snapped(Math.floor), snapped(Math.ceil)];
  const out: Mapping[] = [];
  for (const x of [...tiles, ...tiles.map(allDoubleBuffered)]) {
    if ([m, ...out].some((y) => sameMapping(x, y))) continue;
    if (validateMapping(w, x, target).length === 0) out.push(x);
  }
  return out;
}
