import type { ConvWorkload, Dim, LoopNest, Workload } from './workload.js';

/**
 * Derived facts about a workload's shape: output size, loop nest, MAC count and tensor sizes. All
 * pure; the workload is assumed valid (see validate.ts).
 */

/** Bytes per element: int8 activations and weights, int32 bias (the layouts of workload.ts). */
const int8Bytes = 1;
const int32Bytes = 4;

/** Bytes of each tensor of a workload. `bias` is 0 when the workload has none. */
export interface TensorBytes {
  readonly input: number;
  readonly weight: number;
  readonly output: number;
  readonly bias: number;
}

/** Output length of one axis: floor((size + pads − dilation·(kernel−1) − 1) / stride) + 1. */
export function outputExtent(
  size: number,
  padBefore: number,
  padAfter: number,
  kernel: number,
  stride: number,
  dilation: number,
): number {
  return Math.floor((size + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Output height P and width Q of a conv. */
/** A depthwise conv: grouped, one input and one output channel per group. */
export function isDepthwise(w: Workload): boolean {
  return w.kind === 'conv' && w.groups > 1 && w.C === w.groups && w.K === w.groups;
}

export function convOutputSize(c: ConvWorkload): { P: number; Q: number } {
  return {
    P: outputExtent(c.H, c.padTop, c.padBottom, c.R, c.strideH, c.dilationH),
    Q: outputExtent(c.W, c.padLeft, c.padRight, c.S, c.strideW, c.dilationW),
  };
}

/**
 * The non-zero value a conv's padding reads, or 0 (no padding, or padding with zeros): what a target
 * must write into the halo instead of zeros.
 */
export function convPadValue(c: ConvWorkload): number {
  const pads = c.padTop + c.padBottom + c.padLeft + c.padRight;
  return pads === 0 ? 0 : (c.padValue ?? 0);
}

/**
 * The loop nest of a workload (docs/scheduling.md §1). Conv K and C are per group; G appears only when
 * groups > 1.
 */
export function loopNest(w: Workload): LoopNest {
  if (w.kind === 'gemm') {
    return {
      dims: [
        { dim: 'M', bound: w.M },
        { dim: 'N', bound: w.N },
        { dim: 'K', bound: w.K },
      ],
      relevant: { input: ['M', 'K'], weight: ['K', 'N'], output: ['M', 'N'] },
      reduction: ['K'],
      channel: 'K',
      outChannel: 'N',
      pixel: 'M',
    };
  }
  const { P, Q } = convOutputSize(w);
  const grouped = w.groups > 1;
  const g: readonly Dim[] = grouped ? ['G'] : [];
  return {
    dims: [
      { dim: 'N', bound: w.N },
      ...(grouped ? [{ dim: 'G' as const, bound: w.groups }] : []),
      { dim: 'K', bound: w.K / w.groups },
      { dim: 'C', bound: w.C / w.groups },
      { dim: 'P', bound: P },
      { dim: 'Q', bound: Q },
      { dim: 'R', bound: w.R },
      { dim: 'S', bound: w.S },
    ],
    relevant: {
      input: ['N', ...g, 'C', 'P', 'Q', 'R', 'S'],
      weight: [...g, 'K', 'C', 'R', 'S'],
      output: ['N', ...g, 'K', 'P', 'Q'],
    },
    reduction: ['C', 'R', 'S'],
    channel: 'C',
    outChannel: 'K',
    pixel: 'Q',
  };
}

/** Multiply-accumulates of a workload: M·N·K, or N·P·Q·K·(C/groups)·R·S. */
export function macs(w: Workload): number {
  if (w.kind === 'gemm') return w.M * w.N * w.K;
  const { P, Q } = convOutputSize(w);
  return w.N * P * Q * w.K * (w.C / w.groups) * w.R * w.S;
}

/** Bytes of each tensor as laid out in DRAM (the whole input, even pixels no output reads). */
export function tensorBytes(w: Workload): TensorBytes {
  if (w.kind === 'gemm') {
    return {
      input: w.M * w.K * int8Bytes,
      weight: w.K * w.N * int8Bytes,
      output: w.M * w.N * int8Bytes,
      bias: w.bias ? w.N * int32Bytes : 0,
    };
  }
  const { P, Q } = convOutputSize(w);
  return {
    input: w.N * w.H * w.W * w.C * int8Bytes,
    weight: w.R * w.S * (w.C / w.groups) * w.K * int8Bytes,
    output: w.N * P * Q * w.K * int8Bytes,
    bias: w.bias ? w.K * int32Bytes : 0,
  };
}

/**
 * How many of `size` input positions along one axis some output reads: position
 * o·stride + k·dilation − padBefore for o < out, k < kernel, inside [0, size).
 */
export function touchedExtent(
  size: number,
  out: number,
  padBefore: number,
  kernel: number,
  stride: number,
  dilation: number,
): number {
  const touched = new Uint8Array(size);
  let count = 0;
  for (let o = 0; o < out; o++) {
    for (let k = 0; k < kernel; k++) {
      const i = o * stride + k * dilation - padBefore;
      if (i >= 0 && i < size && touched[i] === 0) {
        touched[i] = 1;
        count++;
      }
    }
  }
  return count;
}

/**
 * The DRAM traffic of a perfect schedule, in bytes: every tensor element moved exactly once (int8
 * input, weight and output; int32 bias when the workload has one). For a conv, input pixels that no
 * output reads (a strided 1×1 conv skips rows and columns) are not counted: this is a lower bound.
 */
export function minimalTraffic(w: Workload): TensorBytes {
  const bytes = tensorBytes(w);
  if (w.kind === 'gemm') return bytes;
  const { P, Q } = convOutputSize(w);
  const rows = touchedExtent(w.H, P, w.padTop, w.R, w.strideH, w.dilationH);
  const cols = touchedExtent(w.W, Q, w.padLeft, w.S, w.strideW, w.dilationW);
  return { ...bytes, input: w.N * rows * cols * w.C * int8Bytes };
}

/** Total bytes of a TensorBytes record. */
export function totalBytes(t: TensorBytes): number {
  return t.input + t.weight + t.output + t.bias;
}
