import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceGemm } from '../../../src/reference/gemm.js';
import { gemmini, gemmini32, gemmini8 } from './presets.js';
import { runMatmul } from './matmul_run.js';

const dataflows = ['weight-stationary', 'output-stationary'] as const;

describe('matmul instruction streams equal the integer reference bit for bit', () => {
  it('random shapes, data, bias and scale, both dataflows (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 80 }),
        fc.constantFrom(...dataflows),
        fc.boolean(),
        fc.boolean(),
        fc.double({ min: 1 / 4096, max: 2, noNaN: true }),
        fc.integer(),
        (I, J, K, dataflow, withBias, relu, scale, seed) => {
          const rng = fc.sample(fc.integer({ min: -128, max: 127 }), {
            numRuns: I * K + K * J,
            seed,
          });
          const a = Int8Array.from(rng.slice(0, I * K));
          const b = Int8Array.from(rng.slice(I * K));
          const bias = withBias
            ? Int32Array.from(
                fc.sample(fc.integer({ min: -(2 ** 20), max: 2 ** 20 }), { numRuns: J, seed }),
              )
            : null;
          const x = { I, J, K, a, b, bias, scale: Math.fround(scale), relu, dataflow };
          const tile = { i: 2, j: 2, k: 2 };
          const got = runMatmul(gemmini, { ...x, tile }).c;
          expect(got).toEqual(referenceGemm(x));
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });

  it.each([
    ['gemmini-8', gemmini8],
    ['gemmini-32', gemmini32],
  ] as const)('%s: an odd-sized matmul in both dataflows', (_name, target) => {
    for (const dataflow of dataflows) {
      const I = 37;
      const J = 45;
      const K = 71;
      const a = Int8Array.from({ length: I * K }, (_, n) => ((n * 37) % 256) - 128);
      const b = Int8Array.from({ length: K * J }, (_, n) => ((n * 91) % 256) - 128);
      const bias = Int32Array.from({ length: J }, (_, n) => n * 1000 - 20000);
      const x = { I, J, K, a, b, bias, scale: 1 / 64, relu: true, dataflow };
      expect(runMatmul(target, x).c).toEqual(referenceGemm(x));
    }
  });
});
