import { InputError, UnsupportedError } from '../errors.js';
import type { DType } from '../ir/graph.js';
import { roundHalfEven } from '../numeric/numeric.js';
import { float32Data, normalizeAxis, type HostTensor } from './host_tensor.js';

const ranges: Partial<Record<DType, readonly [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

/**
 * For element i, which scale/zero point applies: 0 when per tensor, else the index along `axis`.
 * Returns [count of the axis dim, elements per step along it] ([1, n] when per tensor).
 */
function paramLayout(x: HostTensor, scaleCount: number, axis: number): [number, number] {
  if (scaleCount === 1) return [1, Number.MAX_SAFE_INTEGER];
  const a = normalizeAxis(axis, x.shape.length);
  if (x.shape[a] !== scaleCount) {
    throw new InputError(`${scaleCount} scales for axis ${axis} of size ${x.shape[a]}`);
  }
  const inner = x.shape.slice(a + 1).reduce((p, q) => p * q, 1);
  return [scaleCount, inner];
}

/**
 * QuantizeLinear: saturate(roundHalfEven(x / scale) + zeroPoint), the division in float32 as
 * onnxruntime does. The output dtype is the zero point's (uint8 when absent). Per tensor, or per
 * axis when scale has one entry per slice along `axis`.
 */
export function quantizeLinear(
  x: HostTensor,
  scale: HostTensor,
  zeroPoint: HostTensor | undefined,
  axis: number,
): HostTensor {
  const xd = float32Data(x, 'QuantizeLinear input');
  const sd = float32Data(scale, 'QuantizeLinear scale');
  const dtype = zeroPoint?.dtype ?? 'uint8';
  const range = ranges[dtype];
  if (range === undefined || dtype === 'int32') {
    throw new InputError(`QuantizeLinear to ${dtype} is not handled (uint8, int8, 16-bit)`);
  }
  const zd = (zeroPoint?.data ?? new Int32Array(sd.length)) as ArrayLike<number>;
  const [count, inner] = paramLayout(x, sd.length, axis);
  const [lo, hi] = range;
  const out =
    dtype === 'uint8'
      ? new Uint8Array(xd.length)
      : dtype === 'int8'
        ? new Int8Array(xd.length)
        : dtype === 'uint16'
          ? new Uint16Array(xd.length)
          : new Int16Array(xd.length);
  for (let i = 0; i < xd.length; i++) {
    const c = count === 1 ? 0 : Math.floor(i / inner) % count;
    const q = roundHalfEven(Math.fround(xd[i] / sd[c])) + zd[c];
    out[i] = q < lo ? lo : q > hi ? hi : q;
  }
  return { dtype, shape: x.shape, data: out };
}

/** DequantizeLinear: float32((x - zeroPoint)) · scale, in float32 as onnxruntime does. */
export function dequantizeLinear(
  x: HostTensor,
  scale: HostTensor,
  zeroPoint: HostTensor | undefined,
  axis: number,
): HostTensor {
  if (ranges[x.dtype] === undefined) {
    throw new InputError(`DequantizeLinear from ${x.dtype} is not handled`);
  }
  const xd = x.data as ArrayLike<number>;
  const sd = float32Data(scale, 'DequantizeLinear scale');
  const zd = (zeroPoint?.data ?? new Int32Array(sd.length)) as ArrayLike<number>;
  const [count, inner] = paramLayout(x, sd.length, axis);
  const out = new Float32Array(xd.length);
  for (let i = 0; i < xd.length; i++) {
    const c = count === 1 ? 0 : Math.floor(i / inner) % count;
    out[i] = Math.fround(xd[i] - zd[c]) * sd[c];
  }
  return { dtype: 'float32', shape: x.shape, data: out };
}

/** QLinearConv and QLinearMatMul are not run on the host yet. */
export function refuseQLinear(op: 'QLinearConv' | 'QLinearMatMul'): never {
  throw new UnsupportedError(
    op,
    'the host runtime has no reference kernel for it yet; export the model in QDQ form ' +
      '(QuantizeLinear/DequantizeLinear around float ops), which the host runs',
  );
}
