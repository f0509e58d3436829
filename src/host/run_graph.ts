import { GemmforgeError, InputError, ModelError, UnsupportedError } from '../errors.js';
import { elementCount, type Graph, type Node, type TensorData } from '../ir/graph.js';
import { clip, hardSigmoid, unary } from './activation.js';
import { conv } from './conv.js';
import { binary } from './elementwise.js';
import { gemm, matMul } from './gemm.js';
import { numbersOf, type HostTensor } from './host_tensor.js';
import { batchNormalization, layerNormalization } from './normalization.js';
import { globalAveragePool, pool } from './pool.js';
import { qadd, qconv, qgemm, qmaxpool } from './quantized.js';
import { dequantizeLinear, quantizeLinear, refuseQLinear } from './quantize.js';
import { reduceMean } from './reduce.js';
import * as shapeOps from './shape_ops.js';
import { softmax } from './softmax.js';

/** A graph input or output value: row-major data and its shape. */
export interface HostValue {
  readonly data: TensorData;
  readonly shape: readonly number[];
}

/** Reads a node's inputs from the values computed so far. */
interface NodeInputs {
  readonly get: (i: number) => HostTensor;
  readonly opt: (i: number) => HostTensor | undefined;
  readonly nums: (i: number) => number[] | undefined;
  readonly opset: number;
}

function assertNever(x: never): never {
  throw new UnsupportedError(String(x), 'the host runtime has no kernel for this op');
}

/** One node's outputs, computed by the reference kernels. */
function runNode(node: Node, ins: NodeInputs): HostTensor[] {
  const { get, opt, nums, opset } = ins;
  switch (node.op) {
    case 'Conv':
      return [conv(get(0), get(1), opt(2), node.attrs)];
    case 'Gemm':
      return [gemm(get(0), get(1), opt(2), node.attrs)];
    case 'MatMul':
      return [matMul(get(0), get(1))];
    case 'QLinearConv':
    case 'QLinearMatMul':
      return refuseQLinear(node.op);
    case 'QConv':
      return [qconv(get(0), get(1), opt(2), node.attrs)];
    case 'QGemm':
      return [qgemm(get(0), get(1), opt(2), node.attrs)];
    case 'QAdd':
      return [qadd(get(0), get(1), node.attrs)];
    case 'QMaxPool':
      return [qmaxpool(get(0), node.attrs)];
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
    case 'Pow':
      return [binary(node.op, get(0), get(1))];
    case 'Sqrt':
    case 'Relu':
    case 'Sigmoid':
    case 'HardSwish':
    case 'Tanh':
    case 'Erf':
      return [unary(node.op, get(0))];
    case 'Identity':
      return [get(0)];
    case 'Clip':
      return opset >= 11
        ? [clip(get(0), nums(1)?.[0], nums(2)?.[0])]
        : [clip(get(0), node.attrs.min, node.attrs.max)];
    case 'HardSigmoid':
      return [hardSigmoid(get(0), node.attrs.alpha, node.attrs.beta)];
    case 'GlobalAveragePool':
      return [globalAveragePool(get(0))];
    case 'MaxPool':
      return [pool('max', get(0), node.attrs, false)];
    case 'AveragePool':
      return [pool('average', get(0), node.attrs, node.attrs.countIncludePad)];
    case 'Softmax':
      return [softmax(get(0), node.attrs.axis, opset)];
    case 'BatchNormalization':
      return [batchNormalization(get(0), get(1), get(2), get(3), get(4), node.attrs.epsilon)];
    case 'LayerNormalization':
      return [layerNormalization(get(0), get(1), opt(2), node.attrs.axis, node.attrs.epsilon)];
    case 'ReduceMean':
      return [
        reduceMean(
          get(0),
          opset >= 18 ? nums(1) : node.attrs.axes,
          node.attrs.keepdims,
          node.attrs.noopWithEmptyAxes,
        ),
      ];
    case 'Flatten':
      return [shapeOps.flatten(get(0), node.attrs.axis)];
    case 'Reshape':
      return [shapeOps.reshape(get(0), numbersOf(get(1)), node.attrs.allowzero)];
    case 'Transpose':
      return [shapeOps.transpose(get(0), node.attrs.perm)];
    case 'Concat':
      return [
        shapeOps.concat(
          node.inputs.map((_, i) => get(i)),
          node.attrs.axis,
        ),
      ];
    case 'Split': {
      const x = get(0);
      const sizes = (opset >= 13 ? nums(1) : node.attrs.split) ?? equalParts(x, node);
      return shapeOps.split(x, node.attrs.axis, sizes);
    }
    case 'Slice':
      return opset < 10
        ? [
            shapeOps.slice(
              get(0),
              node.attrs.starts ?? [],
              node.attrs.ends ?? [],
              node.attrs.axes,
              undefined,
            ),
          ]
        : [shapeOps.slice(get(0), numbersOf(get(1)), numbersOf(get(2)), nums(3), nums(4))];
    case 'Gather':
      return [shapeOps.gather(get(0), get(1), node.attrs.axis)];
    case 'Shape':
      return [shapeOps.shapeOf(get(0), node.attrs.start, node.attrs.end)];
    case 'Unsqueeze':
      return [shapeOps.unsqueeze(get(0), (opset >= 13 ? nums(1) : node.attrs.axes) ?? [])];
    case 'Squeeze':
      return [shapeOps.squeeze(get(0), opset >= 13 ? nums(1) : node.attrs.axes)];
    case 'Cast':
      return [shapeOps.cast(get(0), node.attrs.to)];
    case 'ConstantOfShape':
      return [shapeOps.constantOfShape(numbersOf(get(0)), node.attrs.dtype, node.attrs.value)];
    case 'QuantizeLinear':
      return [quantizeLinear(get(0), get(1), opt(2), node.attrs.axis)];
    case 'DequantizeLinear':
      return [dequantizeLinear(get(0), get(1), opt(2), node.attrs.axis)];
    default:
      return assertNever(node);
  }
}

function equalParts(x: HostTensor, node: Node & { op: 'Split' }): number[] {
  const a = node.attrs.axis < 0 ? node.attrs.axis + x.shape.length : node.attrs.axis;
  const parts = node.outputs.length;
  return new Array<number>(parts)
    .fill(Math.ceil(x.shape[a] / parts))
    .map((s, i) => (i === parts - 1 ? x.shape[a] - s * (parts - 1) : s));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Runs a graph on the host reference kernels: constants come from the graph, `inputs` gives every
 * non-constant graph input (its dtype is the graph's). Nodes run in the graph's (topological)
 * order; each output is checked against the graph's inferred dtype and shape. Throws a ModelError
 * naming the node when an op or dtype is not handled.
 */
export function runGraphOnHost(
  graph: Graph,
  inputs: Readonly<Record<string, HostValue>>,
): Record<string, HostTensor> {
  const values = initialValues(graph, inputs);
  for (const node of graph.nodes) runHostNode(graph, node, values);
  return graphOutputs(graph, values);
}

/** The values a run starts from: the graph's constants and its inputs (checked against the graph). */
export function initialValues(
  graph: Graph,
  inputs: Readonly<Record<string, HostValue>>,
): Map<string, HostTensor> {
  const values = new Map<string, HostTensor>();
  for (const [name, t] of Object.entries(graph.tensors)) {
    if (t.data !== undefined) values.set(name, { dtype: t.dtype, shape: t.shape, data: t.data });
  }
  for (const name of graph.inputs) {
    const v = inputs[name];
    const t = graph.tensors[name];
    if (v === undefined) throw new InputError(`graph input '${name}' was not given`);
    if (!sameShape(v.shape, t.shape) || v.data.length !== elementCount(t.shape)) {
      throw new InputError(
        `graph input '${name}' has shape [${v.shape}] (${v.data.length} elements), ` +
          `the graph declares [${t.shape}]`,
      );
    }
    values.set(name, { dtype: t.dtype, shape: t.shape, data: v.data });
  }
  return values;
}

/** Runs one node on the reference kernels and stores its outputs in `values`. */
export function runHostNode(graph: Graph, node: Node, values: Map<string, HostTensor>): void {
  const opt = (i: number) => {
    const name = node.inputs[i];
    if (name === undefined || name === '') return undefined;
    const v = values.get(name);
    if (v === undefined) throw new InputError(`input '${name}' has no value yet`);
    return v;
  };
  const get = (i: number) => {
    const v = opt(i);
    if (v === undefined) throw new InputError(`required input ${i} is missing`);
    return v;
  };
  const nums = (i: number) => {
    const v = opt(i);
    return v === undefined ? undefined : numbersOf(v);
  };
  let outs: HostTensor[];
  try {
    outs = runNode(node, { get, opt, nums, opset: graph.opset });
  } catch (e) {
    if (!(e instanceof GemmforgeError)) throw e;
    throw new ModelError(node.name, node.op, `host runtime: ${e.message}`);
  }
  storeOutputs(graph, node, outs, values);
}

/** Stores a node's computed outputs, each checked against the graph's inferred shape. */
export function storeOutputs(
  graph: Graph,
  node: Node,
  outs: readonly HostTensor[],
  values: Map<string, HostTensor>,
): void {
  node.outputs.forEach((name, i) => {
    if (name === '') return;
    const out = outs[i];
    const want = graph.tensors[name];
    if (out === undefined || (want !== undefined && !sameShape(out.shape, want.shape))) {
      throw new ModelError(
        node.name,
        node.op,
        `produced shape [${out?.shape ?? 'nothing'}] for '${name}', ` +
          `the graph infers [${want?.shape}]`,
      );
    }
    values.set(name, out);
  });
}

/** The graph's outputs from the values of a finished run. */
export function graphOutputs(
  graph: Graph,
  values: ReadonlyMap<string, HostTensor>,
): Record<string, HostTensor> {
  const result: Record<string, HostTensor> = {};
  for (const name of graph.outputs) {
    const v = values.get(name);
    if (v === undefined) throw new InputError(`graph output '${name}' was not computed`);
    result[name] = v;
  }
  return result;
}

/** A node's input values in order (undefined for an omitted optional input). */
export function nodeInputs(
  node: Node,
  values: ReadonlyMap<string, HostTensor>,
): (HostTensor | undefined)[] {
  return node.inputs.map((name) => {
    if (name === '') return undefined;
    const v = values.get(name);
    if (v === undefined)
      throw new ModelError(node.name, node.op, `input '${name}' has no value yet`);
    return v;
  });
}
