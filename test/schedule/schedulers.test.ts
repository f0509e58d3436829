import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  extremeLayerData,
  randomLayerData,
  referenceOutput,
} from '../../src/runtime/layer_data.js';
import { padsConvWithValue } from '../../src/contract/patterns.js';
import { validateMapping } from '../../src/schedule/validate.js';
import type { ConvWorkload } from '../../src/workload/workload.js';
import { runLayer, simulatedCycles } from '../../src/runtime/run_layer.js';
import { partialSumOverflow } from '../../src/schedule/partial_sums.js';
import { schedule, schedulerNames } from '../../src/schedule/schedulers.js';
import { builtinTargets } from '../../src/targets/index.js';
import type { Workload } from '../../src/workload/workload.js';
import { smallConvArb } from '../fixtures/arbitraries.js';
import { gemmWorkload } from '../fixtures/workloads.js';
import { parseConv } from '../../src/workload/parse.js';

// Issue 14: no scheduler's mapping may change the answer, even on the data that drives every
// partial sum to its largest magnitude. The baseline reproduces the vendor library and may only
// differ where it says so (overflowRisk). Small shapes and few runs keep it fast; the candidate
// budget keeps `exhaustive` short, and cosa's work limits are its own (deterministic).
const options = { evaluate: simulatedCycles, seed: 0, timeLimitSeconds: 30, candidateBudget: 300 };

const gemmArb = fc
  .record({
    M: fc.integer({ min: 1, max: 40 }),
    N: fc.integer({ min: 1, max: 40 }),
    K: fc.integer({ min: 1, max: 300 }),
    bias: fc.boolean(),
  })
  .map(({ M, N, K, bias }): Workload => gemmWorkload(M, N, K, { bias }));

/** The target's patterns accept the workload (a VTA preset may refuse a shape, the toy any conv). */
const runsOn = (name: string, w: Workload): boolean =>
  builtinTargets[name].patterns.some((p) => p.kind === w.kind && p.check(w) === null);

describe('every scheduler on every preset, on worst-case data', () => {
  it('is bit-exact, the baseline excepted only where it reports overflowRisk (property)', () => {
    const checked = new Set<string>();
    let risky = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(builtinTargets)),
        fc.constantFrom(...schedulerNames()),
        fc.oneof(gemmArb, smallConvArb),
        (name, scheduler, w) => {
          if (!runsOn(name, w)) return;
          const target = builtinTargets[name];
          const r = schedule(scheduler, w, target, options);
          const data = extremeLayerData(w, target.spec.requantization.scale);
          const run = runLayer(target, w, r.mapping, data);
          // Right on the hardware too: no access the hardware leaves unordered (src/sim/timing_engine.ts).
          expect(run.result.unorderedAccesses, `${scheduler} on ${name}: ${w.name}`).toBe(0);
          const out = run.output;
          const want = referenceOutput(w, data);
          const exact = out !== null && out.every((x, i) => x === want[i]);
          const overflowRisk = partialSumOverflow(w, r.mapping, target.spec) !== null;
          if (scheduler === 'baseline' && overflowRisk) {
            risky++;
            return;
          }
          expect(overflowRisk, `${scheduler} on ${name}: ${w.name}`).toBe(false);
          expect(exact, `${scheduler} on ${name}: ${w.name}`).toBe(true);
          checked.add(scheduler);
        },
      ),
      { numRuns: 30, seed: 14 },
    );
    expect([...checked].sort()).toEqual([...schedulerNames()].sort());
    // The output-stationary preset's baseline sums whole reductions in the array: some are risky.
    expect(risky).toBeGreaterThan(0);
  });
});

describe('schedule', () => {
  it('evaluates each mapping of the layer once (cosa, then the loop-instruction choice)', () => {
    const target = builtinTargets.gemmini;
    const w = gemmWorkload(64, 64, 256, { bias: false });
    const calls = new Map<string, number>();
    const counting = (
      t: typeof target,
      layer: Workload,
      m: Parameters<typeof simulatedCycles>[2],
    ) => {
      const key = JSON.stringify(m);
      calls.set(key, (calls.get(key) ?? 0) + 1);
      return simulatedCycles(t, layer, m);
    };
    const r = schedule('cosa', w, target, { ...options, evaluate: counting });
    expect(calls.size).toBeGreaterThan(1);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect(calls.has(JSON.stringify(r.mapping))).toBe(true);
  });
});

describe('convolutions whose padding reads a value (an input zero point)', () => {
  const padded = fc
    .tuple(
      smallConvArb,
      fc.integer({ min: -128, max: 127 }).filter((z) => z !== 0),
    )
    .filter(([w]) => w.kind === 'conv' && w.padTop > 0)
    .map(([w, z]): ConvWorkload => ({ ...(w as ConvWorkload), padValue: z }));
  const names = Object.keys(builtinTargets);
  const able = names.filter((n) => padsConvWithValue(builtinTargets[n].patterns));

  it('every scheduler on every target that pads with a value is bit-exact, unrolled (property)', () => {
    expect(able.length).toBeGreaterThan(0);
    const checked = new Set<string>();
    fc.assert(
      fc.property(
        fc.constantFrom(...able),
        fc.constantFrom(...schedulerNames()),
        padded,
        fc.integer({ min: 1, max: 1 << 30 }),
        (name, scheduler, w, seed) => {
          if (!runsOn(name, w)) return;
          const target = builtinTargets[name];
          const r = schedule(scheduler, w, target, options);
          // The hardware's loop instructions pad with zeros: every scheduler unrolls such a conv.
          expect(r.mapping.hardwareLoops ?? false).toBe(false);
          const data = randomLayerData(w, seed, target.spec.requantization.scale);
          const out = runLayer(target, w, r.mapping, data).output;
          expect(out, `${scheduler} on ${name}: ${w.name}`).toEqual(referenceOutput(w, data));
          checked.add(scheduler);
        },
      ),
      { numRuns: 16, seed: 16 },
    );
    expect([...checked].sort()).toEqual([...schedulerNames()].sort());
  });

  it('a target that pads with zeros only refuses such a conv, naming the value', () => {
    const zeroOnly = names.filter((n) => !able.includes(n));
    expect(zeroOnly.length).toBeGreaterThan(0);
    const w = fc.sample(padded, { numRuns: 1, seed: 3 })[0];
    for (const name of zeroOnly) {
      const target = builtinTargets[name];
      const m = schedule('baseline', { ...w, padValue: 0 }, target, options).mapping;
      const problems = validateMapping(w, m, target).filter((p) => p.path === 'workload.padValue');
      expect(problems.map((p) => p.message)).toEqual([
        `this target pads convolutions with zeros only (the workload's padding reads ${w.padValue})`,
      ]);
    }
  });
});

describe('folded kernel columns (a conv with few input channels)', () => {
  // A stem in small: 1–4 channels, a 3×3 to 7×7 kernel with its half padding, a pad value.
  const stemArb = fc
    .tuple(
      fc.integer({ min: 8, max: 20 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 24 }),
      fc.constantFrom(3, 5, 7),
      fc.constantFrom(1, 2),
      fc.integer({ min: -128, max: 127 }),
    )
    .map(([hw, c, k, r, stride, padValue]): ConvWorkload => ({
      ...parseConv(
        `H=${hw},W=${hw},C=${c},K=${k},R=${r},S=${r},stride=${stride},pad=${(r - 1) / 2}`,
      ),
      padValue,
    }));

  it('cosa and exhaustive keep the faster of the folded and unfolded runs, bit-exact (property)', () => {
    const target = builtinTargets.gemmini;
    let folded = 0;
    fc.assert(
      fc.property(stemArb, fc.constantFrom('cosa', 'exhaustive'), (w, scheduler) => {
        const chosen = schedule(scheduler, w, target, options).mapping;
        const { foldKernelColumns, ...plain } = chosen;
        const other = { ...plain, foldKernelColumns: true };
        const cycles = simulatedCycles(target, w, chosen);
        expect(cycles).toBeLessThanOrEqual(simulatedCycles(target, w, plain));
        if (validateMapping(w, other, target).length === 0) {
          expect(cycles).toBeLessThanOrEqual(simulatedCycles(target, w, other));
        }
        if (foldKernelColumns === true) folded++;
        const data = extremeLayerData(w, target.spec.requantization.scale);
        const run = runLayer(target, w, chosen, data);
        expect(run.output).toEqual(referenceOutput(w, data));
        expect(run.result.unorderedAccesses).toBe(0);
      }),
      { numRuns: 8, seed: 4 },
    );
    expect(folded).toBeGreaterThan(3);
  });

  it('the baseline never folds (gemmini.h as modelled runs one kernel column a pass)', () => {
    const w = fc.sample(stemArb, { numRuns: 1, seed: 1 })[0];
    const r = schedule('baseline', w, builtinTargets.gemmini, options);
    expect(r.mapping.foldKernelColumns).toBeUndefined();
  });
});
