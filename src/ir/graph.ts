import type { Rescale, WeightedSum } from '../numeric/numeric.js';

export type { Rescale };

/**
 * The graph IR: the model as the frontend imported it. Plain readonly data, JSON-friendly except
 * for constant tensor data (typed arrays). Names are the model's own (ONNX node and tensor names).
 */

/** Element types a tensor may hold. */
export type DType =
  'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'int64' | 'bool';

/**
 * Constant data, row-major. One array type per dtype (see `TensorDataByDType`). int64 is a plain
 * `number[]` (bigint is kept for instruction words): values beyond ±2^53 are rounded, which only
 * affects sentinels such as INT64_MAX in Slice ends, and those are clamped anyway. bool is a
 * Uint8Array of 0/1.
 */
export interface TensorDataByDType {
  readonly float32: Float32Array;
  readonly float64: Float64Array;
  readonly int8: Int8Array;
  readonly uint8: Uint8Array;
  readonly int16: Int16Array;
  readonly uint16: Uint16Array;
  readonly int32: Int32Array;
  readonly int64: readonly number[];
  readonly bool: Uint8Array;
}

export type TensorData = TensorDataByDType[DType];

/** Quantization parameters: per tensor (one scale) or per channel along `axis`. */
export interface Quant {
  readonly scale: Float32Array;
  readonly zeroPoint: Int32Array;
  readonly axis?: number;
}

/** A tensor: a graph input, a constant (`data` set) or a node output. `shape` is fully known. */
export interface Tensor {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data?: TensorData;
  readonly quant?: Quant;
}

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

/**
 * Attributes shared by convolutions. Rank-dependent fields are absent when the model omits them.
 */
export interface ConvAttrs {
  readonly group: number;
  readonly autoPad: AutoPad;
  readonly kernelShape?: readonly number[];
  readonly strides?: readonly number[];
  /** ONNX order: all begins, then all ends ([x1_begin, x2_begin, ..., x1_end, x2_end]). */
  readonly pads?: readonly number[];
  readonly dilations?: readonly number[];
}

/**
 * A sliding window's geometry, one entry per spatial dimension: pooling's attributes, and what conv
 * attributes resolve to for shape inference and the host kernels.
 */
export interface WindowAttrs {
  readonly kernelShape: readonly number[];
  readonly autoPad: AutoPad;
  readonly strides?: readonly number[];
  readonly pads?: readonly number[];
  readonly dilations?: readonly number[];
  readonly ceilMode: boolean;
}

type NoAttrs = Readonly<Record<never, never>>;

/** Each supported ONNX op's attributes, parsed and defaulted at the import boundary. */
export interface AttrsByOnnxOp {
  readonly Conv: ConvAttrs;
  readonly QLinearConv: ConvAttrs;
  readonly Gemm: {
    readonly transA: boolean;
    readonly transB: boolean;
    readonly alpha: number;
    readonly beta: number;
  };
  readonly MatMul: NoAttrs;
  readonly QLinearMatMul: NoAttrs;
  readonly Add: NoAttrs;
  readonly Sub: NoAttrs;
  readonly Mul: NoAttrs;
  readonly Div: NoAttrs;
  readonly Pow: NoAttrs;
  readonly Sqrt: NoAttrs;
  readonly Relu: NoAttrs;
  readonly Sigmoid: NoAttrs;
  readonly HardSwish: NoAttrs;
  readonly Tanh: NoAttrs;
  readonly Erf: NoAttrs;
  readonly Identity: NoAttrs;
  readonly GlobalAveragePool: NoAttrs;
  /**
   * min/max are attributes before opset 11; from opset 11 they are inputs 1 and 2 and these are
   * absent.
   */
  readonly Clip: { readonly min?: number; readonly max?: number };
  readonly HardSigmoid: { readonly alpha: number; readonly beta: number };
  /** `axis` is already defaulted by opset (1 before 13, -1 from 13). */
  readonly Softmax: { readonly axis: number };
  readonly BatchNormalization: { readonly epsilon: number };
  readonly LayerNormalization: { readonly axis: number; readonly epsilon: number };
  readonly MaxPool: WindowAttrs;
  readonly AveragePool: WindowAttrs & { readonly countIncludePad: boolean };
  readonly Flatten: { readonly axis: number };
  readonly Reshape: { readonly allowzero: boolean };
  /** Absent perm reverses the dimensions. */
  readonly Transpose: { readonly perm?: readonly number[] };
  readonly Concat: { readonly axis: number };
  /** `split` is an attribute before opset 13, input 1 from 13; absent means equal parts. */
  readonly Split: { readonly axis: number; readonly split?: readonly number[] };
  /** Attributes before opset 10 only; from opset 10 starts/ends/axes/steps are inputs 1–4. */
  readonly Slice: {
    readonly starts?: readonly number[];
    readonly ends?: readonly number[];
    readonly axes?: readonly number[];
  };
  readonly Gather: { readonly axis: number };
  readonly Shape: { readonly start: number; readonly end?: number };
  /** `axes` is an attribute before opset 13, input 1 from 13. */
  readonly Unsqueeze: { readonly axes?: readonly number[] };
  readonly Squeeze: { readonly axes?: readonly number[] };
  /** `axes` is an attribute before opset 18, input 1 from 18. */
  readonly ReduceMean: {
    readonly axes?: readonly number[];
    readonly keepdims: boolean;
    readonly noopWithEmptyAxes: boolean;
  };
  readonly Cast: { readonly to: DType };
  /** The fill value (a one-element tensor; float32 0 by default). */
  readonly ConstantOfShape: { readonly dtype: DType; readonly value: number };
  readonly QuantizeLinear: { readonly axis: number };
  readonly DequantizeLinear: { readonly axis: number };
}

/**
 * Requantization of a fused integer op, the arithmetic every accelerator op and its integer reference
 * share: out = saturate_int8(round_half_even(fp32(activation(acc)) × scale)), acc the int32 sum of
 * int8 products plus the int32 bias. `scale` has one entry per tensor or one per output channel.
 */
export interface Requant {
  readonly scale: readonly number[];
  readonly activation: 'none' | 'relu';
}

/**
 * Ops the passes create (never imported): integer convolution and matrix product with bias,
 * activation and requantization fused, on int8 tensors in ONNX layouts.
 * - QConv: inputs x [N][C][H][W] int8, w [K][C/group][R][S] int8 (constant), bias [K] int32
 *   (optional). Padding reads `padValue` (the input's zero point), not 0.
 * - QGemm: inputs a [...][M][K] int8, b [K][N] int8 (a constant, or an activation with the same
 *   batch dims as a), bias [N] int32 (optional); output [...][M][N] int8.
 * - QAdd: inputs a, b int8 of one shape; output int8 of that shape (`QAddAttrs`).
 * - QMaxPool: input x [N][C][H][W] (or [N][C][W]) int8; output int8, the window's maximum (padding
 *   never wins, as in MaxPool), then `rescale` when the output's quantization differs from the input's.
 */
export interface AttrsByInternalOp {
  readonly QConv: Required<ConvAttrs> & { readonly requant: Requant; readonly padValue: number };
  readonly QGemm: { readonly requant: Requant };
  readonly QAdd: QAddAttrs;
  readonly QMaxPool: WindowAttrs & { readonly rescale: Rescale | null };
}

/**
 * A weighted sum of two int8 tensors on an integer grid, per element:
 *   acc = offset + a·aWeight + b·bWeight + Σ_s saturate_int8(round_half_even(fp32(a·s))) + (b's),
 *   out = saturate_int8(round_half_even(fp32(activation(acc)) × outScale)),
 * weights non-negative integers of at most 4·127, scales at most 1 (numeric.ts `weightedSumToInt8`).
 * A residual add of two dequantized tensors, quantized again, folds into this form
 * (src/passes/fold_qdq_add.ts).
 */
export type QAddAttrs = WeightedSum & { readonly activation: 'none' | 'relu' };

export type AttrsByOp = AttrsByOnnxOp & AttrsByInternalOp;

/** The ONNX op types gemmforge imports (`Constant` nodes become constant tensors, not nodes). */
export type OnnxOpType = keyof AttrsByOnnxOp;

/** Every op a graph may hold: the ONNX ones and the fused integer ops of the passes. */
export type OpType = keyof AttrsByOp;

export const supportedOps: readonly OnnxOpType[] = [
  'Conv',
  'QLinearConv',
  'Gemm',
  'MatMul',
  'QLinearMatMul',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Sqrt',
  'Relu',
  'Sigmoid',
  'HardSwish',
  'Tanh',
  'Erf',
  'Identity',
  'GlobalAveragePool',
  'Clip',
  'HardSigmoid',
  'Softmax',
  'BatchNormalization',
  'LayerNormalization',
  'MaxPool',
  'AveragePool',
  'Flatten',
  'Reshape',
  'Transpose',
  'Concat',
  'Split',
  'Slice',
  'Gather',
  'Shape',
  'Unsqueeze',
  'Squeeze',
  'ReduceMean',
  'Cast',
  'ConstantOfShape',
  'QuantizeLinear',
  'DequantizeLinear',
];

export function isSupportedOp(op: string): op is OnnxOpType {
  return (supportedOps as readonly string[]).includes(op);
}

/** A node of one op type. `inputs` holds tensor names, '' for an omitted optional input. */
export interface NodeOf<K extends OpType> {
  readonly name: string;
  readonly op: K;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: AttrsByOp[K];
}

/** A node: a union discriminated on `op`, so `node.attrs` narrows with it. */
export type Node = { readonly [K in OpType]: NodeOf<K> }[OpType];

/** A node of an ONNX op (not one of the fused ops the passes create). */
export type OnnxNode = { readonly [K in OnnxOpType]: NodeOf<K> }[OnnxOpType];

export function isOnnxNode(node: Node): node is OnnxNode {
  return isSupportedOp(node.op);
}

export interface Graph {
  readonly name: string;
  /** The default-domain opset the model was exported with. */
  readonly opset: number;
  /** Non-constant graph inputs. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Every tensor: graph inputs, constants and every node output. */
  readonly tensors: Readonly<Record<string, Tensor>>;
  /** Topologically ordered. */
  readonly nodes: readonly Node[];
}

/** Bytes of one element of each dtype. */
export const dtypeBytes: Readonly<Record<DType, number>> = {
  float32: 4,
  float64: 8,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  int64: 8,
  bool: 1,
};

/** Number of elements of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
