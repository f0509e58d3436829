import { describe, expect, it } from 'vitest';
import { erf, unary, clip } from '../../src/host/activation.js';
import { binary } from '../../src/host/elementwise.js';
import { f32, i64, values } from './tensors.js';

describe('host binary ops', () => {
  it('Add broadcasts [2,1] with [3] to [2,3]', () => {
    const y = binary('Add', f32([2, 1], [10, 20]), f32([3], [1, 2, 3]));
    expect(y.shape).toEqual([2, 3]);
    expect(values(y)).toEqual([11, 12, 13, 21, 22, 23]);
  });

  it('Sub broadcasts a middle dim and a scalar', () => {
    const y = binary('Sub', f32([2, 1, 2], [1, 2, 3, 4]), f32([1, 3, 1], [0, 10, 20]));
    expect(y.shape).toEqual([2, 3, 2]);
    expect(values(y)).toEqual([1, 2, -9, -8, -19, -18, 3, 4, -7, -6, -17, -16]);
    expect(values(binary('Mul', f32([2], [1, 2]), f32([], [3])))).toEqual([3, 6]);
  });

  it('int64 Div truncates toward zero and keeps the dtype', () => {
    const y = binary('Div', i64([2], [-7, 7]), i64([], [2]));
    expect(y.dtype).toBe('int64');
    expect(values(y)).toEqual([-3, 3]);
  });

  it('refuses mixed dtypes', () => {
    expect(() => binary('Add', f32([1], [1]), i64([1], [1]))).toThrow(/float32 and int64/);
  });
});

describe('host unary ops', () => {
  it('erf matches tabulated values', () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 14);
    expect(erf(3)).toBeCloseTo(0.9999779095030014, 14);
    expect(erf(-2.6)).toBeCloseTo(-0.9997639655834707, 14);
  });

  it('Relu, HardSwish, Clip', () => {
    const x = f32([4], [-4, -1, 1, 4]);
    expect(values(unary('Relu', x))).toEqual([0, 0, 1, 4]);
    expect(values(unary('HardSwish', x))).toEqual([-0, -1 / 3, 2 / 3, 4].map(Math.fround));
    expect(values(clip(x, 0, 2))).toEqual([0, 0, 1, 2]);
  });
});
