import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomLayerData, referenceOutput } from '../../../src/runtime/layer_data.js';
import { runLayer, simulatedCycles } from '../../../src/runtime/run_layer.js';
import { schedule, schedulerNames } from '../../../src/schedule/schedulers.js';
import { validateMapping } from '../../../src/schedule/validate.js';
import type { AnyTarget } from '../../../src/contract/target.js';
import { builtinTargets } from '../../../src/targets/index.js';
import { parseGemm } from '../../../src/workload/parse.js';
import { convGeometryArb, convOf } from '../../fixtures/arbitraries.js';
import type { Workload } from '../../../src/workload/workload.js';

/**
 * The mapping issue's property on every VTA preset: random shapes, every scheduler, the program bit
 * for bit equal to the integer reference with VTA's rounding shift and clipping.
 */
const presets = ['vta', 'vta-zcu104', 'vta-b32'] as const;
const options = { evaluate: simulatedCycles, seed: 0, timeLimitSeconds: 20 };

const gemm = fc
  .tuple(
    fc.integer({ min: 1, max: 40 }),
    fc.integer({ min: 1, max: 40 }),
    fc.integer({ min: 1, max: 70 }),
  )
  .chain(([m, n, k]) =>
    fc
      .tuple(fc.boolean(), fc.boolean())
      .map(([bias, relu]) =>
        parseGemm(`${m},${n},${k}`, { bias, activation: relu ? 'relu' : 'none' }),
      ),
  );
const conv = fc
  .tuple(convGeometryArb(9), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }))
  .map(([g, C, K]) => convOf(g, C, K));

function check(target: AnyTarget, w: Workload, seed: number): void {
  for (const name of schedulerNames()) {
    const r = schedule(name, w, target, options);
    expect(validateMapping(w, r.mapping, target)).toEqual([]);
    const data = randomLayerData(w, seed, target.spec.requantization.scale);
    const run = runLayer(target, w, r.mapping, data);
    expect(run.output, `${name} on ${target.name}: ${w.name}`).toEqual(referenceOutput(w, data));
  }
}

describe('every scheduler on every VTA preset, bit-exact against the reference', () => {
  for (const name of presets) {
    const target = builtinTargets[name];
    it(`${name}: random GEMMs and convs`, () => {
      fc.assert(
        fc.property(fc.oneof(gemm, conv), fc.integer({ min: 0, max: 1000 }), (w, seed) =>
          check(target, w, seed),
        ),
        { numRuns: 10, seed: 8 },
      );
    }, 600_000);
  }

  it('the shift comes from the spec: VTA data gets a power-of-two scale', () => {
    const w = parseGemm('16,16,64');
    expect(Number.isInteger(Math.log2(randomLayerData(w, 1, 'power-of-two-shift').scale))).toBe(
      true,
    );
    expect(Number.isInteger(Math.log2(randomLayerData(w, 1).scale))).toBe(false);
  });
});
