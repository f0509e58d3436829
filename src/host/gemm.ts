import { InputError } from '../errors.js';
import { broadcastShape, broadcastStrides } from './broadcast.js';
import { float32Data, type HostTensor } from './host_tensor.js';

export interface GemmAttrs {
  readonly transA: boolean;
  readonly transB: boolean;
  readonly alpha: number;
  readonly beta: number;
}

/** Y = alpha·op(A)·op(B) + beta·C, A and B 2-D, C broadcast to [M, N]. Sums in float64. */
export function gemm(
  a: HostTensor,
  b: HostTensor,
  c: HostTensor | undefined,
  attrs: GemmAttrs,
): HostTensor {
  const ad = float32Data(a, 'Gemm A');
  const bd = float32Data(b, 'Gemm B');
  const [M, K] = attrs.transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [Kb, N] = attrs.transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (a.shape.length !== 2 || b.shape.length !== 2 || K !== Kb) {
    throw new InputError(`Gemm operands [${a.shape}] and [${b.shape}] do not multiply`);
  }
  // Strides of op(A)[m][k] and op(B)[k][n] in the stored layouts.
  const aM = attrs.transA ? 1 : K;
  const aK = attrs.transA ? M : 1;
  const bK = attrs.transB ? 1 : N;
  const bN = attrs.transB ? K : 1;
  const out = new Float32Array(M * N);
  const row = new Float64Array(N);
  let cd: Float32Array | undefined;
  let cs: Int32Array | undefined;
  if (c !== undefined && attrs.beta !== 0) {
    cd = float32Data(c, 'Gemm C');
    broadcastShape(c.shape, [M, N]);
    cs = broadcastStrides(c.shape, [M, N]);
  }
  for (let m = 0; m < M; m++) {
    row.fill(0);
    for (let k = 0; k < K; k++) {
      const av = ad[m * aM + k * aK];
      const bBase = k * bK;
      for (let n = 0; n < N; n++) row[n] += av * bd[bBase + n * bN];
    }
    for (let n = 0; n < N; n++) {
      const bias = cd === undefined || cs === undefined ? 0 : cd[m * cs[0] + n * cs[1]];
      out[m * N + n] = attrs.alpha * row[n] + attrs.beta * bias;
    }
  }
  return { dtype: 'float32', shape: [M, N], data: out };
}

/**
 * numpy matmul on float32: 1-D operands are promoted (and the added dim dropped), leading batch
 * dims broadcast.
 */
export function matMul(a: HostTensor, b: HostTensor): HostTensor {
  const ad = float32Data(a, 'MatMul A');
  const bd = float32Data(b, 'MatMul B');
  const aShape = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const bShape = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const M = aShape[aShape.length - 2];
  const K = aShape[aShape.length - 1];
  const N = bShape[bShape.length - 1];
  if (bShape[bShape.length - 2] !== K) {
    throw new InputError(`MatMul operands [${a.shape}] and [${b.shape}] do not multiply`);
  }
  const batch = broadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
  const sa = broadcastStrides(aShape.slice(0, -2), batch);
  const sb = broadcastStrides(bShape.slice(0, -2), batch);
  const batchCount = batch.reduce((x, y) => x * y, 1);
  const out = new Float32Array(batchCount * M * N);
  const row = new Float64Array(N);
  const idx = new Int32Array(batch.length);
  for (let t = 0; t < batchCount; t++) {
    let aOff = 0;
    let bOff = 0;
    for (let d = 0; d < batch.length; d++) {
      aOff += idx[d] * sa[d];
      bOff += idx[d] * sb[d];
    }
    aOff *= M * K;
    bOff *= K * N;
    const oOff = t * M * N;
    for (let m = 0; m < M; m++) {
      row.fill(0);
      for (let k = 0; k < K; k++) {
        const av = ad[aOff + m * K + k];
        const bBase = bOff + k * N;
        for (let n = 0; n < N; n++) row[n] += av * bd[bBase + n];
      }
      for (let n = 0; n < N; n++) out[oOff + m * N + n] = row[n];
    }
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  const shape = [...batch];
  if (a.shape.length > 1) shape.push(M);
  if (b.shape.length > 1) shape.push(N);
  return { dtype: 'float32', shape, data: out };
}
