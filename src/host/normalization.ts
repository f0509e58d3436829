import { float32Data, normalizeAxis, type HostTensor } from './host_tensor.js';

/** Inference BatchNormalization over channel dim 1: (x - mean)/sqrt(var + eps)·scale + B. */
export function batchNormalization(
  x: HostTensor,
  scale: HostTensor,
  bias: HostTensor,
  mean: HostTensor,
  variance: HostTensor,
  epsilon: number,
): HostTensor {
  const xd = float32Data(x, 'BatchNormalization input');
  const sd = float32Data(scale, 'BatchNormalization scale');
  const bd = float32Data(bias, 'BatchNormalization B');
  const md = float32Data(mean, 'BatchNormalization mean');
  const vd = float32Data(variance, 'BatchNormalization var');
  const N = x.shape[0];
  const C = x.shape.length > 1 ? x.shape[1] : 1;
  const plane = x.shape.slice(2).reduce((a, b) => a * b, 1);
  const out = new Float32Array(xd.length);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const k = sd[c] / Math.sqrt(vd[c] + epsilon);
      const off = bd[c] - md[c] * k;
      const base = (n * C + c) * plane;
      for (let i = 0; i < plane; i++) out[base + i] = xd[base + i] * k + off;
    }
  }
  return { dtype: 'float32', shape: x.shape, data: out };
}

/**
 * LayerNormalization: normalizes over dims [axis, rank) with population variance, then scale and
 * optional bias (both shaped like the normalized dims).
 */
export function layerNormalization(
  x: HostTensor,
  scale: HostTensor,
  bias: HostTensor | undefined,
  axis: number,
  epsilon: number,
): HostTensor {
  const xd = float32Data(x, 'LayerNormalization input');
  const sd = float32Data(scale, 'LayerNormalization scale');
  const bd = bias === undefined ? undefined : float32Data(bias, 'LayerNormalization bias');
  const a = normalizeAxis(axis, x.shape.length);
  const inner = x.shape.slice(a).reduce((p, q) => p * q, 1);
  const outer = xd.length / inner;
  const out = new Float32Array(xd.length);
  for (let o = 0; o < outer; o++) {
    const base = o * inner;
    let sum = 0;
    for (let i = 0; i < inner; i++) sum += xd[base + i];
    const mean = sum / inner;
    let sq = 0;
    for (let i = 0; i < inner; i++) {
      const d = xd[base + i] - mean;
      sq += d * d;
    }
    const inv = 1 / Math.sqrt(sq / inner + epsilon);
    for (let i = 0; i < inner; i++) {
      const scaled = (xd[base + i] - mean) * inv * sd[i % sd.length];
      out[base + i] = bd === undefined ? scaled : scaled + bd[i % bd.length];
    }
  }
  return { dtype: 'float32', shape: x.shape, data: out };
}
