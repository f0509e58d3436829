import { elementCount, type Graph, type NodeOf, type OpType, type Node } from '../ir/graph.js';
import { nodeMacs } from '../ir/node_macs.js';
import type { HostSpec, HostWorkKind } from '../spec/spec.js';

/**
 * What a host node costs: its kind of work and how many elements of it (`hostWorkKinds` in
 * src/spec/spec.ts), priced by the spec's host section. Cycles are the accelerator's: the host's
 * own cycles scaled by the two clocks, so host and accelerator cycles add up.
 */

export interface HostWork {
  readonly kind: HostWorkKind;
  /** Elements (window elements for pooling, multiply-accumulates for `mac`). */
  readonly count: number;
}

const outputElements = (node: Node, graph: Graph): number =>
  elementCount(graph.tensors[node.outputs[0]].shape);
const inputElements = (node: Node, graph: Graph): number =>
  elementCount(graph.tensors[node.inputs[0]].shape);

const perOutput =
  (kind: HostWorkKind) =>
  (node: Node, graph: Graph): HostWork => ({ kind, count: outputElements(node, graph) });
const perInput =
  (kind: HostWorkKind) =>
  (node: Node, graph: Graph): HostWork => ({ kind, count: inputElements(node, graph) });
const perMac = (node: Node, graph: Graph): HostWork => ({
  kind: 'mac',
  count: nodeMacs(node, graph),
});
const perWindowElement = (
  node: NodeOf<'MaxPool'> | NodeOf<'AveragePool'> | NodeOf<'QMaxPool'>,
  graph: Graph,
): HostWork => ({
  kind: 'poolWindow',
  count: outputElements(node, graph) * elementCount(node.attrs.kernelShape),
});

/** Every op's work on the host, one entry per op (null: no data is touched). */
const workByOp: { readonly [K in OpType]: (node: NodeOf<K>, graph: Graph) => HostWork | null } = {
  Conv: perMac,
  QLinearConv: perMac,
  Gemm: perMac,
  MatMul: perMac,
  QLinearMatMul: perMac,
  QConv: perMac,
  QGemm: perMac,
  Add: perOutput('elementwise'),
  QAdd: perOutput('elementwise'),
  Sub: perOutput('elementwise'),
  Mul: perOutput('elementwise'),
  Div: perOutput('elementwise'),
  Pow: perOutput('transcendental'),
  Sqrt: perOutput('transcendental'),
  Sigmoid: perOutput('transcendental'),
  Tanh: perOutput('transcendental'),
  Erf: perOutput('transcendental'),
  Relu: perOutput('activation'),
  HardSwish: perOutput('activation'),
  Clip: perOutput('activation'),
  HardSigmoid: perOutput('activation'),
  Identity: perOutput('copy'),
  GlobalAveragePool: perInput('globalPool'),
  ReduceMean: perInput('globalPool'),
  MaxPool: perWindowElement,
  QMaxPool: perWindowElement,
  AveragePool: perWindowElement,
  Softmax: perOutput('softmax'),
  BatchNormalization: perOutput('normalization'),
  LayerNormalization: perOutput('normalization'),
  Flatten: perOutput('copy'),
  Reshape: perOutput('copy'),
  Transpose: perOutput('copy'),
  Concat: perOutput('copy'),
  Split: perInput('copy'),
  Slice: perOutput('copy'),
  Gather: perOutput('copy'),
  Unsqueeze: perOutput('copy'),
  Squeeze: perOutput('copy'),
  Cast: perOutput('copy'),
  ConstantOfShape: perOutput('copy'),
  Shape: () => null,
  QuantizeLinear: perOutput('quantize'),
  DequantizeLinear: perOutput('dequantize'),
};

/** The work a node does when it runs on the host. */
export function hostWork(node: Node, graph: Graph): HostWork | null {
  const work = workByOp[node.op] as (n: Node, g: Graph) => HostWork | null;
  return work(node, graph);
}

/** Host work in accelerator cycles (rounded up): count × cycles per element × the clocks' ratio. */
export function hostCycles(
  work: HostWork | null,
  host: HostSpec,
  acceleratorClockHz: number,
): number {
  if (work === null) return 0;
  return Math.ceil(
    (work.count * host.cyclesPerElement[work.kind] * acceleratorClockHz) / host.clockHz,
  );
}
