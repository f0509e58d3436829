import { gemmWorkload } from '../../fixtures/workloads.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomLayerData, referenceOutput } from '../../../src/runtime/layer_data.js';
import { runLayer } from '../../../src/runtime/run_layer.js';
import type { Mapping } from '../../../src/mapping/mapping.js';
import { validateMapping } from '../../../src/schedule/validate.js';
import type { AnyTarget } from '../../../src/contract/target.js';
import { gemmini, gemmini32, gemmini8, gemminiOs } from './presets.js';
import type { Dim, GemmWorkload } from '../../../src/workload/workload.js';

const presets = [gemmini, gemminiOs, gemmini8, gemmini32] as unknown as AnyTarget[];
const sizes = [1, 3, 7, 15, 16, 17, 33, 49, 100, 147];

function gemm(M: number, N: number, K: number, bias: boolean, relu: boolean): GemmWorkload {
  return gemmWorkload(M, N, K, { bias, activation: relu ? 'relu' : 'none' });
}

const mappingArb = (w: GemmWorkload, t: AnyTarget) =>
  fc
    .record({
      dataflow: fc.constantFrom(...t.spec.array.dataflows),
      tM: fc.integer({ min: 1, max: w.M }),
      tN: fc.integer({ min: 1, max: w.N }),
      tK: fc.integer({ min: 1, max: w.K }),
      order: fc.shuffledSubarray(['M', 'N', 'K'] as Dim[], { minLength: 3, maxLength: 3 }),
      dbA: fc.boolean(),
      dbB: fc.boolean(),
      dbC: fc.boolean(),
      resA: fc.subarray(['M', 'K'] as Dim[]),
      resB: fc.subarray(['K', 'N'] as Dim[]),
      resC: fc.subarray(['M', 'N'] as Dim[]),
      blocks: fc.boolean(),
    })
    .map((r): Mapping => {
      const dim = t.spec.array.rows;
      const snap = (x: number, b: number): number =>
        r.blocks ? Math.min(b, Math.ceil(x / dim) * dim) : x;
      return {
        dataflow: r.dataflow,
        spatial:
          r.dataflow === 'weight-stationary' ? { rows: 'K', cols: 'N' } : { rows: 'M', cols: 'N' },
        tile: { M: snap(r.tM, w.M), N: snap(r.tN, w.N), K: snap(r.tK, w.K) },
        order: r.order,
        resident: { input: r.resA, weight: r.resB, output: r.resC },
        doubleBuffer: { input: r.dbA, weight: r.dbB, output: r.dbC },
      };
    });

describe('GEMM lowering is bit-exact for every legal mapping', () => {
  it('random shapes and random legal mappings on every preset (property)', () => {
    let legal = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...presets),
        fc.constantFrom(...sizes),
        fc.constantFrom(...sizes),
        fc.constantFrom(...sizes),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 1 << 30 }),
        (t, M, N, K, bias, relu, seed) => {
          const w = gemm(M, N, K, bias, relu);
          const mappings = fc.sample(mappingArb(w, t), { numRuns: 6, seed });
          for (const m of mappings) {
            if (validateMapping(w, m, t).length > 0) continue;
            legal++;
            const d = randomLayerData(w, seed);
            const run = runLayer(t, w, m, d);
            expect(run.output).toEqual(referenceOutput(w, d));
          }
        },
      ),
      { numRuns: 60, seed: 3 },
    );
    expect(legal).toBeGreaterThan(100);
  });

  it('sizes 1000 and 1 with the baseline mapping', () => {
    for (const t of presets) {
      const w = gemm(1, 1000, 200, true, true);
      const m = t.baseline!(w);
      const d = randomLayerData(w, 5);
      expect(runLayer(t, w, m, d).output).toEqual(referenceOutput(w, d));
    }
  });
});
