import { InputError } from '../errors.js';
import { elementCount, type DType, type TensorData } from '../ir/graph.js';

/**
 * A tensor value while the host runs a graph: dtype, shape and row-major data (the graph IR's
 * per-dtype arrays; int64 is a plain number[]).
 */
export interface HostTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** A zero-filled array of `n` elements of `dtype`. */
export function allocData(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'uint16':
      return new Uint16Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int64':
      return new Array<number>(n).fill(0);
  }
}

/** The data as a writable indexable view (the arrays all index by number). */
export function writable(data: TensorData): { [i: number]: number; length: number } {
  return data as { [i: number]: number; length: number };
}

/** Normalizes a possibly negative axis, or throws. */
export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    throw new InputError(`axis ${axis} is out of range for rank ${rank}`);
  }
  return a;
}

/** Throws unless the tensor is float32; returns its data. */
export function float32Data(t: HostTensor, what: string): Float32Array {
  if (t.dtype !== 'float32' || !(t.data instanceof Float32Array)) {
    throw new InputError(`${what} is ${t.dtype}; this kernel handles float32 only`);
  }
  return t.data;
}

/** The values of a small integer or float tensor (shape operands, axes, clip bounds). */
export function numbersOf(t: HostTensor): number[] {
  return Array.from(t.data as ArrayLike<number>);
}

/** A float32 tensor from data and shape, checking the element count. */
export function f32Tensor(shape: readonly number[], data: Float32Array): HostTensor {
  if (data.length !== elementCount(shape)) {
    throw new InputError(`data has ${data.length} elements, shape [${shape}] needs more or fewer`);
  }
  return { dtype: 'float32', shape, data };
}
