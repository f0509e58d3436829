import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/host/host_tensor.js';
import { padNhwc, toNchw, toNhwc } from '../../src/runtime/activation_layout.js';

const shapes = fc.tuple(
  fc.integer({ min: 1, max: 2 }),
  fc.integer({ min: 1, max: 5 }),
  fc.integer({ min: 1, max: 5 }),
  fc.integer({ min: 1, max: 5 }),
);
const pads = fc.record({
  pads: fc.tuple(
    fc.integer({ min: 0, max: 2 }),
    fc.integer({ min: 0, max: 2 }),
    fc.integer({ min: 0, max: 2 }),
    fc.integer({ min: 0, max: 2 }),
  ),
  value: fc.integer({ min: -128, max: 127 }),
});

function nchw([N, C, H, W]: readonly number[], seed: number): HostTensor {
  const data = Int8Array.from({ length: N * C * H * W }, (_, i) => ((i * 37 + seed) % 256) - 128);
  return { dtype: 'int8', shape: [N, C, H, W], data };
}

describe('activation layouts', () => {
  it('moves element (n, c, h, w) to [n][h][w][c] and back', () => {
    const x = nchw([1, 2, 2, 3], 0);
    const y = toNhwc(x);
    expect(y.shape).toEqual([1, 2, 3, 2]);
    // x[0][1][1][2] (index 1·6 + 1·3 + 2 = 11) lands at y[0][1][2][1] (index (1·3 + 2)·2 + 1 = 11).
    expect(y.data[11]).toBe(x.data[11]);
    // x[0][1][0][0] (index 6) lands at y[0][0][0][1] (index 1).
    expect(y.data[1]).toBe(x.data[6]);
    expect(toNchw(y)).toEqual(x);
  });

  it('round-trips any shape, and pads in one step as in two', () => {
    fc.assert(
      fc.property(shapes, pads, fc.nat(255), (shape, pad, seed) => {
        const x = nchw(shape, seed);
        expect(toNchw(toNhwc(x))).toEqual(x);
        const once = toNhwc(x, pad);
        expect(once).toEqual(padNhwc(toNhwc(x), pad));
        const [N, C, H, W] = shape;
        const [t, l, b, r] = pad.pads;
        expect(once.shape).toEqual([N, H + t + b, W + l + r, C]);
        // The border holds the pad value: as many of them as the padding adds, at least.
        const border = N * C * ((H + t + b) * (W + l + r) - H * W);
        const filled = (once.data as Int8Array).filter((v) => v === pad.value).length;
        expect(filled).toBeGreaterThanOrEqual(border);
      }),
    );
  });

  it('keeps float data as float', () => {
    const x: HostTensor = {
      dtype: 'float32',
      shape: [1, 2, 1, 2],
      data: Float32Array.from([0.5, 1.5, 2.5, 3.5]),
    };
    const y = toNhwc(x);
    expect(y.data).toBeInstanceOf(Float32Array);
    expect(Array.from(y.data as Float32Array)).toEqual([0.5, 2.5, 1.5, 3.5]);
  });
});
