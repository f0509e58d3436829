import { InputError } from '../errors.js';
import type { AnyTarget, Problem } from '../contract/target.js';
import { convPadValue, loopNest } from '../workload/shape.js';
import { padsConvWithValue } from '../contract/patterns.js';
import { occupancy } from './occupancy.js';
import { partialSumOverflow } from './partial_sums.js';
import type { Workload } from '../workload/workload.js';
import type { Mapping } from '../mapping/mapping.js';
import { tensorRoleList, tileSchedule } from '../mapping/tile_schedule.js';

/** What checking a mapping needs of a target. */
export type MappingChecks = Pick<
  AnyTarget,
  'spec' | 'footprint' | 'checkMapping' | 'unroll' | 'patterns' | 'foldsKernelColumns'
>;

/**
 * Checks a mapping against a workload and a target: the loop order and tiles are well formed, the
 * dataflow exists, partial sums never leave the on-chip output memory nor overflow the array's
 * partial-sum width (src/schedule/partial_sums.ts), every memory holds what is
 * placed in it (double buffering doubles a tensor's rows), and the target's own limits. Returns the
 * problems, each saying what does not fit and by how much; an empty list means the mapping is legal.
 * Well-formedness comes first: while the mapping is malformed, only those problems are listed (the
 * later checks would be meaningless). With `vendorTiling` (the vendor library's own tiling, run as
 * the library runs it and reported as an overflow risk) the partial-sum width is not checked.
 */
export function validateMapping(
  w: Workload,
  m: Mapping,
  target: MappingChecks,
  vendorTiling = false,
): Problem[] {
  const spec = target.spec;
  const problems: Problem[] = [];
  const nest = loopNest(w);
  const dims = nest.dims.map((d) => d.dim);
  const boundOf = new Map(nest.dims.map((d) => [d.dim, d.bound]));
  const sorted = (xs: readonly string[]): string => [...xs].sort().join(',');
  if (m.order.length !== dims.length || sorted(m.order) !== sorted(dims)) {
    problems.push({
      path: 'order',
      message: `must list each of ${dims.join(', ')} once (got ${m.order.join(', ')})`,
    });
  }
  for (const [d, t] of Object.entries(m.tile)) {
    const b = boundOf.get(d as never);
    if (b === undefined) {
      problems.push({
        path: `tile.${d}`,
        message: `is not a loop of this workload (${dims.join(', ')})`,
      });
    } else if (!Number.isInteger(t) || (t ?? 0) < 1 || (t ?? 0) > b) {
      problems.push({ path: `tile.${d}`, message: `must be an integer from 1 to ${b} (got ${t})` });
    }
  }
  if (!spec.array.dataflows.includes(m.dataflow)) {
    problems.push({
      path: 'dataflow',
      message: `${m.dataflow} is not one of this target's (${spec.array.dataflows.join(', ')})`,
    });
  }
  for (const axis of ['rows', 'cols'] as const) {
    if (!dims.includes(m.spatial[axis])) {
      problems.push({
        path: `spatial.${axis}`,
        message: `${m.spatial[axis]} is not a loop of this workload`,
      });
    }
  }
  for (const v of tensorRoleList) {
    for (const d of m.resident[v]) {
      if (!nest.relevant[v].includes(d)) {
        problems.push({ path: `resident.${v}`, message: `${d} does not index the ${v}` });
      }
    }
    const home = Object.entries(spec.memories).find(([, mem]) => mem.holds.includes(v));
    if (m.doubleBuffer[v] && home !== undefined && !home[1].doubleBuffer) {
      problems.push({
        path: `doubleBuffer.${v}`,
        message: `memories.${home[0]} does not allow double buffering`,
      });
    }
  }
  if (m.hardwareLoops === true && target.unroll === undefined) {
    problems.push({ path: 'hardwareLoops', message: 'this target has no loop instructions' });
  }
  if (m.foldKernelColumns === true && (w.kind !== 'conv' || !target.foldsKernelColumns)) {
    problems.push({
      path: 'foldKernelColumns',
      message:
        w.kind === 'conv'
          ? 'this target does not fold kernel columns into the reduction'
          : 'only a convolution has kernel columns',
    });
  }
  const padValue = w.kind === 'conv' ? convPadValue(w) : 0;
  if (padValue !== 0 && !padsConvWithValue(target.patterns)) {
    problems.push({
      path: 'workload.padValue',
      message: `this target pads convolutions with zeros only (the workload's padding reads ${padValue})`,
    });
  }
  if (problems.length > 0) return problems;

  const s = tileSchedule(nest, m);
  const trips = (d: string): number => s.trips[d as never] ?? 1;
  m.order.forEach((r, ri) => {
    if (!nest.reduction.includes(r) || trips(r) <= 1) return;
    for (const e of m.order.slice(ri + 1)) {
      if (nest.relevant.output.includes(e) && trips(e) > 1 && !m.resident.output.includes(e)) {
        problems.push({
          path: 'order',
          message:
            `the reduction loop ${r} is outside the output loop ${e}: partial sums would leave the ` +
            `output memory (put ${e} outside ${r}, or keep the output resident over ${e})`,
        });
      }
    }
  });
  problems.push(...capacityProblems(w, m, target));
  problems.push(...target.checkMapping(w, m));
  // Schedulers never pick a mapping that can overflow; the vendor's own tiling (`vendorTiling`) is
  // run as the library runs it and reported (overflowRisk) instead.
  const overflow = partialSumOverflow(w, m, spec);
  if (overflow !== null && !vendorTiling) problems.push(overflow);
  return problems;
}

function capacityProblems(w: Workload, m: Mapping, target: MappingChecks): Problem[] {
  return occupancy(target.footprint(w, m), m, target.spec)
    .filter((u) => u.rows > u.capacityRows)
    .map((u) => ({
      path: `memories.${u.memory}`,
      message:
        `${u.parts.map((p) => `${p.tensor} ${p.rows}${p.doubleBuffered ? ' (double-buffered)' : ''}`).join(' + ')}` +
        ` = ${u.rows} rows exceed its ${u.capacityRows} rows by ${u.rows - u.capacityRows}`,
    }));
}

/** Throws an InputError listing every problem of a mapping (for the CLI and explicit mappings). */
export function assertValidMapping(
  w: Workload,
  m: Mapping,
  target: MappingChecks,
  vendorTiling = false,
): void {
  const problems = validateMapping(w, m, target, vendorTiling);
  if (problems.length > 0) {
    throw new InputError(
      `mapping for ${w.name} on ${target.spec.name} is not legal:\n` +
        problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'),
    );
  }
}
