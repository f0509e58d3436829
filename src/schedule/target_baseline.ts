import { UnsupportedError } from '../errors.js';
import type { AnyTarget } from '../contract/target.js';
import type { Workload } from '../workload/workload.js';
import type { Mapping } from '../mapping/mapping.js';
import { simpleMapping } from './simple_mapping.js';

/**
 * The target's own tiling heuristic for a workload; the simple always-legal mapping, with the reason,
 * when the target has none or its heuristic does not cover this workload (an UnsupportedError).
 */
export function targetBaseline(
  w: Workload,
  target: AnyTarget,
): { readonly mapping: Mapping; readonly reason: string | null } {
  const own = target.baseline;
  if (own === null) {
    return {
      mapping: simpleMapping(w, target),
      reason: `${target.name} has no baseline heuristic; simple mapping used`,
    };
  }
  try {
    return { mapping: own(w), reason: null };
  } catch (e) {
    if (!(e instanceof UnsupportedError)) throw e;
    return {
      mapping: simpleMapping(w, target),
      reason: `${e.message}; simple mapping used`,
    };
  }
}
