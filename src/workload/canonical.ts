import type { GemmWorkload, Workload } from './workload.js';

/**
 * A workload in its simplest equivalent form. A 1×1 conv with stride 1, no padding and no groups is a
 * GEMM over the same DRAM bytes: the NHWC input is A [N·H·W][C], the [1][1][C][K] weights are B [C][K]
 * and the NHWC output is C [N·H·W][K]. As a GEMM its pixels block freely across image rows. (Accelerator vendors'
 * libraries run such layers as matmuls too.)
 */
export function canonicalWorkload(w: Workload): Workload {
  if (
    w.kind === 'conv' &&
    w.R === 1 &&
    w.S === 1 &&
    w.strideH === 1 &&
    w.strideW === 1 &&
    w.padTop + w.padBottom + w.padLeft + w.padRight === 0 &&
    w.groups === 1
  ) {
    const gemm: GemmWorkload = {
      kind: 'gemm',
      name: w.name,
      M: w.N * w.H * w.W,
      N: w.K,
      K: w.C,
      bias: w.bias,
      requant: w.requant,
      activation: w.activation,
    };
    return gemm;
  }
  return w;
}
