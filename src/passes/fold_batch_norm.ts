import type { Graph, Node, NodeOf, Tensor } from '../ir/graph.js';
import { freshName, useCounts } from './graph_util.js';

type Tensors = Readonly<Record<string, Tensor>>;

/** A float32 constant's data, or undefined. */
function f32Constant(tensors: Tensors, name: string | undefined): Float32Array | undefined {
  if (name === undefined || name === '') return undefined;
  const data = tensors[name]?.data;
  return data instanceof Float32Array ? data : undefined;
}

interface Fold {
  readonly conv: NodeOf<'Conv'>;
  readonly bn: NodeOf<'BatchNormalization'>;
  readonly weight: Tensor;
  readonly bias: Tensor;
}

/**
 * The folded weights and bias for a Conv → BatchNormalization pair, or undefined unless: the Conv
 * is float32 with constant weights and optional constant bias, its output is read only by this
 * BN, and the BN's scale, B, mean and var are float32 constants with one value per output channel.
 * Per output channel m, with k = γ/√(σ²+ε) in float64: w'[m] = w[m]·k, b'[m] = (b[m]−μ)·k + β.
 */
function planFold(
  conv: NodeOf<'Conv'>,
  bn: NodeOf<'BatchNormalization'>,
  tensors: Tensors,
  uses: ReadonlyMap<string, number>,
): Fold | undefined {
  if (uses.get(conv.outputs[0]) !== 1) return undefined;
  if (bn.outputs.slice(1).some((name) => name !== '')) return undefined;
  const w = f32Constant(tensors, conv.inputs[1]);
  const hasBias = conv.inputs[2] !== undefined && conv.inputs[2] !== '';
  const b = f32Constant(tensors, conv.inputs[2]);
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => f32Constant(tensors, bn.inputs[i]));
  if (w === undefined || (hasBias && b === undefined)) return undefined;
  if (gamma === undefined || beta === undefined || mean === undefined || variance === undefined) {
    return undefined;
  }
  const wTensor = tensors[conv.inputs[1]];
  const m = wTensor.shape[0];
  if ([gamma, beta, mean, variance].some((p) => p.length !== m)) return undefined;
  if (b !== undefined && b.length !== m) return undefined;
  const perChannel = w.length / m;
  const w2 = new Float32Array(w.length);
  const b2 = new Float32Array(m);
  for (let c = 0; c < m; c++) {
    const k = gamma[c] / Math.sqrt(variance[c] + bn.attrs.epsilon);
    for (let i = c * perChannel; i < (c + 1) * perChannel; i++) w2[i] = w[i] * k;
    b2[c] = ((b?.[c] ?? 0) - mean[c]) * k + beta[c];
  }
  const weightName = freshName(tensors, `${conv.inputs[1]}_bn_folded`);
  const biasName = freshName(tensors, `${bn.name}_bias_folded`);
  return {
    conv,
    bn,
    weight: { name: weightName, dtype: 'float32', shape: wTensor.shape, data: w2 },
    bias: { name: biasName, dtype: 'float32', shape: [m], data: b2 },
  };
}

/**
 * Folds each BatchNormalization that directly follows a Conv into the Conv's weights and bias
 * (see `planFold` for the conditions and arithmetic). The merged Conv keeps the Conv's name and
 * attributes, writes the BN's output and takes the BN's place in the node order; the Conv's old
 * output tensor disappears. The old weights and bias stay for `removeDeadCode` (other nodes may
 * share them).
 */
export function foldBatchNorm(graph: Graph): Graph {
  const tensors: Record<string, Tensor> = { ...graph.tensors };
  const uses = useCounts(graph);
  const producer = new Map<string, Node>();
  for (const node of graph.nodes) for (const name of node.outputs) producer.set(name, node);
  const merged = new Map<Node, NodeOf<'Conv'>>();
  const removed = new Set<Node>();
  for (const bn of graph.nodes) {
    if (bn.op !== 'BatchNormalization') continue;
    const conv = producer.get(bn.inputs[0]);
    if (conv === undefined || conv.op !== 'Conv' || removed.has(conv)) continue;
    const fold = planFold(conv, bn, tensors, uses);
    if (fold === undefined) continue;
    tensors[fold.weight.name] = fold.weight;
    tensors[fold.bias.name] = fold.bias;
    delete tensors[conv.outputs[0]];
    removed.add(conv);
    merged.set(bn, {
      ...conv,
      inputs: [conv.inputs[0], fold.weight.name, fold.bias.name],
      outputs: [bn.outputs[0]],
    });
  }
  const nodes = graph.nodes
    .filter((node) => !removed.has(node))
    .map((node) => merged.get(node) ?? node);
  return { ...graph, tensors, nodes };
}
