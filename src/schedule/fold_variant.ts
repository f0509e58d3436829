import type { AnyTarget } from '../contract/target.js';
import type { Mapping } from '../mapping/mapping.js';
import { loopNest } from '../workload/shape.js';
import type { Workload } from '../workload/workload.js';
import { validateMapping } from './validate.js';

/**
 * The same tiles and order with the kernel columns folded into the array's reduction
 * (`foldKernelColumns`, run unrolled), or null where the target does not fold them or the mapping
 * is not legal that way. Searching schedulers time it beside the mapping they found.
 */
export function foldedVariant(w: Workload, m: Mapping, target: AnyTarget): Mapping | null {
  if (!target.foldsKernelColumns || w.kind !== 'conv' || m.foldKernelColumns !== undefined) {
    return null;
  }
  const { hardwareLoops: _looped, ...unrolled } = m;
  const folded = { ...unrolled, foldKernelColumns: true };
  return validateMapping(w, folded, target).length === 0 ? folded : null;
}

/**
 * Legal folded mappings next to a folded one: its output-row and output-column tiles (P, Q) each
 * doubled or halved. Folding cuts a tile's array passes but not its loads, so the tiles the search
 * chose for the unfolded run may be too small folded; the simulator decides.
 */
export function foldedNeighbours(w: Workload, m: Mapping, target: AnyTarget): Mapping[] {
  if (w.kind !== 'conv' || m.foldKernelColumns !== true) return [];
  const bounds = new Map(loopNest(w).dims.map((d) => [d.dim, d.bound]));
  // A tile the mapping leaves out spans its whole dim.
  const tileOf = (d: 'P' | 'Q'): number => m.tile[d] ?? bounds.get(d) ?? 1;
  const out: Mapping[] = [];
  for (const [fp, fq] of [
    [2, 1],
    [1, 2],
    [0.5, 1],
    [1, 0.5],
    [2, 0.5],
    [0.5, 2],
  ]) {
    const P = Math.min(bounds.get('P') ?? 1, Math.max(1, Math.round(tileOf('P') * fp)));
    const Q = Math.min(bounds.get('Q') ?? 1, Math.max(1, Math.round(tileOf('Q') * fq)));
    const n = { ...m, tile: { ...m.tile, P, Q } };
    if (P === tileOf('P') && Q === tileOf('Q')) continue;
    if (out.some((x) => x.tile.P === P && x.tile.Q === Q)) continue;
    if (validateMapping(w, n, target).length === 0) out.push(n);
  }
  return out;
}
