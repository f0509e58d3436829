import type { Workload } from '../workload/workload.js';
import type { VectorWorkload } from '../workload/vector.js';
import type { Spec } from '../spec/spec.js';

/** Anything the partitioner offers a target: a matrix product, a convolution or a vector op. */
export type AcceleratorOp = Workload | VectorWorkload;

/**
 * A pattern: a kind of fused graph op (convolution or matrix product, each with bias, activation and
 * requantization; or a vector op such as a residual add) that a target runs, with the target's own
 * conditions on its shape. The partitioner
 * offers every fused op to the target's patterns as a workload; the first that accepts runs it.
 */
export interface Pattern {
  /** What the pattern covers, for `--explain`, e.g. "conv + bias + relu + requant". */
  readonly name: string;
  readonly kind: AcceleratorOp['kind'];
  /**
   * A conv pattern whose programs pad with the workload's `padValue` (an asymmetric int8 input's
   * zero point). Without it the target pads with zeros only, and the partitioner pads such a
   * conv's input on the host instead (a copy in the layout plan).
   */
  readonly padsWithValue?: boolean;
  /** null when the target runs the workload, else the reason it does not. */
  check(workload: AcceleratorOp, spec: Spec): string | null;
}

/** A pattern of a target (src/contract/target.ts), its spec bound in. */
export interface TargetPattern {
  readonly name: string;
  readonly kind: AcceleratorOp['kind'];
  readonly padsWithValue: boolean;
  /** null when the target runs the workload, else the reason it does not. */
  check(workload: AcceleratorOp): string | null;
}

/** Whether a target runs convolutions whose padding reads a non-zero value (`padsWithValue`). */
export function padsConvWithValue(patterns: readonly TargetPattern[]): boolean {
  return patterns.some((p) => p.kind === 'conv' && p.padsWithValue);
}
