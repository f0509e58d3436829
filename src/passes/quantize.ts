import { InputError, InternalError } from '../errors.js';
import type { DType, Graph, Node, NodeOf, Quant, Tensor, TensorData } from '../ir/graph.js';
import { roundHalfEven } from '../numeric/numeric.js';
import { collectStats, rangeLimit, type CalibrationSample, type TensorStats } from './calibrate.js';
import { freshName, useCounts } from './graph_util.js';

/** How `quantizeGraph` chooses scales. */
export interface QuantizeOptions {
  /** Weight scales per output channel (DequantizeLinear with `axis`); one per tensor otherwise. */
  readonly perChannel: boolean;
  /**
   * Every scale rounded up to a power of two, for targets whose requantization is a shift: then
   * s_x·s_w/s_y is a power of two too.
   */
  readonly powerOfTwo: boolean;
  /** An activation's range: the largest |x| seen, or a percentile of |x| (outliers clipped). */
  readonly activationCalibration: 'max' | 'percentile';
  /** The percentile of |x| for 'percentile'. */
  readonly percentile: number;
  /**
   * 'symmetric': int8 with zero point 0 (convolution padding with zeros stays exact);
   * 'asymmetric': uint8 over [min, max] with a zero point, as PyTorch's flow quantizes.
   */
  readonly activations: 'symmetric' | 'asymmetric';
}

export const defaultQuantizeOptions: QuantizeOptions = {
  perChannel: true,
  powerOfTwo: false,
  activationCalibration: 'max',
  percentile: 99.99,
  activations: 'symmetric',
};

const int32Max = 2147483647;

type Tensors = Readonly<Record<string, Tensor>>;

/** Quantization parameters of one tensor: per tensor (scalar) or along `axis`. */
interface Params {
  readonly dtype: 'int8' | 'uint8' | 'int32';
  readonly scale: Float32Array;
  readonly zeroPoint: Int32Array;
  readonly axis?: number;
}

/** A constant operand and its channel axis (undefined: per tensor only). */
interface Operand {
  readonly index: number;
  readonly axis?: number;
}

/** How one Conv, Gemm or MatMul is quantized. */
interface Target {
  readonly activations: readonly number[];
  readonly weight?: Operand;
  readonly bias?: Operand;
  /** The tensor quantized after the op: its output, or that of a directly following Relu/Clip. */
  readonly output: string;
  /** The node after which the output's QuantizeLinear/DequantizeLinear come. */
  readonly last: Node;
}

/** A float32 constant's data (the plan only names such tensors as weights and biases). */
function floatData(t: Tensor): Float32Array {
  if (!(t.data instanceof Float32Array)) {
    throw new InternalError(`quantize: '${t.name}' is not a float32 constant`);
  }
  return t.data;
}

function isFloatConstant(tensors: Tensors, name: string | undefined): boolean {
  return name !== undefined && name !== '' && tensors[name]?.data instanceof Float32Array;
}

function isFloatValue(tensors: Tensors, name: string | undefined): boolean {
  const t = name === undefined || name === '' ? undefined : tensors[name];
  return t !== undefined && t.dtype === 'float32' && t.data === undefined;
}

/** The Gemm's bias C as a per-output-channel operand: [N] or [1, N], alpha = beta = 1. */
function gemmBias(node: NodeOf<'Gemm'>, tensors: Tensors, n: number): Operand | undefined {
  const c = node.inputs[2];
  if (!isFloatConstant(tensors, c) || node.attrs.alpha !== 1 || node.attrs.beta !== 1) {
    return undefined;
  }
  const shape = tensors[c].shape;
  const last = shape.length - 1;
  if (last < 0 || shape[last] !== n || shape.slice(0, last).some((d) => d !== 1)) return undefined;
  return { index: 2, axis: last };
}

/** Which inputs of a Conv/Gemm/MatMul are activations, weight and bias; undefined to skip it. */
function operandsOf(node: Node, tensors: Tensors): Omit<Target, 'output' | 'last'> | undefined {
  const activation = (i: number) => isFloatValue(tensors, node.inputs[i]);
  const constant = (i: number) => isFloatConstant(tensors, node.inputs[i]);
  if (node.op === 'Conv') {
    if (!activation(0) || !constant(1)) return undefined;
    const hasBias = constant(2) && tensors[node.inputs[2]].shape.length === 1;
    return {
      activations: [0],
      weight: { index: 1, axis: 0 },
      bias: hasBias ? { index: 2, axis: 0 } : undefined,
    };
  }
  if (node.op !== 'Gemm' && node.op !== 'MatMul') return undefined;
  const kinds = [0, 1].map((i) => (activation(i) ? 'a' : constant(i) ? 'w' : 'x'));
  if (kinds.includes('x') || (kinds[0] === 'w' && kinds[1] === 'w')) return undefined;
  if (kinds[0] === 'w') return { activations: [1], weight: { index: 0 } };
  if (kinds[1] === 'a') return { activations: [0, 1] };
  const b = tensors[node.inputs[1]].shape;
  if (node.op === 'MatMul') {
    return {
      activations: [0],
      weight: { index: 1, axis: b.length >= 2 ? b.length - 1 : undefined },
    };
  }
  const axis = node.attrs.transB ? 0 : 1;
  return { activations: [0], weight: { index: 1, axis }, bias: gemmBias(node, tensors, b[axis]) };
}

/** The only node reading `name`, when it is not also a graph output. */
function soleReader(
  graph: Graph,
  uses: ReadonlyMap<string, number>,
  name: string,
): Node | undefined {
  if (uses.get(name) !== 1 || graph.outputs.includes(name)) return undefined;
  return graph.nodes.find((n) => n.inputs.includes(name));
}

/** Clip bounds are attributes or constant inputs (a variable bound is not an activation). */
function isFusableActivation(node: Node | undefined, tensors: Tensors): node is Node {
  if (node?.op === 'Relu') return true;
  if (node?.op !== 'Clip') return false;
  return node.inputs.slice(1).every((name) => name === '' || tensors[name]?.data !== undefined);
}

/** The Conv/Gemm/MatMul nodes to quantize, each with its plan. */
function targetsOf(graph: Graph): Map<Node, Target> {
  const uses = useCounts(graph);
  const targets = new Map<Node, Target>();
  for (const node of graph.nodes) {
    const operands = operandsOf(node, graph.tensors);
    if (operands === undefined || graph.tensors[node.outputs[0]]?.dtype !== 'float32') continue;
    const next = soleReader(graph, uses, node.outputs[0]);
    const last = isFusableActivation(next, graph.tensors) ? next : node;
    targets.set(node, { ...operands, output: last.outputs[0], last });
  }
  return targets;
}

/** Rounds a positive scale up to a power of two when asked. */
function finishScale(s: number, options: QuantizeOptions): number {
  const positive = s > 0 && Number.isFinite(s) ? s : 1;
  return Math.fround(options.powerOfTwo ? 2 ** Math.ceil(Math.log2(positive)) : positive);
}

/** An activation's scale and zero point from what calibration saw of it. */
function activationParams(stats: TensorStats, options: QuantizeOptions): Params {
  const limit = rangeLimit(stats, options.activationCalibration, options.percentile);
  if (options.activations === 'symmetric') {
    const scale = finishScale(limit / 127, options);
    return { dtype: 'int8', scale: Float32Array.of(scale), zeroPoint: Int32Array.of(0) };
  }
  const lo = Math.min(0, Math.max(stats.min, -limit));
  const hi = Math.max(0, Math.min(stats.max, limit));
  const scale = finishScale((hi - lo) / 255, options);
  const zero = Math.min(255, Math.max(0, roundHalfEven(-lo / scale)));
  return { dtype: 'uint8', scale: Float32Array.of(scale), zeroPoint: Int32Array.of(zero) };
}

/** Channel count and elements per step along `axis` (1 channel when per tensor). */
function channelLayout(shape: readonly number[], axis: number | undefined): [number, number] {
  if (axis === undefined) return [1, shape.reduce((a, b) => a * b, 1)];
  return [shape[axis], shape.slice(axis + 1).reduce((a, b) => a * b, 1)];
}

/**
 * Symmetric int8 weights in [−127, 127], zero point 0, one scale per channel along `axis` or one
 * per tensor: s = max|w|/127, enlarged where needed so that the bias fits int32 at scale s_x·s
 * (|b|/(s_x·s) ≤ 2^31−1; matters only for channels with near-zero weights), 1 for all-zero ones.
 */
function weightParams(
  w: Tensor,
  axis: number | undefined,
  bias: Float32Array | undefined,
  sx: number,
  options: QuantizeOptions,
): { params: Params; data: Int8Array } {
  const wd = floatData(w);
  const [count, inner] = channelLayout(w.shape, axis);
  const limits = new Float64Array(count);
  for (let i = 0; i < wd.length; i++) {
    const c = count === 1 ? 0 : Math.floor(i / inner) % count;
    limits[c] = Math.max(limits[c], Math.abs(wd[i]) / 127);
  }
  bias?.forEach((b, i) => {
    const c = count === 1 ? 0 : i;
    limits[c] = Math.max(limits[c], Math.abs(b) / (sx * int32Max));
  });
  const scale = Float32Array.from(limits, (s) => finishScale(s, options));
  const data = new Int8Array(wd.length);
  for (let i = 0; i < wd.length; i++) {
    const c = count === 1 ? 0 : Math.floor(i / inner) % count;
    data[i] = Math.min(127, Math.max(-127, roundHalfEven(wd[i] / scale[c])));
  }
  const params: Params = { dtype: 'int8', scale, zeroPoint: new Int32Array(count), axis };
  return { params, data };
}

/** An int32 bias at scale s_x·s_w (per channel when the weight is), zero point 0. */
function biasParams(
  b: Tensor,
  axis: number | undefined,
  sx: number,
  weight: Params,
): { params: Params; data: Int32Array } {
  const bd = floatData(b);
  const scale = Float32Array.from(weight.scale, (sw) => Math.fround(sx * sw));
  const data = new Int32Array(bd.length);
  for (let i = 0; i < bd.length; i++) {
    const q = roundHalfEven(bd[i] / scale[scale.length === 1 ? 0 : i]);
    data[i] = Math.min(int32Max, Math.max(-int32Max - 1, q));
  }
  const perChannel = scale.length > 1 || weight.axis !== undefined;
  const params: Params = {
    dtype: 'int32',
    scale,
    zeroPoint: new Int32Array(scale.length),
    axis: perChannel ? axis : undefined,
  };
  return { params, data };
}

/** The graph under construction: tensors and nodes added in order, names kept unique. */
interface Builder {
  readonly tensors: Record<string, Tensor>;
  readonly nodes: Node[];
  readonly nodeNames: Set<string>;
}

function addTensor(b: Builder, base: string, t: Omit<Tensor, 'name'>): string {
  const name = freshName(b.tensors, base);
  b.tensors[name] = { ...t, name };
  return name;
}

function nodeName(b: Builder, base: string): string {
  let name = base;
  for (let i = 1; b.nodeNames.has(name); i++) name = `${base}_${i}`;
  b.nodeNames.add(name);
  return name;
}

function quantOf(p: Params): Quant {
  return { scale: p.scale, zeroPoint: p.zeroPoint, axis: p.axis };
}

/** Scale and zero-point constants: scalars per tensor, [C] per channel. */
function paramConstants(b: Builder, base: string, p: Params): [string, string] {
  const shape = p.axis === undefined ? [] : [p.scale.length];
  const zero: TensorData =
    p.dtype === 'int8'
      ? Int8Array.from(p.zeroPoint)
      : p.dtype === 'uint8'
        ? Uint8Array.from(p.zeroPoint)
        : Int32Array.from(p.zeroPoint);
  const scale = addTensor(b, `${base}/scale`, { dtype: 'float32', shape, data: p.scale });
  const zeroPoint = addTensor(b, `${base}/zero_point`, { dtype: p.dtype, shape, data: zero });
  return [scale, zeroPoint];
}

/** Appends DequantizeLinear(q) and returns its float output's name. */
function dequantize(b: Builder, base: string, q: string, p: Params, outName?: string): string {
  const [scale, zeroPoint] = paramConstants(b, base, p);
  const shape = b.tensors[q].shape;
  const out = outName ?? addTensor(b, `${base}/dequant`, { dtype: 'float32', shape });
  b.nodes.push({
    name: nodeName(b, `${base}/DequantizeLinear`),
    op: 'DequantizeLinear',
    inputs: [q, scale, zeroPoint],
    outputs: [out],
    attrs: { axis: p.axis ?? 1 },
  });
  return out;
}

/** Appends QuantizeLinear(x) and returns the quantized tensor's name. */
function quantize(b: Builder, base: string, x: string, p: Params): string {
  const [scale, zeroPoint] = paramConstants(b, base, p);
  const shape = b.tensors[x].shape;
  const q = addTensor(b, `${base}/quant`, { dtype: p.dtype, shape, quant: quantOf(p) });
  b.nodes.push({
    name: nodeName(b, `${base}/QuantizeLinear`),
    op: 'QuantizeLinear',
    inputs: [x, scale, zeroPoint],
    outputs: [q],
    attrs: { axis: 1 },
  });
  return q;
}

/** A quantized constant (int8 weight or int32 bias) and its DequantizeLinear; the float name. */
function constantQdq(b: Builder, base: string, t: Tensor, p: Params, data: TensorData): string {
  const dtype: DType = p.dtype;
  const q = addTensor(b, `${base}/quant`, { dtype, shape: t.shape, data, quant: quantOf(p) });
  return dequantize(b, base, q, p);
}

const quantizedOps: ReadonlySet<string> = new Set([
  'QuantizeLinear',
  'DequantizeLinear',
  'QLinearConv',
  'QLinearMatMul',
  'QConv',
  'QGemm',
]);

/** The float tensors calibration must observe: the targets' activation inputs and outputs. */
function observedTensors(targets: ReadonlyMap<Node, Target>): string[] {
  const names = new Set<string>();
  for (const [node, t] of targets) {
    for (const i of t.activations) names.add(node.inputs[i]);
    names.add(t.output);
  }
  return [...names];
}

/**
 * Post-training quantization of a float graph (run `cleanupPasses` first, so BatchNorm is folded)
 * into QDQ form, as the QDQ fixture models are. For every Conv, Gemm and MatMul:
 * - each activation input gets QuantizeLinear → DequantizeLinear (shared by every such op that
 *   reads it; a MatMul of two activations quantizes both, per tensor);
 * - a constant weight becomes an int8 constant + DequantizeLinear (symmetric, zero point 0, per
 *   output channel along its `axis` with `perChannel`, else per tensor);
 * - a bias (Conv input 2; Gemm C of shape [N] or [1, N] with alpha = beta = 1) becomes an int32
 *   constant at scale s_x·s_w, zero point 0, + DequantizeLinear;
 * - the output gets QuantizeLinear → DequantizeLinear, after a Relu or Clip that alone reads it
 *   (Conv → Relu → Q → DQ), and every reader of the quantized tensor reads the DequantizeLinear.
 *   A graph output keeps its name: the op then writes `<name>/float`.
 * Activation scales come from running the float graph on the `calibration` samples (see
 * `QuantizeOptions`). New tensors are named `<tensor>/quant`, `/dequant`, `/scale`, `/zero_point`,
 * new nodes `<tensor>/QuantizeLinear` and `/DequantizeLinear`; the order stays topological. A graph
 * that already holds quantized ops is an InputError.
 */
export function quantizeGraph(
  graph: Graph,
  calibration: readonly CalibrationSample[],
  options: Partial<QuantizeOptions> = {},
): Graph {
  return quantizeWithStats(graph, calibrateGraph(graph, calibration), options);
}

/** The float tensors whose ranges `quantizeGraph` needs: the ops' activation inputs and outputs. */
export function calibrationTensors(graph: Graph): string[] {
  return observedTensors(targetsOf(graph));
}

/** Runs the calibration samples and gathers the statistics of `calibrationTensors(graph)`. */
export function calibrateGraph(
  graph: Graph,
  calibration: readonly CalibrationSample[],
): Record<string, TensorStats> {
  return collectStats(graph, calibrationTensors(graph), calibration);
}

/**
 * `quantizeGraph` from statistics gathered once (`calibrateGraph`), so several option sets can be
 * tried on one calibration run. An InputError names a needed tensor missing from `stats`.
 */
export function quantizeWithStats(
  graph: Graph,
  stats: Readonly<Record<string, TensorStats>>,
  options: Partial<QuantizeOptions> = {},
): Graph {
  const opts: QuantizeOptions = { ...defaultQuantizeOptions, ...options };
  const already = graph.nodes.find((n) => quantizedOps.has(n.op));
  if (already !== undefined) {
    throw new InputError(
      `graph '${graph.name}' is already quantized (node '${already.name}' is ${already.op}); ` +
        'post-training quantization takes a float model',
    );
  }
  const targets = targetsOf(graph);
  for (const name of observedTensors(targets)) {
    if (stats[name] === undefined) {
      throw new InputError(`quantization: no calibration statistics for tensor '${name}'`);
    }
  }
  const actParams = new Map<string, Params>();
  for (const name of observedTensors(targets)) {
    actParams.set(name, activationParams(stats[name], opts));
  }
  const outputs = new Set(graph.outputs);
  const lastOf = new Map<Node, string>();
  for (const t of targets.values()) lastOf.set(t.last, t.output);

  const b: Builder = {
    tensors: { ...graph.tensors },
    nodes: [],
    nodeNames: new Set(graph.nodes.map((n) => n.name)),
  };
  const subst = new Map<string, string>();
  const dequantized = new Set<string>();
  const inputQdq = new Map<string, string>();
  for (const original of graph.nodes) {
    const inputs = original.inputs.map((name) => subst.get(name) ?? name);
    const target = targets.get(original);
    if (target !== undefined) {
      const sx = actParams.get(original.inputs[target.activations[0]])!.scale[0];
      for (const i of target.activations) {
        const x = inputs[i];
        if (dequantized.has(x)) continue;
        let dq = inputQdq.get(x);
        if (dq === undefined) {
          const p = actParams.get(original.inputs[i])!;
          dq = dequantize(b, x, quantize(b, x, x, p), p);
          inputQdq.set(x, dq);
          dequantized.add(dq);
        }
        inputs[i] = dq;
      }
      const w = target.weight;
      if (w !== undefined) {
        const wt = graph.tensors[original.inputs[w.index]];
        const axis = opts.perChannel ? w.axis : undefined;
        const bt = target.bias && graph.tensors[original.inputs[target.bias.index]];
        const wq = weightParams(wt, axis, bt && floatData(bt), sx, opts);
        inputs[w.index] = constantQdq(b, wt.name, wt, wq.params, wq.data);
        if (target.bias !== undefined && bt !== undefined) {
          const bq = biasParams(bt, target.bias.axis, sx, wq.params);
          inputs[target.bias.index] = constantQdq(b, bt.name, bt, bq.params, bq.data);
        }
      }
    }
    const y = lastOf.get(original);
    const rename = y !== undefined && outputs.has(y);
    const node: Node = {
      ...original,
      inputs,
      outputs: original.outputs.map((o) =>
        rename && o === y ? addTensor(b, `${y}/float`, graph.tensors[y]) : o,
      ),
    };
    b.nodes.push(node);
    if (y === undefined) continue;
    const p = actParams.get(y)!;
    const src = rename ? node.outputs[original.outputs.indexOf(y)] : y;
    const q = quantize(b, y, src, p);
    const dq = dequantize(b, y, q, p, rename ? y : undefined);
    dequantized.add(dq);
    if (!rename) subst.set(y, dq);
  }
  return { ...graph, tensors: b.tensors, nodes: b.nodes };
}
