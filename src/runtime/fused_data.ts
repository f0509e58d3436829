import type { NodeOf } from '../ir/graph.js';
import type { FusedWorkload } from '../partition/fused_workload.js';
import type { RequantScale } from '../spec/spec.js';
import type { HostTensor } from '../host/host_tensor.js';
import type { LayerData } from './layer_data.js';
import { toNchw, toNhwc } from './activation_layout.js';
import { convPad } from '../partition/layout_plan.js';

/**
 * Moves a fused op's tensors between the graph's layouts (ONNX: NCHW activations, [K][C/g][R][S]
 * weights) and the workload's DRAM layouts (workload.ts: NHWC, HWIO), padding the input with its
 * zero point where the workload says so (`prePad`).
 */

/**
 * The data of run `index` of a fused op. A conv's input comes in the graph's layout and is staged
 * here, unless the plan already holds it in the workload's layout (`staged`: NHWC, padded when
 * `prePad`).
 */
export function fusedLayerData(
  node: NodeOf<'QConv'> | NodeOf<'QGemm'>,
  fused: FusedWorkload,
  inputs: readonly (HostTensor | undefined)[],
  index: number,
  requant: RequantScale,
  staged?: Int8Array,
): LayerData {
  const [x, w, b] = inputs as [HostTensor, HostTensor, HostTensor | undefined];
  const bias = b === undefined ? null : (b.data as Int32Array);
  const scale = node.attrs.requant.scale[0];
  if (node.op === 'QGemm') {
    const { M, K, N } = fused.workload as { M: number; K: number; N: number };
    const a = x.data as Int8Array;
    const bd = w.data as Int8Array;
    const batched = fused.count > 1;
    return {
      input: batched ? a.subarray(index * M * K, (index + 1) * M * K) : a,
      weight: batched ? bd.subarray(index * K * N, (index + 1) * K * N) : bd,
      bias,
      scale,
      requant,
    };
  }
  return {
    input: staged ?? (toNhwc(x, fused.prePad ? convPad(node.attrs) : undefined).data as Int8Array),
    weight: hwioWeights(w),
    bias,
    scale,
    requant,
  };
}

/** [K][C/g][R][S] → [R][S][C/g][K]. */
function hwioWeights(w: HostTensor): Int8Array {
  const [K, Cg, R, S] = w.shape;
  const src = w.data as Int8Array;
  const out = new Int8Array(src.length);
  for (let k = 0; k < K; k++) {
    for (let c = 0; c < Cg; c++) {
      for (let r = 0; r < R; r++) {
        for (let s = 0; s < S; s++)
          out[((r * S + s) * Cg + c) * K + k] = src[((k * Cg + c) * R + r) * S + s];
      }
    }
  }
  return out;
}

/** The op's output tensor (graph layout) from each run's output (workload layout). */
export function fusedOutput(
  node: NodeOf<'QConv'> | NodeOf<'QGemm'>,
  shape: readonly number[],
  runs: readonly Int8Array[],
): HostTensor {
  if (node.op === 'QGemm') {
    const out = new Int8Array(runs.reduce((n, r) => n + r.length, 0));
    let at = 0;
    for (const r of runs) {
      out.set(r, at);
      at += r.length;
    }
    return { dtype: 'int8', shape, data: out };
  }
  const [N, K, P, Q] = shape;
  return toNchw({ dtype: 'int8', shape: [N, P, Q, K], data: runs[0] });
}
