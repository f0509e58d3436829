import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulatedCycles } from '../../src/runtime/run_layer.js';
import { schedule } from '../../src/schedule/schedulers.js';
import { validateMapping } from '../../src/schedule/validate.js';
import { builtinTargets } from '../../src/targets/index.js';
import { convWorkload, gemmWorkload } from '../fixtures/workloads.js';

const options = { evaluate: simulatedCycles, seed: 0, timeLimitSeconds: 60 };

describe('searching schedulers choose between loop instructions and unrolled programs', () => {
  it('keeps whichever of the two runs of the same tiles is faster (gemmini)', () => {
    const target = builtinTargets.gemmini;
    fc.assert(
      fc.property(
        fc.oneof(
          fc
            .tuple(
              fc.integer({ min: 1, max: 96 }),
              fc.integer({ min: 1, max: 96 }),
              fc.integer({ min: 1, max: 96 }),
            )
            .map(([m, n, k]) => gemmWorkload(m, n, k)),
          fc
            .tuple(
              fc.integer({ min: 3, max: 12 }),
              fc.integer({ min: 1, max: 40 }),
              fc.integer({ min: 1, max: 40 }),
            )
            .map(([h, c, k]) => convWorkload({ H: h, W: h, C: c, K: k })),
        ),
        (w) => {
          const chosen = schedule('cosa', w, target, options).mapping;
          const { hardwareLoops, ...unrolled } = chosen;
          const looped = { ...unrolled, hardwareLoops: true };
          const cycles = simulatedCycles(target, w, chosen);
          expect(cycles).toBeLessThanOrEqual(simulatedCycles(target, w, unrolled));
          if (validateMapping(w, looped, target).length === 0) {
            expect(cycles).toBeLessThanOrEqual(simulatedCycles(target, w, looped));
          } else {
            expect(hardwareLoops).toBeUndefined();
          }
        },
      ),
      { numRuns: 12, seed: 13 },
    );
  });

  it('cosa runs a 96×96×96 GEMM with the loop instructions: the host issues far fewer commands', () => {
    const target = builtinTargets.gemmini;
    const w = gemmWorkload(96, 96, 96);
    const chosen = schedule('cosa', w, target, options).mapping;
    expect(chosen.hardwareLoops).toBe(true);
    const { hardwareLoops: _, ...unrolled } = chosen;
    expect(simulatedCycles(target, w, chosen)).toBeLessThan(simulatedCycles(target, w, unrolled));
  });

  it('a target without a loop unroller refuses hardwareLoops, and its mappings never carry it', () => {
    const target = builtinTargets.vta;
    const w = gemmWorkload(64, 64, 64);
    const m = schedule('cosa', w, target, options).mapping;
    expect(m.hardwareLoops).toBeUndefined();
    expect(validateMapping(w, { ...m, hardwareLoops: true }, target)).toEqual([
      { path: 'hardwareLoops', message: 'this target has no loop instructions' },
    ]);
  });
});
