import type { Pattern } from '../../contract/patterns.js';
import { unsupported } from './layout.js';

/**
 * What VTA runs of a graph: convolutions whose padding a LOAD can add (at most 15 entries a side),
 * grouped ones with whole blocks of channels per group and depthwise ones (layout.ts), and matrix
 * products, each with its int32 bias, ReLU and requantization by ALU shifts. Shift-only
 * requantization (power-of-two scales) is the partitioner's check, from the spec.
 */
export const patterns: readonly Pattern[] = [
  {
    name: 'conv + bias + relu + shift requant',
    kind: 'conv',
    check: (w, spec) =>
      w.kind !== 'conv' ? 'not a conv' : (unsupported(w, spec)[0]?.message ?? null),
  },
  { name: 'matmul + bias + relu + shift requant', kind: 'gemm', check: () => null },
];
