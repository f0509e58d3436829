import { describe, expect, it } from 'vitest';
import * as ops from '../../src/host/shape_ops.js';
import { f32, i64, values } from './tensors.js';

const x23 = f32([2, 3], [1, 2, 3, 4, 5, 6]);

describe('host shape ops', () => {
  it('Transpose, Reshape with 0 and -1, Flatten, Unsqueeze, Squeeze', () => {
    const t = ops.transpose(x23, [1, 0]);
    expect(t.shape).toEqual([3, 2]);
    expect(values(t)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(ops.reshape(x23, [0, -1, 1], false).shape).toEqual([2, 3, 1]);
    expect(ops.flatten(f32([1, 2, 1, 3], values(x23)), 2).shape).toEqual([2, 3]);
    expect(ops.unsqueeze(x23, [0, -1]).shape).toEqual([1, 2, 3, 1]);
    expect(ops.squeeze(f32([1, 2, 1], [1, 2]), undefined).shape).toEqual([2]);
  });

  it('Slice with negative indices, a step and clamped ends', () => {
    const s = ops.slice(x23, [-1, 0], [Number.MAX_SAFE_INTEGER, 3], [0, 1], [1, 2]);
    expect(s.shape).toEqual([1, 2]);
    expect(values(s)).toEqual([4, 6]);
    const r = ops.slice(x23, [-1], [-4], [1], [-1]);
    expect(values(r)).toEqual([3, 2, 1, 6, 5, 4]);
  });

  it('Shape, Gather, Concat and Cast on int64', () => {
    const shape = ops.shapeOf(f32([1, 16, 128], new Array(2048).fill(0)), 0, undefined);
    expect(shape).toEqual(i64([3], [1, 16, 128]));
    const g = ops.gather(shape, i64([], [-1]), 0);
    expect(g.shape).toEqual([]);
    expect(values(g)).toEqual([128]);
    const c = ops.concat([i64([1], [4]), i64([2], [-1, 32])], 0);
    expect(c).toEqual(i64([3], [4, -1, 32]));
    expect(values(ops.gather(x23, i64([2], [1, 0]), 1))).toEqual([2, 1, 5, 4]);
    const cast = ops.cast(f32([3], [-1.7, 2.9, 0]), 'int32');
    expect(cast.data).toEqual(Int32Array.from([-1, 2, 0]));
    expect(ops.constantOfShape([2], 'int32', 7).data).toEqual(Int32Array.from([7, 7]));
  });

  it('Split into given sizes', () => {
    const [a, b] = ops.split(x23, 1, [1, 2]);
    expect(values(a)).toEqual([1, 4]);
    expect(values(b)).toEqual([2, 3, 5, 6]);
  });
});
