import type { AnyTarget } from '../contract/target.js';
import { isDepthwise, loopNest } from '../workload/shape.js';
import type { Dim, Workload } from '../workload/workload.js';
import type { Mapping } from '../mapping/mapping.js';

/**
 * The smallest sensible mapping: one array block along the spatial dims, one element along every other
 * dim, outputs outside reductions, nothing double-buffered. It fits any target that can hold one block
 * of each tensor; the baseline scheduler uses it for a target without a heuristic of its own, and
 * searching schedulers fall back to it when the target has none. A depthwise conv whose target
 * refuses the conventional array axes (its `checkMapping` names `spatial`) puts its groups on the
 * array instead, a block of them at a time (diagonal weight blocks).
 */
export function simpleMapping(w: Workload, target: AnyTarget): Mapping {
  const spec = target.spec;
  const dataflow = spec.array.dataflows[0];
  const ws = dataflow === 'weight-stationary';
  const spatial: Mapping['spatial'] =
    w.kind === 'gemm'
      ? ws
        ? { rows: 'K', cols: 'N' }
        : { rows: 'M', cols: 'N' }
      : ws
        ? { rows: 'C', cols: 'K' }
        : { rows: 'Q', cols: 'K' };
  const simple = blockMapping(w, target, spatial);
  const depthwise = isDepthwise(w);
  if (!depthwise || !target.checkMapping(w, simple).some((p) => p.path === 'spatial')) {
    return simple;
  }
  return blockMapping(w, target, { rows: ws ? 'G' : 'Q', cols: 'G' });
}

/** One array block along the spatial dims, one element along the others (simpleMapping). */
function blockMapping(w: Workload, target: AnyTarget, spatial: Mapping['spatial']): Mapping {
  const spec = target.spec;
  const nest = loopNest(w);
  const tile: Partial<Record<Dim, number>> = {};
  for (const { dim, bound } of nest.dims) {
    const block =
      dim === spatial.rows ? spec.array.rows : dim === spatial.cols ? spec.array.cols : 1;
    tile[dim] = Math.min(bound, block);
  }
  const outer = nest.dims.map((d) => d.dim).filter((d) => !nest.reduction.includes(d));
  const inner = nest.dims.map((d) => d.dim).filter((d) => nest.reduction.includes(d));
  return {
    dataflow: spec.array.dataflows[0],
    spatial,
    tile,
    order: [...outer, ...inner],
    resident: { input: [], weight: [], output: [] },
    doubleBuffer: { input: false, weight: false, output: false },
  };
}
