import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyTarget } from '../../../src/contract/target.js';
import { qmaxpool } from '../../../src/host/quantized.js';
import { vectorReference } from '../../../src/reference/vector.js';
import { toNchw, toNhwc } from '../../../src/runtime/activation_layout.js';
import { runVector } from '../../../src/runtime/run_vector.js';
import { maxPoolProblem } from '../../../src/targets/gemmini/lower_maxpool.js';
import type { MaxPoolWorkload } from '../../../src/workload/vector.js';
import { gemmini, gemmini8 } from './presets.js';

const presets = [gemmini, gemmini8] as unknown as AnyTarget[];

/** A max-pool workload: `size`, `stride` and `pad` on every side, as QMaxPool's attributes give. */
function maxpool(
  N: number,
  H: number,
  W: number,
  C: number,
  size: number,
  stride: number,
  pad: number,
): MaxPoolWorkload {
  const out = (d: number) => Math.floor((d + 2 * pad - size) / stride) + 1;
  return {
    ...{ kind: 'maxpool', name: 'pool', N, H, W, C, size, stride },
    ...{ padTop: pad, padLeft: pad, P: out(H), Q: out(W) },
  };
}

/** n int8 values in [lo, hi], from a seed. */
function data(n: number, seed: number, lo: number, hi: number): Int8Array {
  let s = seed;
  return Int8Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return lo + ((s >> 8) % (hi - lo + 1));
  });
}

/** The host's QMaxPool kernel (NCHW, no rescale) on the same NHWC values, its output as NHWC. */
function hostKernel(w: MaxPoolWorkload, x: Int8Array, pad: number): Int8Array {
  const nchw = toNchw({ dtype: 'int8', shape: [w.N, w.H, w.W, w.C], data: x });
  const y = qmaxpool(nchw, {
    ...{ kernelShape: [w.size, w.size], autoPad: 'NOTSET', strides: [w.stride, w.stride] },
    ...{ pads: [pad, pad, pad, pad], ceilMode: false, rescale: null },
  });
  return toNhwc(y).data as Int8Array;
}

const poolArb = fc.record({
  N: fc.integer({ min: 1, max: 2 }),
  H: fc.integer({ min: 3, max: 14 }),
  W: fc.integer({ min: 3, max: 14 }),
  C: fc.integer({ min: 1, max: 40 }),
  size: fc.constantFrom(2, 3),
  stride: fc.constantFrom(1, 2),
  pad: fc.constantFrom(0, 1),
  // The values' range: all negative (the padding must not win), around 0, or the full int8 range.
  range: fc.constantFrom([-128, -1], [-128, -120], [-3, 3], [-128, 127], [0, 127]),
  preset: fc.integer({ min: 0, max: presets.length - 1 }),
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
});

describe('max-pool on Gemmini (lower_maxpool.ts)', () => {
  it('equals the integer reference and the host kernel bit for bit on random shapes', () => {
    fc.assert(
      fc.property(poolArb, (r) => {
        const w = maxpool(r.N, r.H, r.W, r.C, r.size, r.stride, r.pad);
        const x = data(r.N * r.H * r.W * r.C, r.seed, r.range[0], r.range[1]);
        const want = vectorReference(w, [x]);
        expect(want).toEqual(hostKernel(w, x, r.pad));
        expect(runVector(presets[r.preset], w, [x]).output).toEqual(want);
      }),
      { numRuns: 60 },
    );
  });

  it('pads with −128, not the RTL’s 0: an all-negative image keeps its border maxima', () => {
    // One channel, 2×2 image of −5, −6, −7, −8; 3×3 windows at stride 1 with padding 1.
    const w = maxpool(1, 2, 2, 1, 3, 1, 1);
    const out = runVector(presets[0], w, [Int8Array.from([-5, -6, -7, -8])]).output;
    expect(Array.from(out ?? [])).toEqual([-5, -5, -5, -5]);
  });

  it('tiles over output rows and alternates scratchpad halves (gemmini-8, 200 columns)', () => {
    // gemmini-8: 4096 rows in half the scratchpad hold 20 rows of 202 padded pixels, 18 output rows.
    const w = maxpool(1, 60, 200, 12, 3, 1, 1);
    const x = data(60 * 200 * 12, 11, -128, 127);
    expect(runVector(presets[1], w, [x]).output).toEqual(vectorReference(w, [x]));
  });

  it('says which pools the store cannot take', () => {
    const spec = presets[0].spec;
    expect(maxPoolProblem(maxpool(1, 112, 112, 64, 3, 2, 1), spec)).toBeNull();
    expect(maxPoolProblem(maxpool(1, 16, 16, 8, 4, 2, 1), spec)).toBe(
      'a 4×4 window at stride 2: CONFIG_ST holds at most 3 for each',
    );
    expect(maxPoolProblem(maxpool(1, 8, 300, 8, 2, 1, 0), spec)).toBe(
      '299 output columns from 300 padded input columns: CONFIG_ST holds at most 255',
    );
  });
});
