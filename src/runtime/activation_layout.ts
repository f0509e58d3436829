import { allocData, type HostTensor } from '../host/host_tensor.js';
import type { ActivationPad } from '../partition/layout_plan.js';

/**
 * A 4-D activation moved between the graph's layout (ONNX: NCHW) and the workload's DRAM layout
 * (workload.ts: NHWC), optionally padded: what a layout conversion in the plan does
 * (src/partition/layout_plan.ts), and what staging a fused op's input and output does.
 */

/** NCHW → NHWC, then padded around each image when padding is given. */
export function toNhwc(x: HostTensor, pad?: ActivationPad): HostTensor {
  const [N, C, H, W] = x.shape;
  const src = x.data as ArrayLike<number>;
  const out = allocData(x.dtype, N * H * W * C) as number[];
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      for (let i = 0; i < H * W; i++) out[(n * H * W + i) * C + c] = src[plane + i];
    }
  }
  const nhwc: HostTensor = {
    dtype: x.dtype,
    shape: [N, H, W, C],
    data: out as unknown as HostTensor['data'],
  };
  return pad === undefined ? nhwc : padNhwc(nhwc, pad);
}

/** NHWC (shape [N][H][W][C]) → NCHW. */
export function toNchw(x: HostTensor): HostTensor {
  const [N, H, W, C] = x.shape;
  const src = x.data as ArrayLike<number>;
  const out = allocData(x.dtype, N * C * H * W) as number[];
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        const row = ((n * H + h) * W + w) * C;
        for (let c = 0; c < C; c++) out[((n * C + c) * H + h) * W + w] = src[row + c];
      }
    }
  }
  return { dtype: x.dtype, shape: [N, C, H, W], data: out as unknown as HostTensor['data'] };
}

/** NHWC → NHWC with `pad` around each image. */
export function padNhwc(x: HostTensor, pad: ActivationPad): HostTensor {
  const [N, H, W, C] = x.shape;
  const [pT, pL, pB, pR] = pad.pads;
  const Hp = H + pT + pB;
  const Wp = W + pL + pR;
  const src = x.data as ArrayLike<number>;
  const out = allocData(x.dtype, N * Hp * Wp * C) as number[];
  out.fill(pad.value);
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      const from = (n * H + h) * W * C;
      const to = ((n * Hp + h + pT) * Wp + pL) * C;
      for (let i = 0; i < W * C; i++) out[to + i] = src[from + i];
    }
  }
  return { dtype: x.dtype, shape: [N, Hp, Wp, C], data: out as unknown as HostTensor['data'] };
}
