import type { Activation } from '../spec/spec.js';

/**
 * The operations an accelerator runs, as plain data. A workload names shapes only; the data (weights,
 * scales) travels separately. DRAM layouts are fixed conventions the lowering and the runtime share:
 * - GEMM: A [M][K] int8, B [K][N] int8, C [M][N] int8, bias [N] int32, all row-major.
 * - conv: input NHWC int8, weights [R][S][C/groups][K] int8 (HWIO), output NHWC int8 [N][P][Q][K],
 *   bias [K] int32. Group g uses input channels g·C/G .. and output channels g·K/G ..
 * Requantization: out = saturate_int8(round_half_even(fp32(relu?(acc)) × scale)), scale per tensor or
 * per output channel.
 */

export interface GemmWorkload {
  readonly kind: 'gemm';
  readonly name: string;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly bias: boolean;
  readonly requant: 'per-tensor' | 'per-channel';
  readonly activation: Activation;
}

export interface ConvWorkload {
  readonly kind: 'conv';
  readonly name: string;
  /** Batch. */
  readonly N: number;
  /** Input height and width. */
  readonly H: number;
  readonly W: number;
  /** Input and output channels (all groups together). */
  readonly C: number;
  readonly K: number;
  /** Kernel height and width. */
  readonly R: number;
  readonly S: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padTop: number;
  readonly padBottom: number;
  readonly padLeft: number;
  readonly padRight: number;
  /**
   * The value padding reads (an int8: the input's zero point of a quantized conv); 0 when absent.
   * Only a target whose conv pattern says `padsWithValue` runs a conv with a non-zero one.
   */
  readonly padValue?: number;
  readonly dilationH: number;
  readonly dilationW: number;
  /** Depthwise is groups = C = K. */
  readonly groups: number;
  readonly bias: boolean;
  readonly requant: 'per-tensor' | 'per-channel';
  readonly activation: Activation;
}

export type Workload = GemmWorkload | ConvWorkload;

/** Loop dimensions: GEMM M, N, K; conv N (batch), G (groups), K, C (per group), P, Q, R, S. */
export const dims = ['M', 'N', 'K', 'G', 'C', 'P', 'Q', 'R', 'S'] as const;
export type Dim = (typeof dims)[number];

/** A workload as a loop nest (Timeloop/CoSA style): bounds, and which dims index which tensor. */
export interface LoopNest {
  readonly dims: readonly { readonly dim: Dim; readonly bound: number }[];
  /** Dims each tensor is indexed by (the input of a conv also through P+R and Q+S, the halo). */
  readonly relevant: {
    readonly input: readonly Dim[];
    readonly weight: readonly Dim[];
    readonly output: readonly Dim[];
  };
  /** Reduction dims (summed into the output). */
  readonly reduction: readonly Dim[];
  /**
   * The roles of three dims in the data layouts: `channel` is the reduction dim contiguous in memory
   * in both operands (GEMM K, conv C), `outChannel` the output's contiguous dim (N, K), `pixel` the
   * output's innermost spatial dim, along which rows of the input stream (M, Q).
   */
  readonly channel: Dim;
  readonly outChannel: Dim;
  readonly pixel: Dim;
}
