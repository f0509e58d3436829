import type { WindowAttrs } from '../ir/graph.js';
import { float32Data, type HostTensor } from './host_tensor.js';
import { window2d } from './window.js';

export type PoolKind = 'max' | 'average';

/**
 * MaxPool / AveragePool over 1-D or 2-D NCHW float32 input, with pads, dilations (max) and
 * ceil_mode. Average divides by the window's in-bounds count, or, with `countIncludePad`, by its
 * extent clipped to the padded input (onnxruntime and PyTorch).
 */
export function pool(
  kind: PoolKind,
  x: HostTensor,
  attrs: WindowAttrs,
  countIncludePad: boolean,
): HostTensor {
  const xd = float32Data(x, `${kind} pool input`);
  const rank = x.shape.length;
  const g = window2d(x.shape.slice(2), attrs);
  const [N, C] = x.shape;
  const H = rank === 4 ? x.shape[2] : 1;
  const W = x.shape[rank - 1];
  const { kH, kW, sH, sW, dH, dW, padTop, padLeft, padBottom, padRight, outH, outW } = g;
  const out = new Float32Array(N * C * outH * outW);
  let o = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const base = nc * H * W;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * sH - padTop;
      for (let ow = 0; ow < outW; ow++) {
        const w0 = ow * sW - padLeft;
        let max = -Infinity;
        let sum = 0;
        let count = 0;
        for (let kh = 0; kh < kH; kh++) {
          const h = h0 + kh * dH;
          if (h < 0 || h >= H) continue;
          for (let kw = 0; kw < kW; kw++) {
            const w = w0 + kw * dW;
            if (w < 0 || w >= W) continue;
            const v = xd[base + h * W + w];
            if (v > max) max = v;
            sum += v;
            count++;
          }
        }
        if (kind === 'max') {
          out[o++] = max;
        } else {
          let divisor = count;
          if (countIncludePad) {
            const hEnd = Math.min(h0 + (kH - 1) * dH + 1, H + padBottom);
            const wEnd = Math.min(w0 + (kW - 1) * dW + 1, W + padRight);
            divisor = (hEnd - h0) * (wEnd - w0);
          }
          out[o++] = sum / divisor;
        }
      }
    }
  }
  const shape = rank === 4 ? [N, C, outH, outW] : [N, C, outW];
  return { dtype: 'float32', shape, data: out };
}

/** Mean over all spatial positions, keeping them as size-1 dims. */
export function globalAveragePool(x: HostTensor): HostTensor {
  const xd = float32Data(x, 'GlobalAveragePool input');
  const [N, C] = x.shape;
  const plane = x.shape.slice(2).reduce((a, b) => a * b, 1);
  const out = new Float32Array(N * C);
  for (let nc = 0; nc < N * C; nc++) {
    let sum = 0;
    const base = nc * plane;
    for (let i = 0; i < plane; i++) sum += xd[base + i];
    out[nc] = sum / plane;
  }
  return { dtype: 'float32', shape: [N, C, ...x.shape.slice(2).map(() => 1)], data: out };
}
