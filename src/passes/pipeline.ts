import type { Graph } from '../ir/graph.js';
import { constantFold } from './constant_fold.js';
import { removeDeadCode } from './dead_code.js';
import { eliminateIdentity } from './eliminate_identity.js';
import { foldBatchNorm } from './fold_batch_norm.js';
import { foldQdq } from './fold_qdq.js';
import { foldQdqAdd } from './fold_qdq_add.js';
import { foldQdqMove } from './fold_qdq_move.js';
import { foldQdqPool } from './fold_qdq_pool.js';
import { uint8ActivationsToInt8 } from './int8_activations.js';

/** A graph pass: a pure function from graph to graph. */
export type Pass = (graph: Graph) => Graph;

/** Graph cleanup after import, in order. */
export const cleanupPasses: readonly Pass[] = [
  constantFold,
  eliminateIdentity,
  foldBatchNorm,
  removeDeadCode,
];

/** Runs the passes in order, each on the previous one's result. */
export function runPasses(graph: Graph, passes: readonly Pass[]): Graph {
  return passes.reduce((g, pass) => pass(g), graph);
}

/**
 * QDQ patterns into fused integer ops (after cleanup): int8 activations, folding (convolutions and
 * matrix products, then max-pooling and reshapes on int8 values), cleanup.
 */
export const quantizedOpPasses: readonly Pass[] = [
  uint8ActivationsToInt8,
  foldQdq,
  foldQdqMove,
  removeDeadCode,
];

/**
 * Residual additions of quantized tensors into QAdd, for a target that runs them (after
 * `quantizedOpPasses`); elsewhere they stay in float on the host.
 */
export const residualAddPasses: readonly Pass[] = [foldQdqAdd, removeDeadCode];

/**
 * Global average pooling of quantized tensors into depthwise QConvs (after `quantizedOpPasses`),
 * for a target that runs them; elsewhere it stays in float on the host.
 */
export const globalPoolPasses: readonly Pass[] = [foldQdqPool, removeDeadCode];
