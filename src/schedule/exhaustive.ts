import type { Dataflow } from '../spec/spec.js';
import type { AnyTarget } from '../contract/target.js';
import { isDepthwise, loopNest } from '../workload/shape.js';
import type { Dim, LoopNest, Workload } from '../workload/workload.js';
import { estimateCost } from './cost.js';
import type { Mapping } from '../mapping/mapping.js';
import type { ScheduleOptions, ScheduleResult } from './scheduler.js';
import { targetBaseline } from './target_baseline.js';
import { foldedVariant } from './fold_variant.js';
import { validateMapping } from './validate.js';

/**
 * The exhaustive scheduler, our oracle. Its space, stated:
 * - every dataflow of the target, with the conventional array axes (weight-stationary: channel dim
 *   on the rows, output-channel dim on the columns; output-stationary: pixel dim on the rows), and
 *   for a depthwise conv also its groups on the array (diagonal weight blocks);
 * - per dim, the smallest tile for each trip count n: ⌈D/n⌉ rounded up to a multiple of the array
 *   dimension for dims bound to an array axis (so 1000 → 1000, 512, 336, … 16), ⌈D/n⌉ otherwise; all
 *   trip counts when that gives at most `maxTiles` distinct tiles, else `maxTiles` log-spaced ones
 *   (always n = 1 and the largest);
 * - every DRAM loop order of the dims with more than one trip in which no reduction loop is outside an
 *   output loop, one per distinct pattern of reuse (orders that reload every tensor equally often are
 *   the same mapping to the hardware);
 * - every combination of double-buffered tensors the memories allow; no resident panels.
 * Every legal mapping in it is scored by the cost model (costing steps by class), the best 256 again
 * step by step; the best `simulateTop` of those, and the target's baseline mapping when it has one,
 * are then simulated (timing only), each also with its kernel columns folded where the target folds
 * them (`foldKernelColumns`), and the fastest wins. When the whole space has at most `simulateTop` legal mappings,
 * all are simulated. `mappingsTried` counts the legal mappings scored. Its budget is deterministic:
 * it evaluates at most `candidateBudget` candidates (each mapping it checks or scores, in a fixed
 * order), so the same layer gives the same mapping on any machine; the time limit is a safety net.
 * At either limit the search stops (`complete: false`, `limitHit` says which) and the best of what it
 * scored wins.
 */
export interface ExhaustiveOptions extends ScheduleOptions {
  readonly maxTiles?: number;
  readonly simulateTop?: number;
}

/**
 * Candidates the exhaustive search evaluates: for one layer (`gemmforge schedule`, and whenever the
 * caller sets no budget: the whole space of most layers), and per layer of a model (a 28×28,
 * 128→128 3×3 conv stops after 20,000 candidates and simulates its finalists in about 12 s on this
 * 2-core machine under load; its whole space scores 233,886 legal mappings).
 */
export const candidateBudgets = { layer: 500_000, modelLayer: 20_000 } as const;

interface Scored {
  readonly mapping: Mapping;
  readonly cost: number;
}

function tileCandidates(bound: number, block: number, maxTiles: number): number[] {
  const blocks = Math.ceil(bound / block);
  const trips = block > 1 ? blocks : bound;
  const tileFor = (n: number): number =>
    block > 1 ? Math.min(bound, block * Math.ceil(blocks / n)) : Math.ceil(bound / n);
  // The tiles of n = 1 … trips number at least √trips − 1 (below √trips each n gives its own), so
  // beyond (maxTiles + 2)² trips they are sampled without listing every n (a billion-row GEMM).
  const many = trips > (maxTiles + 2) ** 2;
  let ns: number[] = [];
  if (!many) for (let n = 1; n <= trips; n++) ns.push(n);
  if (many || new Set(ns.map(tileFor)).size > maxTiles) {
    ns = [];
    for (let i = 0; i < maxTiles; i++)
      ns.push(Math.round(Math.exp((Math.log(trips) * i) / (maxTiles - 1))));
  }
  return [...new Set(ns.map(tileFor))].sort((a, b) => b - a);
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) =>
    permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]),
  );
}

/** Orders of the active dims with reductions inside outputs, one per reuse pattern. */
function ordersFor(nest: LoopNest, active: readonly Dim[]): Dim[][] {
  const seen = new Set<string>();
  const out: Dim[][] = [];
  for (const order of permutations(active)) {
    const legal = order.every(
      (d, i) =>
        !nest.reduction.includes(d) || order.slice(i + 1).every((e) => nest.reduction.includes(e)),
    );
    if (!legal) continue;
    // Reuse pattern: for each tensor, the dims inside its innermost relevant loop.
    const key = (['input', 'weight', 'output'] as const)
      .map((v) => {
        let innermost = -1;
        order.forEach((d, i) => {
          if (nest.relevant[v].includes(d)) innermost = i;
        });
        return order
          .slice(innermost + 1)
          .sort()
          .join('');
      })
      .join('|');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(order);
  }
  return out;
}

/**
 * The array axes a dataflow may use: the conventional ones, and for a depthwise conv (one channel per
 * group) also groups on the array (DIM groups at once on diagonal weight blocks).
 */
function spatialFor(w: Workload, nest: LoopNest, dataflow: Dataflow): Mapping['spatial'][] {
  const ws = dataflow === 'weight-stationary';
  const out: Mapping['spatial'][] = [
    ws
      ? { rows: nest.channel, cols: nest.outChannel }
      : { rows: nest.pixel, cols: nest.outChannel },
  ];
  const depthwise = isDepthwise(w);
  if (depthwise) out.push(ws ? { rows: 'G', cols: 'G' } : { rows: nest.pixel, cols: 'G' });
  return out;
}

export function exhaustive(
  w: Workload,
  target: AnyTarget,
  options: ExhaustiveOptions,
): ScheduleResult {
  const start = performance.now();
  const spec = target.spec;
  const nest = loopNest(w);
  const maxTiles = options.maxTiles ?? 12;
  const simulateTop = options.simulateTop ?? 16;
  const rescoreTop = Math.max(simulateTop, 256);
  const dbChoices = (['input', 'weight', 'output'] as const).map((v) => {
    const home = Object.values(spec.memories).find((m) => m.holds.includes(v));
    return home?.doubleBuffer ? [false, true] : [false];
  });
  const scored: { mapping: Mapping; cost: number }[] = [];
  const ordersCache = new Map<string, Dim[][]>();
  let tried = 0;
  let evaluated = 0;
  const budget = options.candidateBudget ?? candidateBudgets.layer;
  const deadline = start + 1000 * options.timeLimitSeconds;
  let limitHit: 'time' | 'candidates' | null = null;
  for (const [dataflow, spatial] of spec.array.dataflows.flatMap((d) =>
    spatialFor(w, nest, d).map((sp) => [d, sp] as const),
  )) {
    const lists = nest.dims.map(({ dim, bound }) => {
      if (dim === 'G' && spatial.cols !== 'G') return [1];
      const block =
        dim === spatial.rows ? spec.array.rows : dim === spatial.cols ? spec.array.cols : 1;
      return tileCandidates(bound, block, maxTiles);
    });
    const tile: Partial<Record<Dim, number>> = {};
    const visit = (i: number): void => {
      if (limitHit !== null) return;
      if (i < nest.dims.length) {
        for (const t of lists[i]) {
          tile[nest.dims[i].dim] = t;
          visit(i + 1);
        }
        return;
      }
      if (evaluated >= budget) {
        limitHit = 'candidates';
        return;
      }
      if (performance.now() > deadline) {
        limitHit = 'time';
        return;
      }
      const active = nest.dims
        .filter((d) => Math.ceil(d.bound / (tile[d.dim] ?? 1)) > 1)
        .map((d) => d.dim);
      const inactive = nest.dims.map((d) => d.dim).filter((d) => !active.includes(d));
      const key = active.join('');
      let orders = ordersCache.get(key);
      if (orders === undefined) {
        orders = ordersFor(nest, active);
        ordersCache.set(key, orders);
      }
      for (const dbI of dbChoices[0]) {
        for (const dbW of dbChoices[1]) {
          for (const dbO of dbChoices[2]) {
            let fits: boolean | undefined;
            for (const order of orders) {
              const mapping: Mapping = {
                dataflow,
                spatial,
                tile: { ...tile },
                order: [...inactive, ...order],
                resident: { input: [], weight: [], output: [] },
                doubleBuffer: { input: dbI, weight: dbW, output: dbO },
              };
              evaluated++;
              if (evaluated % 1000 === 0) options.onProgress?.(evaluated, budget);
              if (fits === undefined) fits = validateMapping(w, mapping, target).length === 0;
              if (!fits) break;
              tried++;
              scored.push({
                mapping,
                cost: estimateCost(w, mapping, spec, { stepwise: false }).cycles,
              });
            }
          }
        }
      }
    };
    visit(0);
  }
  if (scored.length === 0) {
    return {
      scheduler: 'exhaustive',
      mapping: targetBaseline(w, target).mapping,
      solveSeconds: (performance.now() - start) / 1000,
      mappingsTried: 0,
      complete: limitHit === null,
      limitHit,
      fallback: {
        reason:
          limitHit === null
            ? 'no mapping in the search space fits this target'
            : limitHit === 'time'
              ? `the time limit (${options.timeLimitSeconds} s) ran out before a mapping was found`
              : `the budget of ${budget} candidates ran out before a mapping was found`,
      },
    };
  }
  const byCost = (a: Scored, b: Scored): number =>
    a.cost - b.cost || JSON.stringify(a.mapping).localeCompare(JSON.stringify(b.mapping));
  scored.sort(byCost);
  // The best by the fast (per class) estimate are re-scored step by step, the best of those simulated.
  const shortlist = scored
    .slice(0, rescoreTop)
    .map((x) => ({ mapping: x.mapping, cost: estimateCost(w, x.mapping, spec).cycles }))
    .sort(byCost);
  const finalists = shortlist.slice(0, simulateTop);
  // The target's own heuristic is a finalist too, so the oracle is never worse than the baseline.
  const base = targetBaseline(w, target).mapping;
  if (validateMapping(w, base, target).length === 0) {
    finalists.push({ mapping: base, cost: estimateCost(w, base, spec).cycles });
  }
  let best = finalists[0].mapping;
  let bestCycles = Infinity;
  // A finalist with its kernel columns folded into the reduction is timed too (the cost model does
  // not know the fold): a conv with few input channels may run best folded with other tiles.
  const runs = finalists.flatMap((f) => {
    const folded = foldedVariant(w, f.mapping, target);
    return folded === null ? [f.mapping] : [f.mapping, folded];
  });
  for (const m of runs) {
    const cycles = options.evaluate(target, w, m);
    if (cycles < bestCycles) {
      bestCycles = cycles;
      best = m;
    }
  }
  return {
    scheduler: 'exhaustive',
    mapping: best,
    solveSeconds: (performance.now() - start) / 1000,
    mappingsTried: tried,
    complete: limitHit === null,
    limitHit,
    fallback: null,
  };
}
