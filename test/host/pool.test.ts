import { describe, expect, it } from 'vitest';
import type { WindowAttrs } from '../../src/ir/graph.js';
import { globalAveragePool, pool } from '../../src/host/pool.js';
import { f32, values } from './tensors.js';

const k2s2: WindowAttrs = {
  kernelShape: [2, 2],
  strides: [2, 2],
  autoPad: 'NOTSET',
  ceilMode: false,
};
const x3x3 = f32([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
const x2x2 = f32([1, 1, 2, 2], [1, 2, 3, 4]);

describe('host pooling', () => {
  it('MaxPool floor mode drops the partial window', () => {
    const y = pool('max', x3x3, k2s2, false);
    expect(y.shape).toEqual([1, 1, 1, 1]);
    expect(values(y)).toEqual([5]);
  });

  it('MaxPool ceil_mode keeps the partial windows', () => {
    const y = pool('max', x3x3, { ...k2s2, ceilMode: true }, false);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(values(y)).toEqual([5, 6, 8, 9]);
  });

  it('MaxPool with pads ignores the padding', () => {
    const y = pool(
      'max',
      f32([1, 1, 2, 2], [-1, -2, -3, -4]),
      { ...k2s2, pads: [1, 1, 1, 1] },
      false,
    );
    expect(values(y)).toEqual([-1, -2, -3, -4]);
  });

  it('AveragePool with pads divides by the in-bounds count, or by 4 with count_include_pad', () => {
    const attrs = { ...k2s2, pads: [1, 1, 1, 1] };
    expect(values(pool('average', x2x2, attrs, false))).toEqual([1, 2, 3, 4]);
    expect(values(pool('average', x2x2, attrs, true))).toEqual([0.25, 0.5, 0.75, 1]);
  });

  it('AveragePool ceil_mode: windows past the input count only in-bounds elements', () => {
    const y = pool('average', x3x3, { ...k2s2, ceilMode: true }, true);
    // Windows {1,2,4,5}, {3,6}, {7,8}, {9}.
    expect(values(y)).toEqual([3, 4.5, 7.5, 9]);
  });

  it('AveragePool pads + ceil_mode + count_include_pad: divisor clipped to the padded input', () => {
    const x = f32(
      [1, 1, 4, 4],
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    const attrs = { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true };
    const y = pool('average', x, { ...attrs, autoPad: 'NOTSET' }, true);
    expect(y.shape).toEqual([1, 1, 3, 3]);
    // Values onnxruntime 1.30 gives for this case; the last window covers only 16, over 2x2.
    const want = [14 / 9, 30 / 9, 2, 57 / 9, 11, 6, 4.5, 7.5, 4];
    values(y).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });

  it('GlobalAveragePool keeps size-1 spatial dims', () => {
    const y = globalAveragePool(f32([1, 2, 1, 2], [1, 3, 10, 20]));
    expect(y.shape).toEqual([1, 2, 1, 1]);
    expect(values(y)).toEqual([2, 15]);
  });
});
