import type { Mapping } from '../../mapping/mapping.js';
import type { Spec } from '../../spec/spec.js';
import {
  fromBlockedChannels,
  toBlockedChannels,
  toBlockedWeights,
  toDiagonalBlockedWeights,
} from '../../workload/blocked_layout.js';
import type { Workload } from '../../workload/workload.js';
import { view } from './layout.js';

/**
 * The host-side layout transforms (TVM's graph packing): the workload's layouts (workload.ts) to and
 * from VTA's blocked ones, channels zero-padded to whole blocks. Input [N][Cb][H][W][B], weights
 * [Kb][Cb][R][S][B out][B in], output [N][Kb][P][Q][B]. A GEMM is the conv of view (layout.ts). A
 * grouped conv's weights hold each output block's own group only ([Kb][Cb per group]...); a
 * depthwise conv's on diagonal blocks are [Gb][R][S][B][B], packed here at compile time.
 */

export function packInput(w: Workload, m: Mapping, spec: Spec, input: Int8Array): Int8Array {
  const { N, H, W, inChannels, B } = view(w, m, spec);
  return toBlockedChannels({ N, H, W, C: inChannels, B }, input);
}

export function packWeights(w: Workload, m: Mapping, spec: Spec, weights: Int8Array): Int8Array {
  const x = view(w, m, spec);
  if (x.mode === 'diagonal') return toDiagonalBlockedWeights({ ...x, G: x.C }, weights);
  return toBlockedWeights({ ...x, K: x.outChannels }, weights);
}

export function unpackOutput(w: Workload, m: Mapping, spec: Spec, packed: Int8Array): Int8Array {
  const { B, N, P, Q, outChannels } = view(w, m, spec);
  return fromBlockedChannels({ N, H: P, W: Q, C: outChannels, B }, packed);
}
