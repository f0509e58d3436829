import type { Program } from '../../program/program.js';
import type { Spec } from '../../spec/spec.js';
import type { VectorWorkload } from '../../workload/vector.js';
import { lowerMaxPool } from './lower_maxpool.js';
import { lowerResadd } from './lower_resadd.js';

/** Gemmini's vector ops: residual adds through the accumulator, max-pools through the pooled store. */
export function lowerVector(w: VectorWorkload, spec: Spec): Program {
  return w.kind === 'resadd' ? lowerResadd(w, spec) : lowerMaxPool(w, spec);
}
