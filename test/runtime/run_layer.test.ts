import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Mapping } from '../../src/mapping/mapping.js';
import { randomLayerData, referenceOutput } from '../../src/runtime/layer_data.js';
import { runLayer, simulatedCycles } from '../../src/runtime/run_layer.js';
import { validateMapping } from '../../src/schedule/validate.js';
import { targetByName } from '../../src/targets/index.js';
import { parseGemm } from '../../src/workload/parse.js';

// The runtime on the toy target (src/targets/toy/): lowering, DRAM set-up, the simulator and the
// read-back are shared code, shown here without Gemmini or VTA.
const toy = targetByName('toy');

/** A weight-stationary toy mapping with the given tiles and DRAM loop order. */
function mapping(tile: Mapping['tile'], order: Mapping['order']): Mapping {
  return {
    dataflow: 'weight-stationary',
    spatial: { rows: 'K', cols: 'N' },
    tile,
    order,
    resident: { input: [], weight: [], output: [] },
    doubleBuffer: { input: false, weight: false, output: false },
  };
}

describe('runLayer on the toy target', () => {
  it('random GEMMs and tilings: legal mappings compute the integer reference bit for bit', () => {
    fc.assert(
      fc.property(
        fc.record({
          M: fc.integer({ min: 1, max: 40 }),
          N: fc.integer({ min: 1, max: 40 }),
          K: fc.integer({ min: 1, max: 40 }),
          tM: fc.integer({ min: 1, max: 40 }),
          tN: fc.integer({ min: 1, max: 40 }),
          tK: fc.integer({ min: 1, max: 40 }),
          kInner: fc.boolean(),
          bias: fc.boolean(),
          relu: fc.boolean(),
          seed: fc.nat(),
        }),
        (x) => {
          const w = parseGemm(`${x.M},${x.N},${x.K}`, {
            bias: x.bias,
            activation: x.relu ? 'relu' : 'none',
          });
          const tile = { M: Math.min(x.tM, x.M), N: Math.min(x.tN, x.N), K: Math.min(x.tK, x.K) };
          const m = mapping(tile, x.kInner ? ['M', 'N', 'K'] : ['N', 'K', 'M']);
          fc.pre(validateMapping(w, m, toy).length === 0);
          const data = randomLayerData(w, x.seed);
          const run = runLayer(toy, w, m, data);
          expect(run.output).toEqual(referenceOutput(w, data));
          expect(run.result.macs).toBe(x.M * x.N * x.K);
          // A timing-only run (no data) takes the same cycles.
          expect(simulatedCycles(toy, w, m)).toBe(run.result.totalCycles);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it('what the toy refuses (panels, another array axis) is a problem with the reason', () => {
    const w = parseGemm('8,8,8');
    const panel = mapping({ M: 4, N: 4, K: 4 }, ['M', 'N', 'K']);
    expect(
      validateMapping(w, { ...panel, resident: { ...panel.resident, input: ['K'] } }, toy),
    ).toEqual([{ path: 'resident.input', message: 'the toy keeps no panels on chip' }]);
    expect(validateMapping(w, { ...panel, spatial: { rows: 'M', cols: 'N' } }, toy)).toContainEqual(
      {
        path: 'spatial',
        message: 'the array holds K on its rows and N on its columns',
      },
    );
  });
});
