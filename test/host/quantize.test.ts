import { describe, expect, it } from 'vitest';
import { dequantizeLinear, quantizeLinear } from '../../src/host/quantize.js';
import { f32, values } from './tensors.js';

const u8zp = (v: number[]) => ({
  dtype: 'uint8' as const,
  shape: [v.length],
  data: Uint8Array.from(v),
});
const i8zp = (v: number[]) => ({
  dtype: 'int8' as const,
  shape: [v.length],
  data: Int8Array.from(v),
});

describe('host QuantizeLinear', () => {
  it('rounds ties to even and saturates to uint8', () => {
    const x = f32([8], [2.5, 3.5, -0.5, 0.5, 1.5, 300, -5, 0.49]);
    const y = quantizeLinear(x, f32([], [1]), u8zp([0]), 1);
    expect(y.dtype).toBe('uint8');
    expect(values(y)).toEqual([2, 4, 0, 0, 2, 255, 0, 0]);
  });

  it('adds the zero point after rounding; int8 saturates both ways', () => {
    const x = f32([4], [-200, 200, -2.5, 1]);
    expect(values(quantizeLinear(x, f32([], [1]), i8zp([0]), 1))).toEqual([-128, 127, -2, 1]);
    expect(values(quantizeLinear(x, f32([], [2]), u8zp([128]), 1))).toEqual([28, 228, 127, 128]);
  });

  it('defaults to uint8 with zero point 0', () => {
    expect(quantizeLinear(f32([1], [3]), f32([], [1]), undefined, 1).dtype).toBe('uint8');
  });

  it('per axis: one scale and zero point per slice along axis 0', () => {
    const x = f32([2, 2], [1, 2, 3, 4]);
    const y = quantizeLinear(x, f32([2], [1, 2]), u8zp([0, 10]), 0);
    // Row 1: 3/2 = 1.5 → 2, 4/2 = 2; both + 10.
    expect(values(y)).toEqual([1, 2, 12, 12]);
  });
});

describe('host DequantizeLinear', () => {
  it('(x - zero point) · scale, per tensor and per axis', () => {
    const q = { dtype: 'uint8' as const, shape: [3], data: Uint8Array.from([0, 128, 255]) };
    expect(values(dequantizeLinear(q, f32([], [0.5]), u8zp([128]), 1))).toEqual([-64, 0, 63.5]);
    const w = { dtype: 'int8' as const, shape: [2, 1], data: Int8Array.from([-3, 5]) };
    expect(values(dequantizeLinear(w, f32([2], [0.5, 2]), undefined, 0))).toEqual([-1.5, 10]);
  });
});
