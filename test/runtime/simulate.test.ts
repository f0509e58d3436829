import { describe, expect, it } from 'vitest';
import type { AnyTarget } from '../../src/contract/target.js';
import type { Mapping } from '../../src/mapping/mapping.js';
import { runLayer } from '../../src/runtime/run_layer.js';
import { startSimulation } from '../../src/runtime/simulate.js';
import { createDram } from '../../src/sim/dram.js';
import { targetByName } from '../../src/targets/index.js';
import { parseGemm } from '../../src/workload/parse.js';

const gemmini = targetByName('gemmini');

const ws = (tile: Mapping['tile']): Mapping => ({
  dataflow: 'weight-stationary',
  spatial: { rows: 'K', cols: 'N' },
  tile,
  order: ['M', 'N', 'K'],
  resident: { input: [], weight: [], output: [] },
  doubleBuffer: { input: true, weight: true, output: true },
});

describe('simulations one after another', () => {
  it("start clean: a finished run's row tables go to the next run, which gives what a fresh one does", () => {
    const a = parseGemm('96,80,200');
    const b = parseGemm('300,64,64');
    const ma = ws({ M: 32, N: 32, K: 64 });
    const mb = ws({ M: 64, N: 64, K: 64 });
    const first = runLayer(gemmini, a, ma, null).result;
    // Another layer in between writes other rows at other times.
    runLayer(gemmini, b, mb, null);
    expect(runLayer(gemmini, a, ma, null).result).toEqual(first);
    // Two simulations open at once keep their own tables.
    const t = gemmini as unknown as AnyTarget;
    const open = startSimulation(t, t.createMachine(createDram(), false));
    expect(runLayer(gemmini, a, ma, null).result).toEqual(first);
    open.finish();
    expect(runLayer(gemmini, a, ma, null).result).toEqual(first);
  });

  it('a finished simulation takes no more steps and does not finish twice', () => {
    const t = gemmini as unknown as AnyTarget;
    const sim = startSimulation(t, t.createMachine(createDram(), false));
    sim.finish();
    expect(() => sim.step({ kind: 'fence' })).toThrow(/stepped after it finished/);
    expect(() => sim.finish()).toThrow(/finished twice/);
  });
});
