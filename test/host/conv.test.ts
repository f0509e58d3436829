import { describe, expect, it } from 'vitest';
import type { ConvAttrs } from '../../src/ir/graph.js';
import { conv } from '../../src/host/conv.js';
import { f32, values } from './tensors.js';

const base: ConvAttrs = { group: 1, autoPad: 'NOTSET' };
const x3x3 = f32([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
const ones2x2 = f32([1, 1, 2, 2], [1, 1, 1, 1]);

describe('host conv', () => {
  it('pads 1 and stride 2: each output sums the in-bounds part of its window, plus bias', () => {
    const y = conv(x3x3, ones2x2, f32([1], [10]), { ...base, pads: [1, 1, 1, 1], strides: [2, 2] });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    // Windows: {1}, {2,3}, {4,7}, {5,6,8,9}.
    expect(values(y)).toEqual([11, 15, 21, 38]);
  });

  it('groups: a depthwise 1x1 conv scales each channel by its own weight', () => {
    const x = f32([1, 2, 2, 2], [1, 2, 3, 4, 10, 20, 30, 40]);
    const w = f32([2, 1, 1, 1], [2, 3]);
    const y = conv(x, w, undefined, { ...base, group: 2 });
    expect(values(y)).toEqual([2, 4, 6, 8, 30, 60, 90, 120]);
  });

  it('groups of two channels each produce two outputs from their own inputs', () => {
    const x = f32([1, 4, 1, 1], [1, 2, 3, 4]);
    // Output m reads channels of group floor(m / 2): weights [1, 1] sum, [1, -1] subtract.
    const w = f32([4, 2, 1, 1], [1, 1, 1, -1, 1, 1, 1, -1]);
    const y = conv(x, w, undefined, { ...base, group: 2 });
    expect(values(y)).toEqual([3, -1, 7, -1]);
  });

  it('dilation 2 spreads the 2x2 kernel over the 3x3 corners', () => {
    const y = conv(x3x3, ones2x2, undefined, { ...base, dilations: [2, 2] });
    expect(y.shape).toEqual([1, 1, 1, 1]);
    expect(values(y)).toEqual([1 + 3 + 7 + 9]);
  });

  it('SAME_UPPER pads at the end', () => {
    const x = f32([1, 1, 2, 2], [1, 2, 3, 4]);
    const y = conv(x, ones2x2, undefined, { ...base, autoPad: 'SAME_UPPER' });
    expect(values(y)).toEqual([10, 6, 7, 4]);
  });

  it('1-D conv', () => {
    const y = conv(f32([1, 1, 4], [1, 2, 4, 8]), f32([1, 1, 2], [1, -1]), undefined, base);
    expect(y.shape).toEqual([1, 1, 3]);
    expect(values(y)).toEqual([-1, -2, -4]);
  });

  it('multiple input channels and outputs sum over channels', () => {
    const x = f32([1, 2, 1, 2], [1, 2, 3, 4]);
    const w = f32([2, 2, 1, 1], [1, 1, 1, -1]);
    expect(values(conv(x, w, undefined, base))).toEqual([4, 6, -2, -2]);
  });
});
