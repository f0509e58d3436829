import type { AnyTarget } from '../contract/target.js';
import type { Mapping } from '../mapping/mapping.js';
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
