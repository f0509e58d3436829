import { convWorkload } from '../fixtures/workloads.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { referenceConv } from '../../src/reference/conv.js';
import { referenceGemm } from '../../src/reference/gemm.js';
import type { ConvWorkload } from '../../src/workload/workload.js';

function conv(fields: Partial<ConvWorkload>): ConvWorkload {
  return convWorkload({
    name: 'test conv',
    H: 3,
    W: 3,
    C: 1,
    K: 1,
    R: 2,
    S: 2,
    padTop: 0,
    padBottom: 0,
    padLeft: 0,
    padRight: 0,
    bias: false,
    activation: 'none',
    ...fields,
  });
}

const pad1 = { padTop: 1, padBottom: 1, padLeft: 1, padRight: 1 };

/** 1×3×3×1 input 1..9 row by row; 2×2 kernel [[1, 2], [3, 4]]. */
const x3 = Int8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
const w2 = Int8Array.from([1, 2, 3, 4]);

describe('referenceConv, worked by hand', () => {
  it('2×2 kernel, stride 1, pad 0: e.g. out[0][0] = 1·1 + 2·2 + 3·4 + 4·5 = 37', () => {
    const out = referenceConv({ workload: conv({}), input: x3, weight: w2, bias: null, scale: 1 });
    expect(Array.from(out)).toEqual([37, 47, 67, 77]);
  });

  it('pad 1 gives 4×4; border outputs see zeros', () => {
    const out = referenceConv({
      workload: conv(pad1),
      input: x3,
      weight: w2,
      bias: null,
      scale: 1,
    });
    // out[0][0] = 4·x[0][0] = 4; out[3][3] = 1·x[2][2] = 9; out[1][0] = 2·1 + 4·4 = 18.
    expect(Array.from(out)).toEqual([4, 11, 18, 9, 18, 37, 47, 21, 36, 67, 77, 33, 14, 23, 26, 9]);
  });

  it('pad 1 reading a pad value of −2: each border output gains −2 × its padded weights', () => {
    const out = referenceConv({
      workload: conv({ ...pad1, padValue: -2 }),
      input: x3,
      weight: w2,
      bias: null,
      scale: 1,
    });
    // out[0][0] = 1·(−2) + 2·(−2) + 3·(−2) + 4·1 = −8; out[0][1] = 11 − 2·(1 + 2) = 5;
    // out[3][3] = 9 − 2·(2 + 3 + 4) = −9; the inner 2×2 is unchanged.
    expect(Array.from(out)).toEqual([-8, 5, 12, -5, 10, 37, 47, 9, 28, 67, 77, 21, -2, 9, 12, -9]);
  });

  it('bias, ReLU, then scale 0.5 rounding half to even', () => {
    // 37 − 50 = −13 → 0; −3 → 0; 17 · 0.5 = 8.5 → 8; 27 · 0.5 = 13.5 → 14.
    const out = referenceConv({
      workload: conv({ bias: true, activation: 'relu' }),
      input: x3,
      weight: w2,
      bias: Int32Array.from([-50]),
      scale: 0.5,
    });
    expect(Array.from(out)).toEqual([0, 0, 8, 14]);
  });

  it('saturates to int8 after scaling, and without ReLU keeps negatives', () => {
    const scaled = referenceConv({
      workload: conv({}),
      input: x3,
      weight: w2,
      bias: null,
      scale: 2,
    });
    expect(Array.from(scaled)).toEqual([74, 94, 127, 127]);
    const negative = referenceConv({
      workload: conv({}),
      input: x3,
      weight: Int8Array.from([-1, -2, -3, -4]),
      bias: null,
      scale: 2,
    });
    expect(Array.from(negative)).toEqual([-74, -94, -128, -128]);
  });

  it('sums wrap at int32', () => {
    const out = referenceConv({
      workload: conv({ H: 1, W: 1, R: 1, S: 1, bias: true }),
      input: Int8Array.from([1]),
      weight: Int8Array.from([1]),
      bias: Int32Array.from([2147483647]),
      scale: 1,
    });
    expect(Array.from(out)).toEqual([-128]);
  });

  it('depthwise: each channel with its own 2×2 filter', () => {
    // NHWC 2×2×2: channel 0 is 1, 2, 3, 4 and channel 1 its negation. Weights [R][S][1][K=2]:
    // channel 0 all ones → 10; channel 1 [[1, 2], [3, 4]] → −(1 + 4 + 9 + 16) = −30.
    const out = referenceConv({
      workload: conv({ H: 2, W: 2, C: 2, K: 2, groups: 2 }),
      input: Int8Array.from([1, -1, 2, -2, 3, -3, 4, -4]),
      weight: Int8Array.from([1, 1, 1, 2, 1, 3, 1, 4]),
      bias: null,
      scale: 1,
    });
    expect(Array.from(out)).toEqual([10, -30]);
  });

  it('grouped (C = K = 4, 2 groups) with per-channel scales', () => {
    // Weights [1][1][C/G = 2][K = 4] = [[1, 2, 3, 4], [5, 6, 7, 8]]. Group 0 reads inputs 1, 2:
    // k0 = 1·1 + 2·5 = 11, k1 = 1·2 + 2·6 = 14. Group 1 reads inputs 3, 4: k2 = 3·3 + 4·7 = 37,
    // k3 = 3·4 + 4·8 = 44. Scales 1, 0.5, 2, 0.25 → 11, 7, 74, 11.
    const out = referenceConv({
      workload: conv({ H: 1, W: 1, C: 4, K: 4, R: 1, S: 1, groups: 2, requant: 'per-channel' }),
      input: Int8Array.from([1, 2, 3, 4]),
      weight: Int8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
      bias: null,
      scale: Float32Array.from([1, 0.5, 2, 0.25]),
    });
    expect(Array.from(out)).toEqual([11, 7, 74, 11]);
  });

  it('dilation 2: out[p][q] = 15p + 3q + 30', () => {
    // x[h][w] = 5h + w; kernel [[1, −1], [2, 1]] at dilation 2:
    // x[p][q] − x[p][q+2] + 2·x[p+2][q] + x[p+2][q+2] = 15p + 3q + 30.
    const input = Int8Array.from({ length: 25 }, (_, i) => i);
    const out = referenceConv({
      workload: conv({ H: 5, W: 5, dilationH: 2, dilationW: 2 }),
      input,
      weight: Int8Array.from([1, -1, 2, 1]),
      bias: null,
      scale: 1,
    });
    expect(Array.from(out)).toEqual([30, 33, 36, 45, 48, 51, 60, 63, 66]);
  });

  it('stride 2 with asymmetric padding (top 1, right 1)', () => {
    // x = 1..16 on 4×4; 3×3 kernel weighting row r by r + 1; P = Q = floor(3 / 2) + 1 = 2.
    // out[0][0]: rows −1 (pad), 0, 1 × cols 0..2 = 2·6 + 3·18 = 66;
    // out[0][1]: cols 2, 3, 4 (pad) = 2·7 + 3·15 = 59; out[1][0] = 18 + 2·30 + 3·42 = 204;
    // out[1][1] = 15 + 2·23 + 3·31 = 154. Scale 0.5: 33, 29.5 → 30, 102, 77.
    const out = referenceConv({
      workload: conv({
        H: 4,
        W: 4,
        R: 3,
        S: 3,
        strideH: 2,
        strideW: 2,
        padTop: 1,
        padRight: 1,
      }),
      input: Int8Array.from({ length: 16 }, (_, i) => i + 1),
      weight: Int8Array.from([1, 1, 1, 2, 2, 2, 3, 3, 3]),
      bias: null,
      scale: 0.5,
    });
    expect(Array.from(out)).toEqual([33, 30, 102, 77]);
  });

  it('rejects data of the wrong length', () => {
    const call = (): unknown =>
      referenceConv({
        workload: conv({}),
        input: x3,
        weight: w2,
        bias: null,
        scale: new Float32Array(2),
      });
    expect(call).toThrow(InputError);
    expect(call).toThrow('reference conv "test conv": scale has 2 elements, expected 1');
    expect(() =>
      referenceConv({ workload: conv({}), input: w2, weight: w2, bias: null, scale: 1 }),
    ).toThrow('reference conv "test conv": input has 4 elements, expected 9');
  });
});

describe('referenceConv against referenceGemm', () => {
  const scales = [1, 0.5, 0.25, 0.125, 0.0078125, Math.fround(0.01), Math.fround(1 / 3)];
  const case1x1 = fc
    .record({
      N: fc.integer({ min: 1, max: 2 }),
      H: fc.integer({ min: 1, max: 4 }),
      W: fc.integer({ min: 1, max: 4 }),
      C: fc.integer({ min: 1, max: 8 }),
      K: fc.integer({ min: 1, max: 8 }),
      relu: fc.boolean(),
      withBias: fc.boolean(),
      scale: fc.constantFrom(...scales),
    })
    .chain((d) =>
      fc.record({
        d: fc.constant(d),
        input: fc.int8Array({ minLength: d.N * d.H * d.W * d.C, maxLength: d.N * d.H * d.W * d.C }),
        weight: fc.int8Array({ minLength: d.C * d.K, maxLength: d.C * d.K }),
        bias: fc.int32Array({ minLength: d.K, maxLength: d.K }),
      }),
    );

  it('a 1×1 stride-1 unpadded conv is the GEMM [N·H·W][C] × [C][K]', () => {
    fc.assert(
      fc.property(case1x1, ({ d, input, weight, bias }) => {
        const workload = conv({
          N: d.N,
          H: d.H,
          W: d.W,
          C: d.C,
          K: d.K,
          R: 1,
          S: 1,
          bias: d.withBias,
          activation: d.relu ? 'relu' : 'none',
        });
        const b = d.withBias ? bias : null;
        const got = referenceConv({ workload, input, weight, bias: b, scale: d.scale });
        const want = referenceGemm({
          I: d.N * d.H * d.W,
          J: d.K,
          K: d.C,
          a: input,
          b: weight,
          bias: b,
          scale: d.scale,
          relu: d.relu,
        });
        expect(Array.from(got)).toEqual(Array.from(want));
      }),
      { numRuns: 200 },
    );
  });
});

describe('referenceConv with a pad value', () => {
  const padded = fc
    .record({
      H: fc.integer({ min: 1, max: 5 }),
      W: fc.integer({ min: 1, max: 5 }),
      C: fc.integer({ min: 1, max: 4 }),
      K: fc.integer({ min: 1, max: 4 }),
      R: fc.integer({ min: 1, max: 3 }),
      S: fc.integer({ min: 1, max: 3 }),
      stride: fc.integer({ min: 1, max: 2 }),
      pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
      padValue: fc.integer({ min: -128, max: 127 }),
    })
    .filter((d) => d.H + d.pads[0] + d.pads[1] >= d.R && d.W + d.pads[2] + d.pads[3] >= d.S)
    .chain((d) =>
      fc.record({
        d: fc.constant(d),
        input: fc.int8Array({ minLength: d.H * d.W * d.C, maxLength: d.H * d.W * d.C }),
        weight: fc.int8Array({
          minLength: d.R * d.S * d.C * d.K,
          maxLength: d.R * d.S * d.C * d.K,
        }),
      }),
    );

  // Scale 1/4096 keeps most outputs off the int8 limits, where a difference would still show.
  it('equals the unpadded conv of the input padded with that value by hand', () => {
    fc.assert(
      fc.property(padded, ({ d, input, weight }) => {
        const [pT, pB, pL, pR] = d.pads;
        const Hp = d.H + pT + pB;
        const Wp = d.W + pL + pR;
        const big = new Int8Array(Hp * Wp * d.C).fill(d.padValue);
        for (let h = 0; h < d.H; h++) {
          for (let w = 0; w < d.W; w++) {
            for (let c = 0; c < d.C; c++) {
              big[((h + pT) * Wp + w + pL) * d.C + c] = input[(h * d.W + w) * d.C + c];
            }
          }
        }
        const shape = { C: d.C, K: d.K, R: d.R, S: d.S, strideH: d.stride, strideW: d.stride };
        const got = referenceConv({
          workload: conv({
            ...shape,
            H: d.H,
            W: d.W,
            padTop: pT,
            padBottom: pB,
            padLeft: pL,
            padRight: pR,
            padValue: d.padValue,
          }),
          input,
          weight,
          bias: null,
          scale: 1 / 4096,
        });
        const want = referenceConv({
          workload: conv({ ...shape, H: Hp, W: Wp }),
          input: big,
          weight,
          bias: null,
          scale: 1 / 4096,
        });
        expect(Array.from(got)).toEqual(Array.from(want));
      }),
      { numRuns: 200 },
    );
  });
});
