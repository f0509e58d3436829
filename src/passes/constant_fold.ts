import type { Graph, Node, Tensor } from '../ir/graph.js';
import type { HostTensor } from '../host/host_tensor.js';
import { runGraphOnHost } from '../host/run_graph.js';
import { shapeOf } from '../host/shape_ops.js';

/**
 * Ops never folded even on constant inputs: folding DequantizeLinear of int8 weights (or
 * QuantizeLinear of float constants) would erase the QDQ structure the quantization pass reads.
 */
const neverFolded: ReadonlySet<Node['op']> = new Set(['QuantizeLinear', 'DequantizeLinear']);

function isConstant(tensors: Readonly<Record<string, Tensor>>, name: string): boolean {
  return name === '' || tensors[name]?.data !== undefined;
}

/** Whether every input of the node is a constant or an omitted optional input. */
function allInputsConstant(node: Node, tensors: Readonly<Record<string, Tensor>>): boolean {
  return node.inputs.every((name) => isConstant(tensors, name));
}

/**
 * Evaluates a node whose inputs are all constant on the host reference kernels, as a one-node
 * graph with no runtime inputs.
 */
function evaluate(node: Node, graph: Graph, tensors: Readonly<Record<string, Tensor>>) {
  const local: Record<string, Tensor> = {};
  for (const name of node.inputs) if (name !== '') local[name] = tensors[name];
  const outputs = node.outputs.filter((name) => name !== '');
  for (const name of outputs) local[name] = tensors[name];
  const single: Graph = {
    name: `${graph.name}/${node.name}`,
    opset: graph.opset,
    inputs: [],
    outputs,
    tensors: local,
    nodes: [node],
  };
  return runGraphOnHost(single, {});
}

/** A Shape node's value from the input's inferred (static) shape, whatever the input holds. */
function evaluateShape(node: Node & { op: 'Shape' }, tensors: Readonly<Record<string, Tensor>>) {
  const x = tensors[node.inputs[0]];
  const shapeOnly: HostTensor = { dtype: x.dtype, shape: x.shape, data: [] };
  return { [node.outputs[0]]: shapeOf(shapeOnly, node.attrs.start, node.attrs.end) };
}

/**
 * The node's outputs as constant tensors (declared name, dtype and shape; data from the kernel),
 * or undefined when the node cannot be folded: it is a Q/DQ node, an input is not constant
 * (Shape needs only its input's static shape), or a kernel's dtype differs from the declared one.
 */
function foldNode(
  node: Node,
  graph: Graph,
  tensors: Readonly<Record<string, Tensor>>,
): Tensor[] | undefined {
  if (neverFolded.has(node.op)) return undefined;
  let values: Record<string, HostTensor>;
  if (node.op === 'Shape') values = evaluateShape(node, tensors);
  else if (allInputsConstant(node, tensors)) values = evaluate(node, graph, tensors);
  else return undefined;
  const folded: Tensor[] = [];
  for (const name of node.outputs) {
    if (name === '') continue;
    const declared = tensors[name];
    const value = values[name];
    if (value === undefined || value.dtype !== declared.dtype) return undefined;
    folded.push({ ...declared, data: value.data });
  }
  return folded;
}

/**
 * Constant folding: every node whose inputs are all constants (or omitted optional inputs) is
 * evaluated with the host reference kernels and replaced by its outputs as constant tensors, and
 * Shape nodes become constants from the inferred static shape. QuantizeLinear and
 * DequantizeLinear are never folded (see `neverFolded`). Folding runs in the graph's topological
 * order, so a node's constant inputs are known before it is visited and one sweep reaches the
 * fixed point (chains of shape arithmetic fold entirely). Graph outputs that become constants stay
 * graph outputs, now constant tensors. Inputs that lose their last consumer are left for
 * `removeDeadCode`.
 */
export function constantFold(graph: Graph): Graph {
  const tensors: Record<string, Tensor> = { ...graph.tensors };
  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    const folded = foldNode(node, graph, tensors);
    if (folded === undefined) {
      nodes.push(node);
      continue;
    }
    for (const t of folded) tensors[t.name] = t;
  }
  return { ...graph, tensors, nodes };
}
