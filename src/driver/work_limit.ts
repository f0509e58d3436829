import { InputError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { nodeMacs } from '../ir/node_macs.js';
import type { Spec } from '../spec/spec.js';
import { convOutputSize, macs } from '../workload/shape.js';
import type { Workload } from '../workload/workload.js';

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

/**
 * The fewest MAC slots a rows × cols array spends on a layer, padding included: the layer as a
 * matrix product (a conv's output pixels, output channels and reduction per group), two of its
 * dimensions rounded up to the array's sides and the third streamed, the cheapest way round. A GEMM
 * of one column fills one column of the array: its MACs alone do not show the work.
 */
export function arrayMacs(w: Workload, rows: number, cols: number): number {
  let dims: readonly number[];
  let groups = 1;
  if (w.kind === 'gemm') {
    dims = [w.M, w.N, w.K];
  } else {
    const { P, Q } = convOutputSize(w);
    groups = w.groups;
    dims = [w.N * P * Q, w.K / groups, (w.C / groups) * w.R * w.S];
  }
  const up = (x: number, side: number): number => Math.ceil(x / side) * side;
  let best = Infinity;
  for (let s = 0; s < 3; s++) {
    const [a, b] = dims.filter((_, i) => i !== s);
    best = Math.min(best, dims[s] * Math.min(up(a, rows) * up(b, cols), up(b, rows) * up(a, cols)));
  }
  return groups * best;
}

/** Refuses one layer whose MACs, or MAC slots on the spec's array, exceed `maxMacs`. */
export function checkLayerWork(w: Workload, spec: Spec, maxMacs: number): void {
  const useful = macs(w);
  const slots = arrayMacs(w, spec.array.rows, spec.array.cols);
  if (slots <= maxMacs || useful > maxMacs) {
    checkMacs(w.name, useful, maxMacs);
    return;
  }
  checkMacs(
    `${w.name} (${count(useful)} MACs, padded to the ${spec.array.rows}×${spec.array.cols} array)`,
    slots,
    maxMacs,
  );
}
