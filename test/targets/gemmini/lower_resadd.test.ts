import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyTarget } from '../../../src/contract/target.js';
import { vectorReference } from '../../../src/reference/vector.js';
import { weightParts } from '../../../src/targets/gemmini/lower_resadd.js';
import { runVector } from '../../../src/runtime/run_vector.js';
import { qaddAttrs } from '../../../src/passes/fold_qdq_add.js';
import type { ResaddWorkload } from '../../../src/workload/vector.js';
import { gemmini, gemmini32, gemmini8 } from './presets.js';

const presets = [gemmini, gemmini8, gemmini32] as unknown as AnyTarget[];

/** A residual add as the fold makes it, from the two factors and three zero points. */
function resadd(
  elements: number,
  A: number,
  B: number,
  zeros: readonly [number, number, number],
  relu: boolean,
): ResaddWorkload {
  const attrs = qaddAttrs(A, B, ...zeros);
  if (typeof attrs === 'string') throw new Error(attrs);
  return { kind: 'resadd', name: 'add', elements, ...attrs, activation: relu ? 'relu' : 'none' };
}

function data(n: number, seed: number): Int8Array {
  let s = seed;
  return Int8Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s >> 8) % 256;
  });
}

const resaddArb = fc.record({
  elements: fc.integer({ min: 1, max: 3000 }),
  A: fc.double({ min: 0.001, max: 20, noNaN: true }),
  B: fc.double({ min: 0.001, max: 20, noNaN: true }),
  zeros: fc.tuple(
    fc.integer({ min: -128, max: 127 }),
    fc.integer({ min: -128, max: 127 }),
    fc.integer({ min: -128, max: 127 }),
  ),
  relu: fc.boolean(),
  preset: fc.integer({ min: 0, max: presets.length - 1 }),
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
});

describe('residual add on Gemmini (lower_resadd.ts)', () => {
  it('equals the integer reference bit for bit on random shapes, scales and data', () => {
    fc.assert(
      fc.property(resaddArb, (r) => {
        const w = resadd(r.elements, r.A, r.B, r.zeros, r.relu);
        const inputs = [data(r.elements, r.seed), data(r.elements, r.seed + 1)];
        const run = runVector(presets[r.preset], w, inputs);
        expect(run.output).toEqual(vectorReference(w, inputs));
      }),
      { numRuns: 40 },
    );
  });

  it('applies a weight above 127 in int8 parts, one array pass each', () => {
    expect(weightParts(0)).toEqual([]);
    expect(weightParts(127)).toEqual([127]);
    expect(weightParts(300)).toEqual([127, 127, 46]);
    expect(weightParts(508)).toEqual([127, 127, 127, 127]);
    // Factors 19.8 and 0.3: A's weight 316 (three parts), B's 4 (one).
    const w = resadd(4096, 19.8, 0.3, [3, -5, 0], false);
    expect([w.aWeight, w.bWeight]).toEqual([316, 4]);
    const inputs = [data(w.elements, 7), data(w.elements, 8)];
    const run = runVector(presets[0], w, inputs);
    expect(run.output).toEqual(vectorReference(w, inputs));
  });

  it('equals the reference across accumulator halves (three chunks of 8192 elements)', () => {
    const w = resadd(3 * 8192, 1.49, 0.58, [7, -128, -128], true);
    const inputs = [data(w.elements, 5), data(w.elements, 6)];
    const run = runVector(presets[0], w, inputs);
    expect(run.output).toEqual(vectorReference(w, inputs));
  });
});
