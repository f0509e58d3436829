import { stridesOf, float32Data, normalizeAxis, type HostTensor } from './host_tensor.js';

/**
 * ReduceMean over `axes` (all dims when absent or empty, unless `noopWithEmptyAxes`), keeping the
 * reduced dims as 1 when `keepdims`.
 */
export function reduceMean(
  x: HostTensor,
  axes: readonly number[] | undefined,
  keepdims: boolean,
  noopWithEmptyAxes: boolean,
): HostTensor {
  const xd = float32Data(x, 'ReduceMean input');
  const rank = x.shape.length;
  if ((axes === undefined || axes.length === 0) && noopWithEmptyAxes) {
    return { dtype: 'float32', shape: x.shape, data: Float32Array.from(xd) };
  }
  const reduced = new Set(
    axes === undefined || axes.length === 0
      ? x.shape.map((_, i) => i)
      : axes.map((a) => normalizeAxis(a, rank)),
  );
  const keptShape = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const keptStrides = stridesOf(keptShape);
  // Output offset contributed by each input dim (0 on reduced dims).
  const outStride = new Int32Array(rank);
  for (let i = 0; i < rank; i++) outStride[i] = reduced.has(i) ? 0 : keptStrides[i];
  const outCount = keptShape.reduce((a, b) => a * b, 1);
  const sums = new Float64Array(outCount);
  const idx = new Int32Array(rank);
  let o = 0;
  for (let i = 0; i < xd.length; i++) {
    sums[o] += xd[i];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      o += outStride[d];
      if (idx[d] < x.shape[d]) break;
      o -= outStride[d] * x.shape[d];
      idx[d] = 0;
    }
  }
  const count = xd.length / outCount;
  const out = new Float32Array(outCount);
  for (let i = 0; i < outCount; i++) out[i] = sums[i] / count;
  const shape = keepdims ? keptShape : x.shape.filter((_, i) => !reduced.has(i));
  return { dtype: 'float32', shape, data: out };
}
