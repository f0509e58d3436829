import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomLayerData, referenceOutput } from '../../src/runtime/layer_data.js';
import { canonicalWorkload } from '../../src/workload/canonical.js';
import { macs } from '../../src/workload/shape.js';
import type { ConvWorkload } from '../../src/workload/workload.js';

const conv = (
  N: number,
  H: number,
  W: number,
  C: number,
  K: number,
  o: Partial<ConvWorkload> = {},
): ConvWorkload => ({
  kind: 'conv',
  name: 'c',
  N,
  H,
  W,
  C,
  K,
  R: 1,
  S: 1,
  strideH: 1,
  strideW: 1,
  padTop: 0,
  padBottom: 0,
  padLeft: 0,
  padRight: 0,
  dilationH: 1,
  dilationW: 1,
  groups: 1,
  bias: true,
  requant: 'per-tensor',
  activation: 'relu',
  ...o,
});

describe('canonicalWorkload', () => {
  it('a 1×1 stride-1 unpadded conv is the GEMM over the same bytes, bit for bit (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer(),
        (N, H, W, C, K, seed) => {
          const c = conv(N, H, W, C, K);
          const g = canonicalWorkload(c);
          expect(g).toMatchObject({
            kind: 'gemm',
            M: N * H * W,
            N: K,
            K: C,
            bias: true,
            activation: 'relu',
          });
          expect(macs(g)).toBe(macs(c));
          const d = randomLayerData(c, seed);
          expect(referenceOutput(g, d)).toEqual(referenceOutput(c, d));
        },
      ),
      { numRuns: 50, seed: 2 },
    );
  });

  it('leaves other convs alone', () => {
    for (const o of [{ strideH: 2, strideW: 2 }, { padTop: 1 }, { R: 3, S: 3 }, { groups: 2 }]) {
      const c = conv(1, 8, 8, 4, 4, o);
      expect(canonicalWorkload(c)).toBe(c);
    }
  });
});
