import type { WeightedSum } from '../numeric/numeric.js';

/**
 * Accelerator ops that are not a matrix product or a convolution: no mapping to schedule. The
 * target's lowering tiles them itself (`Target.lowerVector`), as the vendor library does. DRAM
 * layouts: every tensor int8, contiguous.
 *
 * - resadd: two int8 inputs a, b of `elements` each; per element the weighted sum of ir/graph.ts
 *   `QAddAttrs` (numeric.ts `weightedSumToInt8`).
 */
export type ResaddWorkload = WeightedSum & {
  readonly kind: 'resadd';
  readonly name: string;
  readonly elements: number;
  readonly activation: 'none' | 'relu';
};

export type VectorWorkload = ResaddWorkload;

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
