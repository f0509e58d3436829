import type { Pattern } from '../../contract/patterns.js';

/**
 * What Gemmini runs of a graph: convolutions (any stride, padding, dilation and groups: the lowering
 * tiles them by implicit im2col, depthwise on diagonal weight blocks) and matrix products, each with
 * its int32 bias, ReLU and fp32 requantization fused into the accumulator's move-out. The spec's
 * `requantization` (per-tensor scales, the activations) is checked by the partitioner for every target.
 * A conv's padding may read a non-zero value (an asymmetric input's zero point).
 * Residual adds run through the accumulator (lower_resadd.ts).
 */
export const patterns: readonly Pattern[] = [
  // Padding with a value: lower_conv.ts loads the halo from a buffer of that value.
  { name: 'conv + bias + relu + requant', kind: 'conv', padsWithValue: true, check: () => null },
  { name: 'matmul + bias + relu + requant', kind: 'gemm', check: () => null },
  { name: 'residual add + relu (accumulator)', kind: 'resadd', check: () => null },
];
