import type { Graph, NodeOf } from '../ir/graph.js';
import { canonicalWorkload } from '../workload/canonical.js';
import type { ConvWorkload, GemmWorkload, Workload } from '../workload/workload.js';
import type { VectorWorkload } from '../workload/vector.js';
import { elementCount } from '../ir/graph.js';

/**
 * A fused op as the workloads an accelerator runs: `count` runs of one workload (a matrix product of
 * two activations runs once per batch element; everything else once). A convolution whose padding
 * must read a non-zero value (the input's zero point) carries it (`padValue`) when the target pads
 * with a value; otherwise the runtime pads its input and the workload has no padding (`prePad`).
 */
export interface FusedWorkload {
  readonly workload: Workload;
  readonly count: number;
  readonly prePad: boolean;
}

/**
 * The workload of a QConv or QGemm node of `graph`; `padsWithValue`: the target's convolutions pad
 * with a value (src/contract/patterns.ts).
 */
export function fusedWorkload(
  node: NodeOf<'QConv'> | NodeOf<'QGemm'>,
  graph: Graph,
  padsWithValue: boolean,
): FusedWorkload {
  const shape = (i: number) => graph.tensors[node.inputs[i]].shape;
  const bias = node.inputs[2] !== undefined && node.inputs[2] !== '';
  const requant = node.attrs.requant.scale.length > 1 ? 'per-channel' : 'per-tensor';
  const activation = node.attrs.requant.activation;
  if (node.op === 'QConv') {
    const [N, C, H, W] = shape(0);
    const [K, , R, S] = shape(1);
    const a = node.attrs;
    const [pT, pL, pB, pR] = a.pads;
    const valuePad = a.padValue !== 0 && pT + pL + pB + pR > 0;
    const prePad = valuePad && !padsWithValue;
    const conv: ConvWorkload = {
      kind: 'conv',
      name: node.name,
      N,
      H: prePad ? H + pT + pB : H,
      W: prePad ? W + pL + pR : W,
      C,
      K,
      R,
      S,
      strideH: a.strides[0],
      strideW: a.strides[1],
      padTop: prePad ? 0 : pT,
      padBottom: prePad ? 0 : pB,
      padLeft: prePad ? 0 : pL,
      padRight: prePad ? 0 : pR,
      ...(valuePad && padsWithValue ? { padValue: a.padValue } : {}),
      dilationH: a.dilations[0],
      dilationW: a.dilations[1],
      groups: a.group,
      bias,
      requant,
      activation,
    };
    return { workload: canonicalWorkload(conv), count: 1, prePad };
  }
  const a = shape(0);
  const b = shape(1);
  const M = a[a.length - 2];
  const K = a[a.length - 1];
  const N = b[b.length - 1];
  const batch = a.slice(0, -2).reduce((x, y) => x * y, 1);
  const constantB = graph.tensors[node.inputs[1]].data !== undefined;
  const gemm: GemmWorkload = {
    kind: 'gemm',
    name: node.name,
    M: constantB ? batch * M : M,
    N,
    K,
    bias,
    requant,
    activation,
  };
  return { workload: gemm, count: constantB ? 1 : batch, prePad: false };
}

/** The vector op of a QAdd node of `graph`: its elements and its arithmetic. */
export function vectorWorkload(node: NodeOf<'QAdd'>, graph: Graph): VectorWorkload {
  const elements = elementCount(graph.tensors[node.outputs[0]].shape);
  return { kind: 'resadd', name: node.name, elements, ...node.attrs };
}
