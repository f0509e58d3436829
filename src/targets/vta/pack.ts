import type { Mapping } from '../../mapping/mapping.js';
import type { Spec } from '../../spec/spec.js';
import {
  fromBlockedChannels,
  toBlockedChannels,
  toBlockedWeights,
} from '../../workload/blocked_layout.js';
import type { Workload } from '../../workload/workload.js';
import { view } from './layout.js';

/**
 * The host-side layout transforms (TVM's graph packing): the workload's layouts (workload.ts) to and
 * from VTA's blocked ones, channels zero-padded to whole blocks. Input [N][Cb][H][W][B], weights
 * [Kb][Cb][R][S][B out][B in], output [N][Kb][P][Q][B]. A GEMM is the conv of view (layout.ts).
 */

export function packInput(w: Workload, m: Mapping, spec: Spec, input: Int8Array): Int8Array {
  return toBlockedChannels(view(w, m, spec), input);
}

export function packWeights(w: Workload, m: Mapping, spec: Spec, weights: Int8Array): Int8Array {
  return toBlockedWeights(view(w, m, spec), weights);
}

export function unpackOutput(w: Workload, m: Mapping, spec: Spec, packed: Int8Array): Int8Array {
  const { B, N, P, Q, K } = view(w, m, spec);
  return fromBlockedChannels({ N, H: P, W: Q, C: K, B }, packed);
}
