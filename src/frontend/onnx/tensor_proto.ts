import type { onnx } from 'onnx-proto';
import { InputError } from '../../errors.js';
import {
  dtypeBytes,
  elementCount,
  type DType,
  type Tensor,
  type TensorData,
} from '../../ir/graph.js';

/** An int64 as protobufjs decodes it: a number, or a Long when the `long` package is present. */
export type Int64 = number | { toNumber(): number };

export function int64ToNumber(v: Int64): number {
  return typeof v === 'number' ? v : v.toNumber();
}

/** ONNX TensorProto.DataType codes of the dtypes gemmforge holds. */
const dtypeByCode: Readonly<Record<number, DType>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  11: 'float64',
};

const onnxTypeNames: Readonly<Record<number, string>> = {
  8: 'STRING',
  10: 'FLOAT16',
  12: 'UINT32',
  13: 'UINT64',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
};

/** The dtype of an ONNX data-type code; `where` names the tensor or attribute for the error. */
export function dtypeOfCode(code: number, where: string): DType {
  const dtype = dtypeByCode[code];
  if (dtype === undefined) {
    const name = onnxTypeNames[code] ?? `code ${code}`;
    throw new InputError(`${where}: element type ${name} is not supported`);
  }
  return dtype;
}

/** The little-endian readers of the multi-byte dtypes: array type, element bytes, DataView getter. */
const rawReaders = {
  float32: [Float32Array, 4, (v: DataView, at: number) => v.getFloat32(at, true)],
  float64: [Float64Array, 8, (v: DataView, at: number) => v.getFloat64(at, true)],
  int16: [Int16Array, 2, (v: DataView, at: number) => v.getInt16(at, true)],
  uint16: [Uint16Array, 2, (v: DataView, at: number) => v.getUint16(at, true)],
  int32: [Int32Array, 4, (v: DataView, at: number) => v.getInt32(at, true)],
} as const;

/** Reads little-endian raw_data into the dtype's array (DataView: correct on any host). */
function fromRaw(dtype: DType, raw: Uint8Array, n: number): TensorData {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'int8': {
      // A fresh copy: protobufjs hands out Node Buffers that are views into the whole file.
      const out = new Int8Array(n);
      out.set(new Int8Array(raw.buffer, raw.byteOffset, n));
      return out;
    }
    case 'uint8':
    case 'bool': {
      const out = new Uint8Array(n);
      out.set(raw.subarray(0, n));
      return out;
    }
    case 'int64': {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push(Number(view.getBigInt64(8 * i, true)));
      return out;
    }
    default: {
      const [ArrayType, bytes, read] = rawReaders[dtype];
      const out = new ArrayType(n);
      for (let i = 0; i < n; i++) out[i] = read(view, bytes * i);
      return out;
    }
  }
}

/** Reads the typed *_data field that ONNX uses for the dtype. */
function fromTyped(dtype: DType, t: onnx.ITensorProto): { data: TensorData; count: number } {
  const ints = t.int32Data ?? [];
  switch (dtype) {
    case 'float32':
      return { data: Float32Array.from(t.floatData ?? []), count: t.floatData?.length ?? 0 };
    case 'float64':
      return { data: Float64Array.from(t.doubleData ?? []), count: t.doubleData?.length ?? 0 };
    case 'int64': {
      const data = (t.int64Data ?? []).map((v) => int64ToNumber(v));
      return { data, count: data.length };
    }
    case 'int8':
      return { data: Int8Array.from(ints), count: ints.length };
    case 'uint8':
    case 'bool':
      return { data: Uint8Array.from(ints), count: ints.length };
    case 'int16':
      return { data: Int16Array.from(ints), count: ints.length };
    case 'uint16':
      return { data: Uint16Array.from(ints), count: ints.length };
    case 'int32':
      return { data: Int32Array.from(ints), count: ints.length };
  }
}

/** A constant tensor from a TensorProto (an initializer or a Constant node's value). */
export function tensorFromProto(t: onnx.ITensorProto, name: string): Tensor {
  if (t.dataLocation === 1) {
    throw new InputError(`tensor '${name}': external data is not supported`);
  }
  const dtype = dtypeOfCode(t.dataType ?? 0, `tensor '${name}'`);
  const shape = (t.dims ?? []).map((d) => int64ToNumber(d));
  const n = elementCount(shape);
  const raw = t.rawData;
  if (raw !== null && raw !== undefined && raw.length > 0) {
    const expected = n * dtypeBytes[dtype];
    if (raw.length !== expected) {
      throw new InputError(
        `tensor '${name}': raw_data has ${raw.length} bytes, ` +
          `shape [${shape}] of ${dtype} needs ${expected}`,
      );
    }
    return { name, dtype, shape, data: fromRaw(dtype, raw, n) };
  }
  const { data, count } = fromTyped(dtype, t);
  if (count !== n) {
    throw new InputError(`tensor '${name}': has ${count} elements, shape [${shape}] needs ${n}`);
  }
  return { name, dtype, shape, data };
}
