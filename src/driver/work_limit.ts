import { InputError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { nodeMacs } from '../ir/node_macs.js';

/**
 * The work a command takes on before it starts, estimated in multiply-accumulates: above the limit
 * it refuses at once (bad input, with the estimate and the flag that raises the limit) instead of
 * running for hours. The default is about five times the largest bundled model (q_resnet18, 1.8e9
 * MACs, half a minute to run on the simulator).
 */
export const defaultMaxMacs = 1e10;

/** A count as written: exact below a million, else in three significant digits (2.82e+10). */
const count = (n: number): string => (n < 1e6 ? String(n) : n.toExponential(2));

/** Refuses work of `macs` multiply-accumulates above `maxMacs`; `what` names the work. */
export function checkMacs(what: string, macs: number, maxMacs: number): void {
  if (macs > maxMacs) {
    throw new InputError(
      `${what} takes ${count(macs)} MACs, above the limit of ${count(maxMacs)} MACs ` +
        '(--max-macs N raises it)',
    );
  }
}

/** The multiply-accumulates of every convolution and matrix product of a graph. */
export function graphMacs(graph: Graph): number {
  return graph.nodes.reduce((n, node) => n + nodeMacs(node, graph), 0);
}
