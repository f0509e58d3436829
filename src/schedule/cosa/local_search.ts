import type { AnyTarget } from '../../contract/target.js';
import type { Mapping } from '../../mapping/mapping.js';
import type { Dim, Workload } from '../../workload/workload.js';
import { loopNest } from '../../workload/shape.js';
import { estimateCost } from '../cost.js';
import { validateMapping } from '../validate.js';

/**
 * A descent from a MIP solution on the cost model (src/schedule/cost.ts), which is much cheaper than
 * the simulator and more faithful than the MIP's log-space objective: each step moves to the best
 * legal neighbour (one dim's trip count halved, doubled or moved by one, or on an array axis its
 * array blocks halved, doubled or all of the dim; one dim moved innermost or swapped with the next;
 * one tensor's double buffering switched) while that is faster. The MIP cannot see some mappings
 * the cost model ranks far better (a depthwise conv's groups tiled wide with few pixel rows per
 * tile); the descent reaches them from its solution.
 */

/** Steps of the descent at most: each costs one estimate per neighbour. */
const maxSteps = 6;

/** Tile sizes one step from `tile` along a dim of `bound`: the tiles of nearby trip counts. */
function nearTiles(tile: number, bound: number): number[] {
  const trips = Math.ceil(bound / tile);
  const out: number[] = [];
  for (const n of [trips - 1, trips + 1, Math.ceil(trips / 2), trips * 2]) {
    if (n < 1 || n > bound) continue;
    const t = Math.ceil(bound / n);
    if (t !== tile && !out.includes(t)) out.push(t);
  }
  return out;
}

/**
 * Tiles of whole array blocks along an array axis: half or twice the blocks of `tile`, and the whole
 * bound. Not one block more or less: a tile of 3 or 5 blocks makes DRAM rows that split into more
 * bus requests, which the cost model does not count and the simulator does (neighbourMappings in
 * src/schedule/cosa/cosa.ts snaps to powers of two for the same reason).
 */
function blockTiles(tile: number, bound: number, block: number): number[] {
  const n = Math.ceil(tile / block);
  const out: number[] = [];
  for (const t of [Math.ceil(n / 2) * block, n * 2 * block, bound]) {
    const clipped = Math.min(bound, t);
    if (!out.includes(clipped)) out.push(clipped);
  }
  return out;
}

/**
 * The neighbours of a mapping, in a fixed order (the descent is deterministic): per dim the tiles of
 * nearby trip counts, and on the array's axes the block tiles too.
 */
function neighbours(w: Workload, m: Mapping, target: AnyTarget): Mapping[] {
  const out: Mapping[] = [];
  const blocks = new Map<string, number>([
    [m.spatial.rows, target.spec.array.rows],
    [m.spatial.cols, target.spec.array.cols],
  ]);
  for (const { dim, bound } of loopNest(w).dims) {
    const tile = Math.min(m.tile[dim] ?? bound, bound);
    const block = blocks.get(dim);
    const near = nearTiles(tile, bound);
    if (block !== undefined) {
      for (const t of blockTiles(tile, bound, block)) {
        if (t !== tile && !near.includes(t)) near.push(t);
      }
    }
    for (const t of near) out.push({ ...m, tile: { ...m.tile, [dim]: t } });
  }
  const order = m.order;
  for (let i = 0; i < order.length - 1; i++) {
    const moved: Dim[] = [...order.slice(0, i), ...order.slice(i + 1), order[i]];
    out.push({ ...m, order: moved });
    const swapped = [...order];
    [swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]];
    out.push({ ...m, order: swapped });
  }
  for (const v of ['input', 'weight', 'output'] as const) {
    out.push({ ...m, doubleBuffer: { ...m.doubleBuffer, [v]: !m.doubleBuffer[v] } });
  }
  return out;
}

/** The mapping the descent ends at and its estimated cycles (the start when nothing is faster). */
export function costDescent(
  w: Workload,
  start: Mapping,
  target: AnyTarget,
): { readonly mapping: Mapping; readonly cycles: number } {
  let best = start;
  let bestCycles = estimateCost(w, start, target.spec).cycles;
  for (let step = 0; step < maxSteps; step++) {
    let next: Mapping | null = null;
    let nextCycles = bestCycles;
    for (const n of neighbours(w, best, target)) {
      const cycles = estimateCost(w, n, target.spec).cycles;
      if (cycles >= nextCycles || validateMapping(w, n, target).length > 0) continue;
      next = n;
      nextCycles = cycles;
    }
    if (next === null) break;
    best = next;
    bestCycles = nextCycles;
  }
  return { mapping: best, cycles: bestCycles };
}

/** Tiles one step smaller along a dim of `bound`: one more trip, and twice the trips. */
function smallerTiles(tile: number, bound: number): number[] {
  const trips = Math.ceil(bound / tile);
  const out: number[] = [];
  for (const n of [trips + 1, trips * 2]) {
    const t = Math.ceil(bound / Math.min(n, bound));
    if (t < tile && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Levels of tile shrinking `legalNearby` tries before giving up. */
const maxRepairDepth = 3;
/** Mappings kept per level of the repair (the cheapest on the cost model). */
const repairBeam = 8;

/**
 * The legal mapping nearest to an illegal decoded one: the MIP models the memories but not every
 * limit a target checks (a buffer of micro-op kernels, for one), so a solution can miss a limit by
 * a few entries. Tiles shrink one step at a time (one dim's trip count up by one or doubled), keeping the
 * `repairBeam` cheapest mappings on the cost model per level; the first level with a legal mapping
 * gives the cheapest of them. Null when none is found within `maxRepairDepth` levels.
 */
export function legalNearby(w: Workload, m: Mapping, target: AnyTarget): Mapping | null {
  const dims = loopNest(w).dims;
  const seen = new Set<string>([JSON.stringify(m.tile)]);
  let level: Mapping[] = [m];
  for (let depth = 0; depth < maxRepairDepth; depth++) {
    const next: { mapping: Mapping; cycles: number }[] = [];
    for (const x of level) {
      for (const { dim, bound } of dims) {
        const tile = Math.min(x.tile[dim] ?? bound, bound);
        for (const t of smallerTiles(tile, bound)) {
          const mapping: Mapping = { ...x, tile: { ...x.tile, [dim]: t } };
          const key = JSON.stringify(mapping.tile);
          if (seen.has(key)) continue;
          seen.add(key);
          next.push({ mapping, cycles: estimateCost(w, mapping, target.spec).cycles });
        }
      }
    }
    next.sort((a, b) => a.cycles - b.cycles);
    const legal = next.find((n) => validateMapping(w, n.mapping, target).length === 0);
    if (legal !== undefined) return legal.mapping;
    level = next.slice(0, repairBeam).map((n) => n.mapping);
  }
  return null;
}
