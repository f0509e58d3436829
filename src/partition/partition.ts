import { GemmforgeError } from '../errors.js';
import type { Graph, Node, NodeOf } from '../ir/graph.js';
import { planQdqFold } from '../passes/fold_qdq.js';
import type { AnyTarget } from '../contract/target.js';
import { validateWorkload } from '../workload/validate.js';
import { fusedWorkload, type FusedWorkload } from './fused_workload.js';

/** Where one node runs, and why. */
/** A graph and where each of its nodes runs, in graph order: what execution and C emission take. */
export interface PartitionedModel {
  readonly graph: Graph;
  readonly placements: readonly Placement[];
}

export type Placement =
  | {
      readonly node: NodeOf<'QConv'> | NodeOf<'QGemm'>;
      readonly placement: 'accelerator';
      /** The target pattern that accepted it. */
      readonly pattern: string;
      readonly fused: FusedWorkload;
    }
  | {
      readonly node: Node;
      readonly placement: 'host';
      /** Why the accelerator does not run it. */
      readonly reason: string;
    };

/**
 * Picks the nodes the target runs: every fused integer op (QConv, QGemm) that the target's
 * requantization capability and one of its patterns accept; every other node runs on the host, with
 * the reason (for `--explain`). One entry per node, in graph order.
 */
export function partition(graph: Graph, target: AnyTarget): Placement[] {
  return graph.nodes.map((node) => place(node, graph, target));
}

function place(node: Node, graph: Graph, target: AnyTarget): Placement {
  const host = (reason: string): Placement => ({ node, placement: 'host', reason });
  if (node.op !== 'QConv' && node.op !== 'QGemm') return host(hostReason(node, graph, target));
  let fused: FusedWorkload;
  try {
    fused = fusedWorkload(node, graph);
    validateWorkload(fused.workload);
  } catch (e) {
    if (e instanceof GemmforgeError) return host(e.message);
    throw e;
  }
  const capability = requantProblem(node, target);
  if (capability !== null) return host(capability);
  const patterns = target.patterns.filter((p) => p.kind === fused.workload.kind);
  if (patterns.length === 0) {
    return host(`${target.name} has no pattern for a ${fused.workload.kind} workload`);
  }
  const refusals: string[] = [];
  for (const p of patterns) {
    const why = p.check(fused.workload);
    if (why === null) return { node, placement: 'accelerator', pattern: p.name, fused };
    refusals.push(`${p.name}: ${why}`);
  }
  return host(refusals.join('; '));
}

/** What the spec's requantization capability cannot do for a fused op, or null. */
function requantProblem(node: NodeOf<'QConv'> | NodeOf<'QGemm'>, target: AnyTarget): string | null {
  const r = target.spec.requantization;
  const q = node.attrs.requant;
  if (q.scale.length > 1 && !r.perChannel) {
    return `per-channel requantization (${q.scale.length} scales); ${target.name} scales per tensor`;
  }
  if (!r.activations.includes(q.activation)) {
    return `${q.activation} is not among ${target.name}'s fused activations (${r.activations.join(', ')})`;
  }
  if (r.scale === 'power-of-two-shift') {
    const bad = q.scale.find((s) => !Number.isInteger(Math.log2(s)));
    if (bad !== undefined) {
      return (
        `requantization scale ${bad} is not a power of two and ${target.name} requantizes by ` +
        'shifting (quantize with --quantize, which picks power-of-two scales for such targets)'
      );
    }
  }
  return null;
}

/** Why a node that is not a fused integer op stays on the host. */
function hostReason(node: Node, graph: Graph, target: AnyTarget): string {
  switch (node.op) {
    case 'Conv':
    case 'Gemm':
    case 'MatMul': {
      const fold = planQdqFold(node, graph);
      const why = typeof fold === 'string' ? fold : 'it was not folded';
      return `float ${node.op}: ${target.name} computes in int8 and this op is not quantized (${why}); quantize the model (--quantize) or give a QDQ model`;
    }
    case 'QuantizeLinear':
    case 'DequantizeLinear':
      return 'converts between int8 tensors and the float ops around them';
    case 'QLinearConv':
    case 'QLinearMatMul':
      return `${node.op} is not folded yet; export the model in QDQ form`;
    default:
      return `${target.name} has no pattern for ${node.op}`;
  }
}
