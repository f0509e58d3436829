import { describe, expect, it } from 'vitest';
import { randomLayerData, referenceOutput } from '../../src/runtime/layer_data.js';
import { runLayer, simulatedCycles } from '../../src/runtime/run_layer.js';
import { schedule, schedulerNames } from '../../src/schedule/schedulers.js';
import { validateMapping } from '../../src/schedule/validate.js';
import { targetByName } from '../../src/targets/index.js';
import { parseGemm } from '../../src/workload/parse.js';

// Every scheduler on the toy target (src/targets/toy/): the scheduling, validation and runtime code
// is shared, and works on an instruction set that is neither Gemmini nor VTA.
const toy = targetByName('toy');
const options = { evaluate: simulatedCycles, seed: 0, timeLimitSeconds: 10 };
const shapes = ['1,1,1', '15,16,17', '33,20,45', '64,8,100'].map((s) =>
  parseGemm(s, { activation: 'relu' }),
);

describe('schedulers on the toy target', () => {
  it('lists the four schedulers', () => {
    expect(schedulerNames()).toEqual(['baseline', 'exhaustive', 'cosa', 'cosa-even']);
  });

  for (const name of ['baseline', 'exhaustive', 'cosa', 'cosa-even']) {
    it(`${name}: a valid mapping that computes the reference bit for bit`, () => {
      for (const w of shapes) {
        const r = schedule(name, w, toy, options);
        expect(validateMapping(w, r.mapping, toy)).toEqual([]);
        const data = randomLayerData(w, 3);
        expect(runLayer(toy, w, r.mapping, data).output).toEqual(referenceOutput(w, data));
      }
    });
  }

  it('baseline: the toy has no heuristic of its own, so the simple mapping, with the reason', () => {
    const r = schedule('baseline', shapes[1], toy, options);
    expect(r.fallback).toEqual({ reason: 'toy has no baseline heuristic; simple mapping used' });
  });
});
