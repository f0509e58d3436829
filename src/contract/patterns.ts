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
  /** null when the target runs the workload, else the reason it does not. */
  check(workload: AcceleratorOp, spec: Spec): string | null;
}

/** A pattern of a target (src/contract/target.ts), its spec bound in. */
export interface TargetPattern {
  readonly name: string;
  readonly kind: AcceleratorOp['kind'];
  /** null when the target runs the workload, else the reason it does not. */
  check(workload: AcceleratorOp): string | null;
}
