import { float32Data, normalizeAxis, type HostTensor } from './host_tensor.js';

/**
 * Softmax. From opset 13 along `axis` alone; before 13 over the flattened dims [axis, rank), as the
 * older ONNX definition coerces the input to 2-D.
 */
export function softmax(x: HostTensor, axis: number, opset: number): HostTensor {
  const xd = float32Data(x, 'Softmax input');
  const a = normalizeAxis(axis, x.shape.length);
  const len = opset >= 13 ? x.shape[a] : x.shape.slice(a).reduce((p, q) => p * q, 1);
  const inner = opset >= 13 ? x.shape.slice(a + 1).reduce((p, q) => p * q, 1) : 1;
  const outer = xd.length / (len * inner);
  const out = new Float32Array(xd.length);
  const exps = new Float64Array(len);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let max = -Infinity;
      for (let k = 0; k < len; k++) max = Math.max(max, xd[base + k * inner]);
      let sum = 0;
      for (let k = 0; k < len; k++) {
        exps[k] = Math.exp(xd[base + k * inner] - max);
        sum += exps[k];
      }
      for (let k = 0; k < len; k++) out[base + k * inner] = exps[k] / sum;
    }
  }
  return { dtype: 'float32', shape: x.shape, data: out };
}
