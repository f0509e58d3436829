import { describe, expect, it } from 'vitest';
import { batchNormalization, layerNormalization } from '../../src/host/normalization.js';
import { reduceMean } from '../../src/host/reduce.js';
import { softmax } from '../../src/host/softmax.js';
import { f32, values } from './tensors.js';

describe('host normalization', () => {
  it('LayerNormalization over the last dim, population variance, scale and bias', () => {
    const x = f32([2, 4], [1, 2, 3, 4, 5, 5, 5, 5]);
    const y = layerNormalization(x, f32([4], [1, 1, 1, 2]), f32([4], [0, 0, 0, 1]), -1, 0);
    const s = Math.sqrt(1.25); // mean 2.5, variance 1.25
    const want = [-1.5 / s, -0.5 / s, 0.5 / s, (2 * 1.5) / s + 1];
    values(y)
      .slice(0, 4)
      .forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    // A constant row normalizes to zero (eps 0 gives 0/0 only when the variance is exactly 0).
    const z = layerNormalization(x, f32([4], [1, 1, 1, 1]), undefined, 1, 1e-5);
    expect(values(z).slice(4)).toEqual([0, 0, 0, 0]);
  });

  it('BatchNormalization per channel', () => {
    const x = f32([1, 2, 1, 2], [1, 2, 3, 4]);
    const y = batchNormalization(
      x,
      f32([2], [2, 1]),
      f32([2], [0, 1]),
      f32([2], [1, 3]),
      f32([2], [4, 1]),
      0,
    );
    // Channel 0: (x - 1)/2·2; channel 1: (x - 3)/1 + 1.
    expect(values(y)).toEqual([0, 1, 1, 2]);
  });
});

describe('host softmax', () => {
  it('along the last axis', () => {
    const y = values(softmax(f32([3], [1, 2, 3]), -1, 13));
    const sum = 1 + Math.exp(-1) + Math.exp(-2);
    [Math.exp(-2) / sum, Math.exp(-1) / sum, 1 / sum].forEach((w, i) =>
      expect(y[i]).toBeCloseTo(w, 7),
    );
  });

  it('opset 13 uses the one axis; before 13 the dims from axis on are flattened', () => {
    const x = f32([1, 2, 2], [0, 1, 0, 3]);
    const y13 = values(softmax(x, 1, 13));
    expect(y13[0]).toBeCloseTo(0.5, 7);
    expect(y13[2]).toBeCloseTo(0.5, 7);
    expect(y13[1]).toBeCloseTo(1 / (1 + Math.exp(2)), 7);
    const y11 = values(softmax(x, 1, 11));
    const sum = 2 + Math.E + Math.exp(3);
    expect(y11[0]).toBeCloseTo(1 / sum, 7);
    expect(y11[3]).toBeCloseTo(Math.exp(3) / sum, 7);
  });
});

describe('host reduceMean', () => {
  it('over one axis with and without keepdims, and over all axes', () => {
    const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    const a = reduceMean(x, [-1], true, false);
    expect(a.shape).toEqual([2, 1]);
    expect(values(a)).toEqual([2, 5]);
    const b = reduceMean(x, [0], false, false);
    expect(b.shape).toEqual([3]);
    expect(values(b)).toEqual([2.5, 3.5, 4.5]);
    expect(values(reduceMean(x, undefined, false, false))).toEqual([3.5]);
  });
});
