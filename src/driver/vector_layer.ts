import { CheckFailedError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import type { VectorPlacement } from '../partition/partition.js';
import type { RunLayer } from '../results/run_summary.js';
import type { AnyTarget } from '../contract/target.js';
import { vectorReference } from '../reference/vector.js';
import { runVector } from '../runtime/run_vector.js';
import type { HostTensor } from '../host/host_tensor.js';
import { nodeInputs, storeOutputs } from '../host/run_graph.js';

/**
 * Runs a vector op (a residual add, a max-pool) on the target's simulator on its inputs, checks the
 * output against the integer reference (a difference is a CheckFailedError naming the layer) and
 * stores it; returns the simulated cycles. `values` holds the operands in the layout the plan gave
 * the node, the op's own DRAM layout: any for an element-wise add, NHWC for a max-pool.
 */
export function runVectorNode(
  graph: Graph,
  p: VectorPlacement,
  values: Map<string, HostTensor>,
  target: AnyTarget,
): number {
  const inputs = nodeInputs(p.node, values).map((t) => t?.data);
  const operands = inputs.filter((d): d is Int8Array => d instanceof Int8Array);
  const run = runVector(target, p.vector, operands);
  const want = vectorReference(p.vector, operands);
  const got = run.output ?? new Int8Array(0);
  let mismatches = 0;
  for (let i = 0; i < want.length; i++) if (want[i] !== got[i]) mismatches++;
  if (mismatches !== 0) {
    throw new CheckFailedError(
      `layer '${p.node.name}' (${p.node.op}) on ${target.name}: the simulated output differs from ` +
        `the integer reference in ${mismatches} of ${want.length} elements`,
    );
  }
  const shape = graph.tensors[p.node.outputs[0]].shape;
  storeOutputs(graph, p.node, [{ dtype: 'int8', shape, data: got }], values);
  return run.result.totalCycles;
}

/** A vector op's simulated cycles without data (they do not depend on it). */
export function timeVectorNode(p: VectorPlacement, target: AnyTarget): number {
  return runVector(target, p.vector, null).result.totalCycles;
}

/** A vector op's entry in a run: accelerator cycles, no multiply-accumulates, no mapping. */
export function vectorRunLayer(p: VectorPlacement, cycles: number): RunLayer {
  return {
    name: p.node.name,
    op: p.node.op,
    placement: 'accelerator',
    cycles,
    utilization: 0,
    macs: 0,
    reason: null,
    detail: null,
    schedulers: [],
  };
}
