import { GemmforgeError } from '../errors.js';
import type { Graph, Node, NodeOf } from '../ir/graph.js';
import { planQdqFold } from '../passes/fold_qdq.js';
import type { AnyTarget } from '../contract/target.js';
import { validateWorkload } from '../workload/validate.js';
import { fusedWorkload, vectorWorkload, type FusedWorkload } from './fused_workload.js';
import { padsConvWithValue, type AcceleratorOp } from '../contract/patterns.js';
import { convPadValue } from '../workload/shape.js';
import type { VectorWorkload } from '../workload/vector.js';

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
      readonly node: NodeOf<'QAdd'>;
      readonly placement: 'accelerator';
      readonly pattern: string;
      /** A vector op: the target tiles it itself (no mapping to schedule). */
      readonly vector: VectorWorkload;
    }
  | {
      readonly node: Node;
      readonly placement: 'host';
      /** Why the accelerator does not run it. */
      readonly reason: string;
    };

/** An accelerator node the schedulers map (a convolution or matrix product). */
export type ScheduledPlacement = Extract<Placement, { readonly fused: FusedWorkload }>;
/** An accelerator node the target tiles itself (a vector op). */
export type VectorPlacement = Extract<Placement, { readonly vector: VectorWorkload }>;

export function isScheduled(p: Placement): p is ScheduledPlacement {
  return p.placement === 'accelerator' && 'fused' in p;
}

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
  if (node.op === 'QAdd') {
    const vector = vectorWorkload(node, graph);
    const accepted = accepting(target, vector);
    if (typeof accepted === 'string') return host(accepted);
    return { node, placement: 'accelerator', pattern: accepted.name, vector };
  }
  if (node.op !== 'QConv' && node.op !== 'QGemm') return host(hostReason(node, graph, target));
  let fused: FusedWorkload;
  try {
    fused = fusedWorkload(node, graph, padsConvWithValue(target.patterns));
    validateWorkload(fused.workload);
  } catch (e) {
    if (e instanceof GemmforgeError) return host(e.message);
    throw e;
  }
  const capability = requantProblem(node, target);
  if (capability !== null) return host(capability);
  const accepted = accepting(target, fused.workload);
  if (typeof accepted === 'string') return host(accepted);
  return { node, placement: 'accelerator', pattern: accepted.name, fused };
}

/** The name of the first of the target's patterns that runs `op`, or why none does. */
function accepting(target: AnyTarget, op: AcceleratorOp): { name: string } | string {
  const patterns = target.patterns.filter((p) => p.kind === op.kind);
  if (patterns.length === 0) return `${target.name} has no pattern for a ${op.kind} workload`;
  const refusals: string[] = [];
  const padValue = op.kind === 'conv' ? convPadValue(op) : 0;
  for (const p of patterns) {
    const why =
      padValue !== 0 && !p.padsWithValue
        ? `pads with zeros only, and this conv's padding reads ${padValue}`
        : p.check(op);
    if (why === null) return { name: p.name };
    refusals.push(`${p.name}: ${why}`);
  }
  return refusals.join('; ');
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
    case 'QMaxPool':
      return maxPoolReason(node, graph, target);
    default:
      return `${target.name} has no pattern for ${node.op}`;
  }
}

/**
 * Why an int8 max-pool stays on the host: a target pools, if at all, in the store of the convolution
 * that produces the pooled tensor, so a max-pool with no such convolution is stand-alone.
 */
function maxPoolReason(node: NodeOf<'QMaxPool'>, graph: Graph, target: AnyTarget): string {
  const producer = graph.nodes.find((n) => n.outputs.includes(node.inputs[0]));
  if (producer === undefined || producer.op !== 'QConv') {
    const from = producer === undefined ? 'a graph input' : `${producer.op} '${producer.name}'`;
    return (
      `a stand-alone max-pool (its input comes from ${from}, not a convolution): ` +
      `${target.name} has no pattern for one`
    );
  }
  if (node.attrs.rescale !== null) {
    return "its output's quantization differs from its input's (a fused pool keeps the convolution's)";
  }
  return `${target.name} has no pattern for a max-pool fused into a convolution's store`;
}
