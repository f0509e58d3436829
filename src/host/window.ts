import { InputError } from '../errors.js';
import type { WindowAttrs } from '../ir/graph.js';

/** A conv or pooling window over two spatial dims (1-D windows use H = 1). */
export interface Window2d {
  readonly kH: number;
  readonly kW: number;
  readonly sH: number;
  readonly sW: number;
  readonly dH: number;
  readonly dW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly padBottom: number;
  readonly padRight: number;
  readonly outH: number;
  readonly outW: number;
}

/**
 * Resolves the window geometry for spatial sizes [H, W] or [W]: explicit or auto pads, output
 * sizes with floor or ceil (a ceil window starting inside the end padding is dropped, as
 * onnxruntime does).
 */
export function window2d(spatial: readonly number[], w: WindowAttrs): Window2d {
  const n = spatial.length;
  if (n < 1 || n > 2 || w.kernelShape.length !== n) {
    throw new InputError(`only 1-D and 2-D windows are handled (input has ${n} spatial dims)`);
  }
  const dims = n === 1 ? [1, spatial[0]] : [spatial[0], spatial[1]];
  const k = n === 1 ? [1, w.kernelShape[0]] : [w.kernelShape[0], w.kernelShape[1]];
  const lift = (v: readonly number[] | undefined, d: number) =>
    v === undefined ? [d, d] : n === 1 ? [d, v[0]] : [v[0], v[1]];
  const s = lift(w.strides, 1);
  const dl = lift(w.dilations, 1);
  const pb = w.pads === undefined ? [0, 0] : n === 1 ? [0, w.pads[0]] : [w.pads[0], w.pads[1]];
  const pe = w.pads === undefined ? [0, 0] : n === 1 ? [0, w.pads[1]] : [w.pads[2], w.pads[3]];
  const out = [0, 0];
  for (let i = 0; i < 2; i++) {
    const extent = (k[i] - 1) * dl[i] + 1;
    if (w.autoPad === 'VALID') {
      pb[i] = 0;
      pe[i] = 0;
    }
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
      out[i] = Math.ceil(dims[i] / s[i]);
      const total = Math.max(0, (out[i] - 1) * s[i] + extent - dims[i]);
      const small = Math.floor(total / 2);
      pb[i] = w.autoPad === 'SAME_UPPER' ? small : total - small;
      pe[i] = total - pb[i];
    } else {
      const span = dims[i] + pb[i] + pe[i] - extent;
      out[i] = (w.ceilMode ? Math.ceil(span / s[i]) : Math.floor(span / s[i])) + 1;
      if (w.ceilMode && (out[i] - 1) * s[i] >= dims[i] + pb[i]) out[i] -= 1;
    }
    if (out[i] < 1) {
      throw new InputError(`window ${extent} does not fit input size ${dims[i]}`);
    }
  }
  return {
    kH: k[0],
    kW: k[1],
    sH: s[0],
    sW: s[1],
    dH: dl[0],
    dW: dl[1],
    padTop: pb[0],
    padLeft: pb[1],
    padBottom: pe[0],
    padRight: pe[1],
    outH: out[0],
    outW: out[1],
  };
}

/** The first and one-past-last output index o with 0 <= o·s - pad + offset < size. */
export function validRange(
  size: number,
  outSize: number,
  stride: number,
  pad: number,
  offset: number,
): [number, number] {
  const lo = Math.max(0, Math.ceil((pad - offset) / stride));
  const hi = Math.min(outSize, Math.floor((size - 1 + pad - offset) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}
