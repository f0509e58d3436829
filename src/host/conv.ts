import { InputError } from '../errors.js';
import type { ConvAttrs } from '../ir/graph.js';
import { float32Data, type HostTensor } from './host_tensor.js';
import { validRange, window2d } from './window.js';

/**
 * Float32 convolution (ONNX Conv), 1-D or 2-D, NCHW input, weights [M][C/group][kH][kW], with
 * groups, strides, dilations, explicit or auto pads and an optional bias. Sums run in float64.
 */
export function conv(
  x: HostTensor,
  w: HostTensor,
  bias: HostTensor | undefined,
  attrs: ConvAttrs,
): HostTensor {
  const xd = float32Data(x, 'Conv input');
  const wd = float32Data(w, 'Conv weight');
  const bd = bias === undefined ? undefined : float32Data(bias, 'Conv bias');
  const rank = x.shape.length;
  const spatial = x.shape.slice(2);
  const kernelShape = attrs.kernelShape ?? w.shape.slice(2);
  const g = window2d(spatial, { ...attrs, kernelShape, ceilMode: false });
  const [N, C] = x.shape;
  const H = rank === 4 ? x.shape[2] : 1;
  const W = x.shape[rank - 1];
  const M = w.shape[0];
  const groups = attrs.group;
  const Cg = C / groups;
  const Mg = M / groups;
  if (w.shape[1] !== Cg || M % groups !== 0 || C % groups !== 0) {
    throw new InputError(`weight [${w.shape}] does not fit ${C} channels in ${groups} groups`);
  }
  const { kH, kW, sH, sW, dH, dW, padTop, padLeft, outH, outW } = g;
  const plane = outH * outW;
  const out = new Float32Array(N * M * plane);
  const acc = new Float64Array(plane);
  // Valid output ranges per kernel offset, precomputed so the inner loop has no bounds checks.
  const rowRange = new Int32Array(2 * kH);
  for (let kh = 0; kh < kH; kh++) {
    const [lo, hi] = validRange(H, outH, sH, padTop, kh * dH);
    rowRange[2 * kh] = lo;
    rowRange[2 * kh + 1] = hi;
  }
  const colRange = new Int32Array(2 * kW);
  for (let kw = 0; kw < kW; kw++) {
    const [lo, hi] = validRange(W, outW, sW, padLeft, kw * dW);
    colRange[2 * kw] = lo;
    colRange[2 * kw + 1] = hi;
  }
  const xChan = H * W;
  const wPerM = Cg * kH * kW;
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const grp = Math.floor(m / Mg);
      acc.fill(bd === undefined ? 0 : bd[m]);
      for (let c = 0; c < Cg; c++) {
        const xBase = (n * C + grp * Cg + c) * xChan;
        const wBase = m * wPerM + c * kH * kW;
        for (let kh = 0; kh < kH; kh++) {
          const ohLo = rowRange[2 * kh];
          const ohHi = rowRange[2 * kh + 1];
          for (let kw = 0; kw < kW; kw++) {
            const wv = wd[wBase + kh * kW + kw];
            const owLo = colRange[2 * kw];
            const owHi = colRange[2 * kw + 1];
            const colOff = kw * dW - padLeft;
            for (let oh = ohLo; oh < ohHi; oh++) {
              const xRow = xBase + (oh * sH - padTop + kh * dH) * W + colOff;
              const aRow = oh * outW;
              for (let ow = owLo; ow < owHi; ow++) {
                acc[aRow + ow] += wv * xd[xRow + ow * sW];
              }
            }
          }
        }
      }
      out.set(acc, (n * M + m) * plane);
    }
  }
  const shape = rank === 4 ? [N, M, outH, outW] : [N, M, outW];
  return { dtype: 'float32', shape, data: out };
}
