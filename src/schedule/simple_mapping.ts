import type { AnyTarget } from '../contract/target.js';
import { loopNest } from '../workload/shape.js';
import type { Dim, Workload } from '../workload/workload.js';
import type { Mapping } from '../mapping/mapping.js';

/**
 * The smallest sensible mapping: one array block along the spatial dims, one element along every other
 * dim, outputs outside reductions, nothing double-buffered. It fits any target that can hold one block
 * of each tensor; the baseline scheduler uses it for a target without a heuristic of its own, and
 * searching schedulers fall back to it when the target has none.
 */
export function simpleMapping(w: Workload, target: AnyTarget): Mapping {
  const spec = target.spec;
  const nest = loopNest(w);
  const dataflow = spec.array.dataflows[0];
  const spatial: Mapping['spatial'] =
    w.kind === 'gemm'
      ? dataflow === 'weight-stationary'
        ? { rows: 'K', cols: 'N' }
        : { rows: 'M', cols: 'N' }
      : dataflow === 'weight-stationary'
        ? { rows: 'C', cols: 'K' }
        : { rows: 'Q', cols: 'K' };
  const tile: Partial<Record<Dim, number>> = {};
  for (const { dim, bound } of nest.dims) {
    const block =
      dim === spatial.rows ? spec.array.rows : dim === spatial.cols ? spec.array.cols : 1;
    tile[dim] = Math.min(bound, block);
  }
  const outer = nest.dims.map((d) => d.dim).filter((d) => !nest.reduction.includes(d));
  const inner = nest.dims.map((d) => d.dim).filter((d) => nest.reduction.includes(d));
  return {
    dataflow,
    spatial,
    tile,
    order: [...outer, ...inner],
    resident: { input: [], weight: [], output: [] },
    doubleBuffer: { input: false, weight: false, output: false },
  };
}
