import { convWorkload } from '../fixtures/workloads.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  convOutputSize,
  loopNest,
  macs,
  minimalTraffic,
  outputExtent,
  tensorBytes,
  totalBytes,
  touchedExtent,
} from '../../src/workload/shape.js';
import type { ConvWorkload, GemmWorkload } from '../../src/workload/workload.js';

function conv(fields: Partial<ConvWorkload>): ConvWorkload {
  return convWorkload({
    name: 'test conv',
    H: 56,
    W: 56,
    C: 64,
    K: 64,
    ...fields,
  });
}

const pad = (p: number): Partial<ConvWorkload> => ({
  padTop: p,
  padBottom: p,
  padLeft: p,
  padRight: p,
});

/** ResNet-50 conv1: 224×224×3 → 64, 7×7, stride 2, pad 3. */
const resnetConv1 = conv({
  H: 224,
  W: 224,
  C: 3,
  K: 64,
  R: 7,
  S: 7,
  strideH: 2,
  strideW: 2,
  ...pad(3),
});

/** MobileNetV2 features.2.conv.1.0: depthwise 3×3 stride 2 pad 1 over 112×112×96. */
const depthwise = conv({ H: 112, W: 112, C: 96, K: 96, groups: 96, strideH: 2, strideW: 2 });

const gemm: GemmWorkload = {
  kind: 'gemm',
  name: 'gemm 128x768x768',
  M: 128,
  N: 768,
  K: 768,
  bias: true,
  requant: 'per-tensor',
  activation: 'none',
};

describe('convOutputSize', () => {
  it('ResNet-50 conv1: (224 + 6 − 6 − 1) / 2 = 111.5 → 111 + 1 = 112', () => {
    expect(convOutputSize(resnetConv1)).toEqual({ P: 112, Q: 112 });
  });

  it('3×3 pad 1 stride 1 keeps 56×56', () => {
    expect(convOutputSize(conv({}))).toEqual({ P: 56, Q: 56 });
  });

  it('1×1 stride 2 unpadded: floor(55 / 2) + 1 = 28', () => {
    expect(convOutputSize(conv({ R: 1, S: 1, strideH: 2, strideW: 2, ...pad(0) }))).toEqual({
      P: 28,
      Q: 28,
    });
  });

  it('depthwise 3×3 stride 2 pad 1 on 112: floor(111 / 2) + 1 = 56', () => {
    expect(convOutputSize(depthwise)).toEqual({ P: 56, Q: 56 });
  });

  it('dilation 2 spans 5 pixels: 10 − 5 + 1 = 6', () => {
    const c = conv({ H: 10, W: 12, dilationH: 2, dilationW: 2, ...pad(0) });
    expect(convOutputSize(c)).toEqual({ P: 6, Q: 8 });
  });

  it('asymmetric padding and rectangular kernels per axis', () => {
    // P: (5 + 0 + 1 − 2 − 1) / 2 = 1.5 → 2.  Q: (7 + 2 + 0 − 1 − 1) / 1 + 1 = 8.
    const c = conv({
      H: 5,
      W: 7,
      R: 3,
      S: 2,
      strideH: 2,
      padTop: 0,
      padBottom: 1,
      padLeft: 2,
      padRight: 0,
    });
    expect(convOutputSize(c)).toEqual({ P: 2, Q: 8 });
  });

  it('outputExtent is 0 or less when the kernel outgrows the padded input', () => {
    expect(outputExtent(2, 0, 0, 3, 1, 1)).toBe(0);
  });
});

describe('loopNest', () => {
  it('GEMM: M, N, K with I{M,K}, W{K,N}, O{M,N}, reduction K', () => {
    expect(loopNest(gemm)).toEqual({
      dims: [
        { dim: 'M', bound: 128 },
        { dim: 'N', bound: 768 },
        { dim: 'K', bound: 768 },
      ],
      relevant: { input: ['M', 'K'], weight: ['K', 'N'], output: ['M', 'N'] },
      reduction: ['K'],
      channel: 'K',
      outChannel: 'N',
      pixel: 'M',
    });
  });

  it('ungrouped conv has no G dim', () => {
    expect(loopNest(resnetConv1)).toEqual({
      dims: [
        { dim: 'N', bound: 1 },
        { dim: 'K', bound: 64 },
        { dim: 'C', bound: 3 },
        { dim: 'P', bound: 112 },
        { dim: 'Q', bound: 112 },
        { dim: 'R', bound: 7 },
        { dim: 'S', bound: 7 },
      ],
      relevant: {
        input: ['N', 'C', 'P', 'Q', 'R', 'S'],
        weight: ['K', 'C', 'R', 'S'],
        output: ['N', 'K', 'P', 'Q'],
      },
      reduction: ['C', 'R', 'S'],
      channel: 'C',
      outChannel: 'K',
      pixel: 'Q',
    });
  });

  it('grouped conv: G, with K and C per group', () => {
    const nest = loopNest(conv({ C: 64, K: 128, groups: 4 }));
    expect(nest.dims).toEqual([
      { dim: 'N', bound: 1 },
      { dim: 'G', bound: 4 },
      { dim: 'K', bound: 32 },
      { dim: 'C', bound: 16 },
      { dim: 'P', bound: 56 },
      { dim: 'Q', bound: 56 },
      { dim: 'R', bound: 3 },
      { dim: 'S', bound: 3 },
    ]);
    expect(nest.relevant).toEqual({
      input: ['N', 'G', 'C', 'P', 'Q', 'R', 'S'],
      weight: ['G', 'K', 'C', 'R', 'S'],
      output: ['N', 'G', 'K', 'P', 'Q'],
    });
    expect(nest.reduction).toEqual(['C', 'R', 'S']);
  });

  it('depthwise: K = C = 1 per group', () => {
    const bounds = loopNest(depthwise).dims.map((d) => `${d.dim}${d.bound}`);
    expect(bounds).toEqual(['N1', 'G96', 'K1', 'C1', 'P56', 'Q56', 'R3', 'S3']);
  });
});

describe('macs', () => {
  it('ResNet-50 conv1: 112·112·64·3·7·7 = 118,013,952', () => {
    expect(macs(resnetConv1)).toBe(118_013_952);
  });

  it('56×56 3×3 64→64: 3136·64·64·9 = 115,605,504', () => {
    expect(macs(conv({}))).toBe(115_605_504);
  });

  it('depthwise 96 channels: 56·56·96·9 = 2,709,504', () => {
    expect(macs(depthwise)).toBe(2_709_504);
  });

  it('GEMM 128·768·768 = 75,497,472', () => {
    expect(macs(gemm)).toBe(75_497_472);
  });

  it('equals the product of the loop bounds (random convs)', () => {
    const arb = fc.record({
      N: fc.integer({ min: 1, max: 3 }),
      H: fc.integer({ min: 5, max: 20 }),
      W: fc.integer({ min: 5, max: 20 }),
      groups: fc.integer({ min: 1, max: 4 }),
      cg: fc.integer({ min: 1, max: 5 }),
      kg: fc.integer({ min: 1, max: 5 }),
      R: fc.integer({ min: 1, max: 5 }),
      S: fc.integer({ min: 1, max: 5 }),
      strideH: fc.integer({ min: 1, max: 3 }),
      strideW: fc.integer({ min: 1, max: 3 }),
      pad: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(arb, (a) => {
        const c = conv({ ...a, C: a.cg * a.groups, K: a.kg * a.groups, ...pad(a.pad) });
        const product = loopNest(c).dims.reduce((acc, d) => acc * d.bound, 1);
        return macs(c) === product;
      }),
    );
  });
});

describe('tensorBytes and minimalTraffic', () => {
  it('GEMM: int8 M·K, K·N, M·N and int32 N bias', () => {
    const want = { input: 98_304, weight: 589_824, output: 98_304, bias: 3072 };
    expect(tensorBytes(gemm)).toEqual(want);
    expect(minimalTraffic(gemm)).toEqual(want);
    expect(minimalTraffic({ ...gemm, bias: false }).bias).toBe(0);
  });

  it('ResNet-50 conv1 reads every input pixel', () => {
    const want = { input: 150_528, weight: 9408, output: 802_816, bias: 256 };
    expect(tensorBytes(resnetConv1)).toEqual(want);
    expect(minimalTraffic(resnetConv1)).toEqual(want);
    expect(totalBytes(want)).toBe(963_008);
  });

  it('a 1×1 stride-2 conv reads only a quarter of its input', () => {
    const c = conv({ C: 256, K: 512, R: 1, S: 1, strideH: 2, strideW: 2, ...pad(0) });
    expect(tensorBytes(c)).toEqual({
      input: 802_816,
      weight: 131_072,
      output: 401_408,
      bias: 2048,
    });
    expect(minimalTraffic(c).input).toBe(28 * 28 * 256);
  });

  it('depthwise weights are R·S·1·K', () => {
    expect(tensorBytes(depthwise).weight).toBe(864);
  });

  it('touchedExtent counts positions inside the input only', () => {
    // kernel 3 stride 2 on 5 rows with padTop 0: rows 0..2 and 2..4 → 5.
    expect(touchedExtent(5, 2, 0, 3, 2, 1)).toBe(5);
    // dilation 3, kernel 2, stride 4, 2 outputs on 10: rows 0, 3, 4, 7 → 4.
    expect(touchedExtent(10, 2, 0, 2, 4, 3)).toBe(4);
    // padding rows are not counted: kernel 3, pad 1, 1 output on 2 rows → 2.
    expect(touchedExtent(2, 1, 1, 3, 1, 1)).toBe(2);
  });
});
