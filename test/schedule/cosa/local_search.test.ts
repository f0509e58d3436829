import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Mapping } from '../../../src/mapping/mapping.js';
import { estimateCost } from '../../../src/schedule/cost.js';
import { costDescent, legalNearby } from '../../../src/schedule/cosa/local_search.js';
import { simpleMapping } from '../../../src/schedule/simple_mapping.js';
import { validateMapping } from '../../../src/schedule/validate.js';
import { targetByName } from '../../../src/targets/index.js';
import { parseConv, parseGemm } from '../../../src/workload/parse.js';
import { loopNest } from '../../../src/workload/shape.js';
import { smallConvArb } from '../../fixtures/arbitraries.js';

const gemmini = targetByName('gemmini');

describe('the cost-model descent', () => {
  it('widens the groups of a stride-2 depthwise conv that the MIP tiled 16 at a time', () => {
    // MobileNetV2's features.7.conv.1.0 and the mapping cosa chose for it before the descent.
    const w = parseConv('H=28,W=28,C=192,K=192,R=3,S=3,stride=2,pad=1,groups=192');
    const start: Mapping = {
      dataflow: 'weight-stationary',
      spatial: { rows: 'G', cols: 'G' },
      tile: { N: 1, G: 16, K: 1, C: 1, P: 14, Q: 14, R: 3, S: 3 },
      order: ['N', 'K', 'C', 'P', 'Q', 'R', 'S', 'G'],
      resident: { input: [], weight: [], output: [] },
      doubleBuffer: { input: true, weight: false, output: true },
    };
    const from = estimateCost(w, start, gemmini.spec).cycles;
    const d = costDescent(w, start, gemmini);
    expect(validateMapping(w, d.mapping, gemmini)).toEqual([]);
    expect(d.cycles).toBe(estimateCost(w, d.mapping, gemmini.spec).cycles);
    expect(d.cycles).toBeLessThan(0.9 * from);
    expect(d.mapping.tile.G).toBeGreaterThan(16);
    // Deterministic: the same start gives the same mapping.
    expect(costDescent(w, start, gemmini)).toEqual(d);
  });

  it('widens an array-axis tile by whole blocks (MobileNetV2 features.3.conv.0.0 as a GEMM)', () => {
    // The 1×1 conv 56×56, 24 → 144 and a MIP solution for it: one block of 16 output channels a
    // tile. Trip-count steps alone go 16 → 18, 29 or 15 channels; the block steps reach all 144.
    const w = parseGemm('3136,144,24');
    const start: Mapping = {
      dataflow: 'weight-stationary',
      spatial: { rows: 'K', cols: 'N' },
      tile: { M: 36, N: 16, K: 24 },
      order: ['K', 'M', 'N'],
      resident: { input: [], weight: ['N'], output: [] },
      doubleBuffer: { input: true, weight: false, output: true },
    };
    const d = costDescent(w, start, gemmini);
    expect(d.mapping.tile.N).toBe(144);
    expect(d.cycles).toBeLessThan(0.6 * estimateCost(w, start, gemmini.spec).cycles);
  });

  it('never ends at an illegal mapping or above its start (random convs, from the simple mapping)', () => {
    fc.assert(
      fc.property(smallConvArb, (w) => {
        const start = simpleMapping(w, gemmini);
        const d = costDescent(w, start, gemmini);
        expect(validateMapping(w, d.mapping, gemmini)).toEqual([]);
        expect(d.cycles).toBeLessThanOrEqual(estimateCost(w, start, gemmini.spec).cycles);
      }),
      { numRuns: 40, seed: 7 },
    );
  });
});

describe('the repair of an illegal mapping', () => {
  const vta = targetByName('vta');

  it('shrinks tiles until the micro-op buffer holds the kernels', () => {
    // The MIP's solution for the GEMM 196×1024×256 on VTA: 8,194 micro-ops of 8,192.
    const w = parseGemm('196,1024,256');
    const start: Mapping = {
      dataflow: 'weight-stationary',
      spatial: { rows: 'K', cols: 'N' },
      tile: { M: 20, N: 512, K: 256 },
      order: ['K', 'N', 'M'],
      resident: { input: [], weight: [], output: [] },
      doubleBuffer: { input: true, weight: true, output: true },
    };
    expect(validateMapping(w, start, vta).map((p) => p.path)).toEqual(['memories.uop']);
    const r = legalNearby(w, start, vta);
    expect(r).not.toBeNull();
    expect(validateMapping(w, r!, vta)).toEqual([]);
    expect(r!.tile).toEqual({ M: 20, N: 256, K: 256 });
    expect(legalNearby(w, start, vta)).toEqual(r);
  });

  it('returns a legal mapping with no tile larger than the start, or null (random convs, whole-layer tiles)', () => {
    fc.assert(
      fc.property(smallConvArb, (w) => {
        const m = simpleMapping(w, gemmini);
        const whole = Object.fromEntries(loopNest(w).dims.map((d) => [d.dim, d.bound]));
        const start: Mapping = { ...m, tile: whole as Mapping['tile'] };
        const r = legalNearby(w, start, gemmini);
        if (r === null) return;
        expect(validateMapping(w, r, gemmini)).toEqual([]);
        for (const { dim, bound } of loopNest(w).dims) {
          expect(r.tile[dim] ?? bound).toBeLessThanOrEqual(bound);
        }
      }),
      { numRuns: 40, seed: 11 },
    );
  });
});
