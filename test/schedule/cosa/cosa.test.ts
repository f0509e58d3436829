import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomLayerData, referenceOutput } from '../../../src/runtime/layer_data.js';
import { runLayer, simulatedCycles } from '../../../src/runtime/run_layer.js';
import { clearScheduleCache, createScheduleCache } from '../../../src/schedule/cache.js';
import { cosa, cosaEven, neighbourMappings } from '../../../src/schedule/cosa/cosa.js';
import { schedule } from '../../../src/schedule/schedulers.js';
import { arrayChoices, problemFacts } from '../../../src/schedule/cosa/problem.js';
import {
  highsSolver,
  type MilpSolver,
  type SolveOptions,
} from '../../../src/schedule/cosa/solve.js';
import { validateMapping } from '../../../src/schedule/validate.js';
import type { AnyTarget } from '../../../src/contract/target.js';
import { builtinTargets } from '../../../src/targets/index.js';
import { parseConv, parseGemm } from '../../../src/workload/parse.js';
import { smallConvArb } from '../../fixtures/arbitraries.js';
import type { Workload } from '../../../src/workload/workload.js';
import type { Mapping } from '../../../src/mapping/mapping.js';

const options = { evaluate: simulatedCycles, seed: 0, timeLimitSeconds: 2 };
// The presets that run convs; the toy target (GEMMs only) has test/schedule/schedulers_toy.test.ts.
const presets = Object.entries(builtinTargets).filter(([, t]) =>
  t.patterns.some((p) => p.kind === 'conv'),
);

/** The mapping validates and its program computes the layer bit for bit. */
function checkExact(w: Workload, target: AnyTarget, r: ReturnType<typeof cosa>): void {
  expect(validateMapping(w, r.mapping, target)).toEqual([]);
  const data = randomLayerData(w, 5, target.spec.requantization.scale);
  expect(runLayer(target, w, r.mapping, data).output).toEqual(referenceOutput(w, data));
}

const gemmShape = fc
  .tuple(
    fc.integer({ min: 1, max: 70 }),
    fc.integer({ min: 1, max: 70 }),
    fc.integer({ min: 1, max: 70 }),
  )
  .map(([m, n, k]) => parseGemm(`${m},${n},${k}`));

describe('cosa and cosa-even: every mapping validates and is bit-exact', () => {
  for (const [name, target] of presets) {
    it(`${name}: random GEMMs and convs`, () => {
      fc.assert(
        fc.property(fc.oneof(gemmShape, smallConvArb), fc.boolean(), (w, even) => {
          const r = (even ? cosaEven : cosa)(w, target, options);
          expect(r.scheduler).toBe(even ? 'cosa-even' : 'cosa');
          // Small layers always solve: the mapping is the MIP's, not a fallback.
          expect(r.fallback).toBeNull();
          checkExact(w, target, r);
        }),
        { numRuns: 6, seed: 42 },
      );
    });
  }
});

describe('cosa on a decoded mapping that breaks a limit the MIP does not model', () => {
  it("repairs VTA's micro-op overflow of ResNet-50's layer3 conv3 instead of falling back", () => {
    // The 1×1 conv 14×14, 256 → 1024 as a GEMM: the MIP's tiles need 8,194 micro-ops of 8,192.
    const vta = builtinTargets.vta as AnyTarget;
    const w = parseGemm('196,1024,256');
    const r = cosa(w, vta, options);
    expect(r.fallback).toBeNull();
    expect(validateMapping(w, r.mapping, vta)).toEqual([]);
    const simple = cosa(w, vta, {
      ...options,
      solver: () => ({ kind: 'no-solution', reason: 'x', limit: null, seconds: 0 }),
    });
    expect(simple.fallback).not.toBeNull();
    // The repaired mapping is more than 30× faster than the fallback it replaces (439,401 cycles vs
    // 15,930,922 on this model when written).
    expect(simulatedCycles(vta, w, r.mapping) * 30).toBeLessThan(
      simulatedCycles(vta, w, simple.mapping),
    );
  });
});

describe('cosa', () => {
  const target = builtinTargets.gemmini as AnyTarget;
  const w = parseGemm('100,72,130');

  it('solves without falling back and is never slower than the baseline', () => {
    const r = cosa(w, target, options);
    expect(r.fallback).toBeNull();
    expect(r.solveSeconds).toBeGreaterThan(0);
    checkExact(w, target, r);
    const cycles = (m: typeof r.mapping) => runLayer(target, w, m, null).result.totalCycles;
    expect(cycles(r.mapping)).toBeLessThanOrEqual(cycles(target.baseline!(w)));
  });

  it('is deterministic', () => {
    const small = parseGemm('32,48,20');
    expect(cosa(small, target, options).mapping).toEqual(cosa(small, target, options).mapping);
    expect(cosaEven(small, target, options).mapping).toEqual(
      cosaEven(small, target, options).mapping,
    );
  });

  it('a solve stopped by the time limit without a solution falls back and reports the limit', () => {
    const timedOut: MilpSolver = () => ({
      kind: 'no-solution',
      reason: 'solver: the time limit (safety net) reached without a solution',
      limit: 'time',
      seconds: 0,
    });
    const conv = parseConv('H=28,W=28,C=64,K=64,R=3,S=3,pad=1');
    for (const f of [cosa, cosaEven]) {
      const r = f(conv, target, { ...options, solver: timedOut });
      expect(r.fallback?.reason).toMatch(/time limit \(safety net\) reached without a solution/);
      expect(r.fallback?.reason).toMatch(/the target baseline used/);
      expect(r.limitHit).toBe('time');
      expect(r.complete).toBe(false);
      expect(r.mapping).toEqual(target.baseline!(conv));
    }
  });

  it('bounds every MIP by work limits and reports the one that stopped it', () => {
    const seen: SolveOptions[] = [];
    const recording: MilpSolver = (lp, o) => {
      seen.push(o);
      const out = highsSolver(lp, o);
      return out.kind === 'solution' ? { ...out, limit: 'nodes' } : out;
    };
    const r = cosa(w, target, { ...options, solver: recording });
    expect(seen.map((o) => o.work)).toEqual(
      seen.map(() => ({ maxNodes: 500, maxImprovingSolutions: null, presolve: true })),
    );
    expect(seen.length).toBe(2);
    expect(r.limitHit).toBe('nodes');
    expect(r.complete).toBe(false);
    seen.length = 0;
    cosaEven(w, target, { ...options, solver: recording });
    expect(seen.map((o) => o.work)).toEqual(
      seen.map(() => ({ maxNodes: 200, maxImprovingSolutions: 3, presolve: false })),
    );
    expect(seen.length).toBe(2);
  });

  it('a solver error falls back too (thrown or reported)', () => {
    const throwing: MilpSolver = () => {
      throw new Error('boom');
    };
    const r = cosa(w, target, { ...options, solver: throwing });
    expect(r.fallback?.reason).toContain('solver error: boom');
    expect(r.mapping).toEqual(target.baseline!(w));
    const infeasible: MilpSolver = () => ({
      kind: 'no-solution',
      reason: 'solver: Infeasible',
      limit: null,
      seconds: 0,
    });
    expect(cosaEven(w, target, { ...options, solver: infeasible }).fallback?.reason).toContain(
      'Infeasible',
    );
  });

  it('without a target baseline the fallback is the simple mapping, which is legal', () => {
    const bare: AnyTarget = { ...target, baseline: null };
    const r = cosa(w, bare, {
      ...options,
      solver: () => ({ kind: 'no-solution', reason: 'x', limit: null, seconds: 0 }),
    });
    expect(r.fallback?.reason).toContain('the simple mapping used');
    expect(validateMapping(w, r.mapping, bare)).toEqual([]);
  });

  it('caches identical layers (names aside) per cache', () => {
    const cache = createScheduleCache();
    const first = schedule('cosa', w, target, options, cache);
    const again = schedule('cosa', { ...w, name: 'another name' }, target, options, cache);
    expect(again.mapping).toEqual(first.mapping);
    expect(again.solveSeconds).toBe(0);
    expect(cache.size).toBe(1);
    schedule('cosa-even', w, target, options, cache);
    expect(cache.size).toBe(2);
    clearScheduleCache(cache);
    expect(cache.size).toBe(0);
  });

  it('refine keeps several solutions and returns the fastest of them', () => {
    const r = cosa(w, target, { ...options, refine: 3 });
    expect(r.fallback).toBeNull();
    expect(r.mappingsTried).toBeGreaterThan(2);
    checkExact(w, target, r);
    const one = cosa(w, target, { ...options, refine: 1 });
    const cycles = (m: typeof r.mapping) => runLayer(target, w, m, null).result.totalCycles;
    expect(cycles(r.mapping)).toBeLessThanOrEqual(cycles(one.mapping));
  });

  it('offers non-divisor tiles to the MIP: 1000 on a 16-wide axis, 197 (prime) elsewhere', () => {
    const g = parseGemm('197,1000,64');
    const [ws] = arrayChoices(g, target);
    const facts = problemFacts(g, target, ws, {
      maxTiles: 10,
      divisorsOnly: false,
      wholeKernel: true,
    });
    const tiles = (d: string) => facts?.dims.find((x) => x.dim === d)?.tiles ?? [];
    expect(tiles('N')).toContain(512);
    expect(tiles('N').every((t) => t === 1000 || t % 16 === 0)).toBe(true);
    expect(tiles('M').some((t) => t > 1 && t < 197)).toBe(true);
    const even = problemFacts(g, target, ws, {
      maxTiles: 10,
      divisorsOnly: true,
      wholeKernel: false,
    });
    expect(even?.dims.find((x) => x.dim === 'M')?.tiles).toEqual([197, 1]);
  });

  it('offers the simulator neighbours: tiles at powers of two of array blocks, all double-buffered', () => {
    const w = parseConv('H=7,W=7,C=2048,K=512,R=1,S=1,pad=0');
    const m = {
      dataflow: 'weight-stationary' as const,
      spatial: { rows: 'C' as const, cols: 'K' as const },
      tile: { N: 1, K: 80, C: 416, P: 7, Q: 7, R: 1, S: 1 },
      order: ['N', 'P', 'Q', 'R', 'S', 'K', 'C'] as Mapping['order'],
      resident: { input: [], weight: [], output: [] },
      doubleBuffer: { input: true, weight: true, output: false },
    };
    expect(validateMapping(w, m, target)).toEqual([]);
    const tiles = (ms: Mapping[]) => ms.map((x) => [x.tile.K, x.tile.C, x.doubleBuffer.output]);
    const around = neighbourMappings(w, m, target);
    // Down: 64 and 256; up: 128 and 512; those and the solution with the output double-buffered.
    expect(tiles(around)).toEqual([
      [64, 256, false],
      [128, 512, false],
      [80, 416, true],
      [64, 256, true],
      [128, 512, true],
    ]);
    expect(around.every((x) => validateMapping(w, x, target).length === 0)).toBe(true);
    // Powers of two of blocks, every tensor double-buffered: nothing new.
    const aligned = {
      ...m,
      tile: { ...m.tile, K: 64, C: 256 },
      doubleBuffer: { input: true, weight: true, output: true },
    };
    expect(neighbourMappings(w, aligned, target)).toEqual([]);
  });
});
