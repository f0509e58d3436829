import type { Graph } from '../ir/graph.js';
import { constantFold } from './constant_fold.js';
import { removeDeadCode } from './dead_code.js';
import { eliminateIdentity } from './eliminate_identity.js';
import { foldBatchNorm } from './fold_batch_norm.js';

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
