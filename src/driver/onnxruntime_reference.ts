import onnxProto from 'onnx-proto';
import { InputError } from '../errors.js';
import type { DType } from '../ir/graph.js';
import type { HostValue } from '../host/run_graph.js';

/** Element types onnxruntime-node tensors take, by our dtype. */
const ortType: Partial<Record<DType, string>> = {
  float32: 'float32',
  float64: 'float64',
  int8: 'int8',
  uint8: 'uint8',
  int16: 'int16',
  uint16: 'uint16',
  int32: 'int32',
  bool: 'bool',
};

/** ONNX TensorProto element types, for extra graph outputs. */
const onnxElemType: Partial<Record<DType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
};

/** The reference runtime's outputs by name (flat data and shape). */
export type ReferenceOutputs = Record<
  string,
  { readonly data: ArrayLike<number>; readonly shape: readonly number[] }
>;

/**
 * Runs a model on onnxruntime-node (CPU) with `extra` tensors (name and dtype) added as graph outputs
 * so intermediate values can be compared too; returns the reason instead when onnxruntime-node is
 * not installed.
 *
 * Graph optimization stops at 'basic' (constant folding, redundant nodes): the model runs as written,
 * DequantizeLinear → float op → QuantizeLinear. At 'extended' and above onnxruntime fuses those into
 * QLinearConv / QLinearMatMul, whose x86 kernels (u8·s8 through 16-bit pair sums on CPUs without
 * VNNI) saturate on inputs near the ends of the uint8 range: on q_resnet18's first convolution with
 * standard-normal inputs that moved outputs by up to 28 steps, while the unfused model agreed with
 * the QDQ arithmetic within one step. The reference is the model's arithmetic, not one kernel's.
 */
export async function runOnnxRuntime(
  modelBytes: Uint8Array,
  inputs: Readonly<Record<string, HostValue & { readonly dtype: DType }>>,
  extra: readonly { readonly name: string; readonly dtype: DType }[] = [],
): Promise<ReferenceOutputs | { readonly unavailable: string }> {
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (e) {
    return { unavailable: `onnxruntime-node could not be loaded (${(e as Error).message})` };
  }
  const bytes = extra.length === 0 ? modelBytes : withOutputs(modelBytes, extra);
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'basic' });
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [name, v] of Object.entries(inputs)) {
    const type = ortType[v.dtype];
    if (type === undefined) throw new InputError(`input '${name}': ${v.dtype} is not supported`);
    feeds[name] = new ort.Tensor(type as 'float32', v.data as Float32Array, [...v.shape]);
  }
  const out = await session.run(feeds);
  const result: ReferenceOutputs = {};
  for (const [name, t] of Object.entries(out)) {
    result[name] = { data: t.data as ArrayLike<number>, shape: t.dims.map(Number) };
  }
  return result;
}

function withOutputs(
  bytes: Uint8Array,
  extra: readonly { readonly name: string; readonly dtype: DType }[],
): Uint8Array {
  const { ModelProto, ValueInfoProto } = onnxProto.onnx;
  const model = ModelProto.decode(bytes);
  const outputs = model.graph?.output;
  if (!outputs) throw new InputError('the model has no graph outputs');
  for (const { name, dtype } of extra) {
    const elemType = onnxElemType[dtype];
    if (elemType === undefined) throw new InputError(`cannot add ${dtype} output '${name}'`);
    outputs.push(ValueInfoProto.create({ name, type: { tensorType: { elemType } } }));
  }
  return ModelProto.encode(model).finish();
}
