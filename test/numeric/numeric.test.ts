import { describe, expect, it } from 'vitest';
import {
  f32Bits,
  f32FromBits,
  roundHalfEven,
  roundingShift,
  saturateBits,
  saturateInt8,
  scaleF32,
  scaleToInt8,
  wrapBits,
} from '../../src/numeric/numeric.js';

describe('round half to even', () => {
  it.each([
    [-2.5, -2],
    [-1.5, -2],
    [-0.5, -0],
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [-3.5, -4],
    [2.4999, 2],
    [2.5001, 3],
    [-2.5001, -3],
  ])('%d → %d', (x, want) => {
    expect(roundHalfEven(x) === want || (want === 0 && roundHalfEven(x) === 0)).toBe(true);
  });
});

describe('rounding right shift (docs/gemmini.md §4 examples)', () => {
  // (x >> s) + (bit(s-1) & (bit(s) | rest != 0)):
  // 6 = 0b110 >> 2 = 1, bit1 = 1, bit2 = 1 → 2.   10 = 0b1010 >> 2 = 2, bit1 = 1, bit2 = 0, rest = 0 → 2.
  // 11 = 0b1011 >> 2 = 2, bit1 = 1, rest bit0 = 1 → 3.  −6 >> 2 = −2, bit1 of …1010 = 1, bit2 = 0,
  // rest 0 → −2.  −10 = …10110 >> 2 = −3, bit1 = 1, bit2 = 1 → −2.
  it.each([
    [6, 2, 2],
    [10, 2, 2],
    [11, 2, 3],
    [-6, 2, -2],
    [-10, 2, -2],
    [7, 0, 7],
    [1, 1, 0],
    [3, 1, 2],
    [-1, 1, -0],
    [-3, 1, -2],
    [0x7fffffff, 31, 1],
  ])('%d >> %d = %d', (x, s, want) => {
    expect(roundingShift(x, s) + 0).toBe(want + 0);
  });
});

describe('saturation and wrapping', () => {
  it('saturates int8 at both ends', () => {
    expect([-129, -128, 0, 127, 128, 100000, -100000].map(saturateInt8)).toEqual([
      -128, -128, 0, 127, 127, 127, -128,
    ]);
  });
  it('saturates to 20 bits', () => {
    expect(saturateBits(2 ** 19, 20)).toBe(2 ** 19 - 1);
    expect(saturateBits(-(2 ** 19) - 1, 20)).toBe(-(2 ** 19));
  });
  it('wraps to 20 bits: 2^19 → −2^19, 32 × (−128)² = 2^19 wraps', () => {
    expect(wrapBits(2 ** 19, 20)).toBe(-(2 ** 19));
    expect(wrapBits(32 * 128 * 128, 20)).toBe(-(2 ** 19));
    expect(wrapBits(2 ** 20 + 5, 20)).toBe(5);
    expect(wrapBits(-1, 20)).toBe(-1);
  });
  it('int32 wrap', () => {
    expect((2 ** 31) | 0).toBe(-(2 ** 31));
  });
});

describe('fp32 scaling (ACC_SCALE, docs/gemmini.md §4)', () => {
  it('1000 × 0.0625 → 62 (62.5 ties to even)', () => {
    expect(scaleToInt8(1000, 0.0625)).toBe(62);
  });
  it('1000 × 0.25 → 250, saturated to 127', () => {
    expect(scaleToInt8(1000, 0.25)).toBe(127);
  });
  it('−5 × 0.5 → −2 (−2.5 ties to even); 7 × 0.5 → 4 (3.5 ties to even)', () => {
    expect(scaleToInt8(-5, 0.5)).toBe(-2);
    expect(scaleToInt8(7, 0.5)).toBe(4);
  });
  it('5 × 0.1f → 0: the fp32 product is exactly 0.5 (double arithmetic would give 1)', () => {
    const tenth = Math.fround(0.1);
    expect(scaleToInt8(5, tenth)).toBe(0);
    expect(Math.round(5 * 0.1)).toBe(1);
  });
  it('mvin 100 × 1.5 → 127', () => {
    expect(scaleToInt8(100, 1.5)).toBe(127);
  });
  it('int32 → fp32 rounds to nearest even before the product', () => {
    // 2^24 + 1 is not representable in fp32; it rounds to 2^24 (even), × 1 = 16777216.
    expect(scaleF32(2 ** 24 + 1, 1)).toBe(2 ** 24);
    // 2^24 + 3 rounds up to 2^24 + 4.
    expect(scaleF32(2 ** 24 + 3, 1)).toBe(2 ** 24 + 4);
  });
  it('saturates at int32 and maps NaN to the largest int32', () => {
    expect(scaleF32(2 ** 31 - 1, 4)).toBe(2 ** 31 - 1);
    expect(scaleF32(-(2 ** 31), 4)).toBe(-(2 ** 31));
    expect(scaleF32(5, Number.NaN)).toBe(2 ** 31 - 1);
  });
  it('bit patterns round-trip, 0xFFFFFFFF included', () => {
    expect(f32Bits(1)).toBe(0x3f800000);
    expect(f32FromBits(0x3e800000)).toBe(0.25);
    expect(f32Bits(f32FromBits(0x3dcccccd))).toBe(0x3dcccccd);
    expect(Number.isNaN(f32FromBits(0xffffffff))).toBe(true);
  });
});
