import type { WeightedSum } from '../numeric/numeric.js';

/**
 * Accelerator ops that are not a matrix product or a convolution: no mapping to schedule. The
 * target's lowering tiles them itself (`Target.lowerVector`), as the vendor library does. DRAM
 * layouts: every tensor int8, contiguous.
 *
 * - resadd: two int8 inputs a, b of `elements` each; per element the weighted sum of ir/graph.ts
 *   `QAddAttrs` (numeric.ts `weightedSumToInt8`).
 * - maxpool: one int8 input, NHWC [N][H][W][C]; output NHWC [N][P][Q][C], each element the maximum
 *   of the input in a `size` × `size` window moved by `stride`, starting `padTop` rows above and
 *   `padLeft` columns left of the image; positions outside the image never win (ir/graph.ts
 *   `QMaxPool` with no rescale: its output keeps the input's quantization).
 */
export type ResaddWorkload = WeightedSum & {
  readonly kind: 'resadd';
  readonly name: string;
  readonly elements: number;
  readonly activation: 'none' | 'relu';
};

export interface MaxPoolWorkload {
  readonly kind: 'maxpool';
  readonly name: string;
  readonly N: number;
  readonly H: number;
  readonly W: number;
  readonly C: number;
  readonly size: number;
  readonly stride: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly P: number;
  readonly Q: number;
}

export type VectorWorkload = ResaddWorkload | MaxPoolWorkload;

/** A vector op's int8 inputs and output, in bytes (its DRAM buffers). */
export function vectorSizes(w: VectorWorkload): { inputs: number[]; output: number } {
  if (w.kind === 'resadd') return { inputs: [w.elements, w.elements], output: w.elements };
  return { inputs: [w.N * w.H * w.W * w.C], output: w.N * w.P * w.Q * w.C };
}

/**
 * A flat tensor of `elements` as rows of at most `widest` columns: the widest row that divides it
 * (so every row is full).
 */
export function rowView(elements: number, widest: number): { rows: number; cols: number } {
  for (let cols = Math.min(widest, elements); cols > 1; cols--) {
    if (elements % cols === 0) return { rows: elements / cols, cols };
  }
  return { rows: elements, cols: 1 };
}
