import { describe, expect, it } from 'vitest';
import { randomLayerData, referenceOutput } from '../../src/runtime/layer_data.js';
import { runLayer, simulatedCycles } from '../../src/runtime/run_layer.js';
import { exhaustive } from '../../src/schedule/exhaustive.js';
import { schedule, schedulerNames } from '../../src/schedule/schedulers.js';
import { simpleMapping } from '../../src/schedule/simple_mapping.js';
import { validateMapping } from '../../src/schedule/validate.js';
import { InputError } from '../../src/errors.js';
import type { AnyTarget } from '../../src/contract/target.js';
import { targetByName, targetFromSpec } from '../../src/targets/index.js';
import { parseConv, parseGemm } from '../../src/workload/parse.js';
import type { Workload } from '../../src/workload/workload.js';
import type { Spec } from '../../src/spec/spec.js';

const gemmini = targetByName('gemmini');

const options = { evaluate: simulatedCycles, seed: 0, timeLimitSeconds: 60 };
const simulated = (t: AnyTarget, w: Workload, m: Parameters<typeof runLayer>[2]): number =>
  runLayer(t, w, m, null).result.totalCycles;

const shapes: readonly Workload[] = [
  parseGemm('15,16,17'),
  parseGemm('64,64,64'),
  parseGemm('49,100,64'),
  parseConv('H=8,W=8,C=16,K=16,R=3,pad=1'),
];

describe('exhaustive', () => {
  for (const w of shapes) {
    it(`${w.name}: legal, searched, no fallback, never slower than the baseline`, () => {
      const target = gemmini as AnyTarget;
      const r = exhaustive(w, target, options);
      expect(r.scheduler).toBe('exhaustive');
      expect(r.fallback).toBeNull();
      expect(r.mappingsTried).toBeGreaterThan(0);
      expect(r.solveSeconds).toBeGreaterThanOrEqual(0);
      expect(validateMapping(w, r.mapping, target)).toEqual([]);
      // The stated space: no resident panels, conventional array axes.
      expect(r.mapping.resident).toEqual({ input: [], weight: [], output: [] });
      const base = target.baseline!(w);
      expect(simulated(target, w, r.mapping)).toBeLessThanOrEqual(simulated(target, w, base));
      // Its mapping computes the layer bit for bit.
      const data = randomLayerData(w, 3);
      expect(runLayer(target, w, r.mapping, data).output).toEqual(referenceOutput(w, data));
    });
  }

  it('is deterministic: the same input gives the same mapping', () => {
    const w = parseGemm('49,100,64');
    const a = exhaustive(w, gemmini as AnyTarget, options);
    const b = exhaustive(w, gemmini as AnyTarget, { ...options, seed: 7 });
    expect(b.mapping).toEqual(a.mapping);
    expect(b.mappingsTried).toBe(a.mappingsTried);
  });

  it('never double-buffers in memories that do not allow it', () => {
    const spec = structuredClone(gemmini.spec) as {
      name: string;
      memories: Record<string, { doubleBuffer: boolean }>;
    };
    spec.name = 'gemmini-single';
    spec.memories.scratchpad.doubleBuffer = false;
    spec.memories.accumulator.doubleBuffer = false;
    const single = targetFromSpec(spec as Spec, 'test/single.json');
    const w = parseGemm('15,16,17');
    const r = exhaustive(w, single, options);
    expect(r.mapping.doubleBuffer).toEqual({ input: false, weight: false, output: false });
    expect(validateMapping(w, r.mapping, single)).toEqual([]);
  });
});

describe('exhaustive: a deterministic budget', () => {
  it('stops after its candidate budget, the same way every time, and says so', () => {
    const w = parseConv('H=28,W=28,C=64,K=64,R=3,S=3,pad=1');
    const run = () => exhaustive(w, gemmini as AnyTarget, { ...options, candidateBudget: 2000 });
    const a = run();
    expect(a.limitHit).toBe('candidates');
    expect(a.complete).toBe(false);
    expect(a.fallback).toBeNull();
    expect(a.mappingsTried).toBeLessThanOrEqual(2000);
    expect(run().mapping).toEqual(a.mapping);
    const whole = exhaustive(parseGemm('15,16,17'), gemmini as AnyTarget, options);
    expect(whole.limitHit).toBeNull();
    expect(whole.complete).toBe(true);
  });
});

describe('schedule (the scheduler registry)', () => {
  const w = parseGemm('15,16,17');

  it('names baseline, exhaustive, cosa and cosa-even', () => {
    expect(schedulerNames()).toEqual(['baseline', 'exhaustive', 'cosa', 'cosa-even']);
  });

  it("baseline is the target's own heuristic, one mapping, no fallback", () => {
    const r = schedule('baseline', w, gemmini as AnyTarget, options);
    expect(r.scheduler).toBe('baseline');
    expect(r.mapping).toEqual(gemmini.baseline!(w));
    expect(r.mappingsTried).toBe(1);
    expect(r.fallback).toBeNull();
  });

  it('without a target baseline: the simple mapping, a legal one, reported as a fallback', () => {
    const bare: AnyTarget = { ...gemmini, baseline: null };
    const r = schedule('baseline', w, bare, options);
    expect(r.mapping).toEqual(simpleMapping(w, bare));
    // One array block along K (rows) and N (columns), one row of M; outputs outside the reduction.
    expect(r.mapping).toEqual({
      dataflow: 'weight-stationary',
      spatial: { rows: 'K', cols: 'N' },
      tile: { M: 1, N: 16, K: 16 },
      order: ['M', 'N', 'K'],
      resident: { input: [], weight: [], output: [] },
      doubleBuffer: { input: false, weight: false, output: false },
    });
    expect(r.fallback).toEqual({
      reason: 'gemmini has no baseline heuristic; simple mapping used',
    });
    expect(validateMapping(w, r.mapping, bare)).toEqual([]);
  });

  it('an unknown scheduler is an InputError naming the known ones', () => {
    expect(() => schedule('nope', w, gemmini as AnyTarget, options)).toThrow(InputError);
    expect(() => schedule('nope', w, gemmini as AnyTarget, options)).toThrow(
      'unknown scheduler "nope" (schedulers: baseline, exhaustive, cosa, cosa-even)',
    );
  });
});
