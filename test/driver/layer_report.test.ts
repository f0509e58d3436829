import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { layerReport } from '../../src/driver/layer_report.js';
import type { LayerReport } from '../../src/results/layer_report.js';
import { schedule } from '../../src/schedule/schedulers.js';
import type { AnyTarget } from '../../src/contract/target.js';
import { targetByName } from '../../src/targets/index.js';
import { parseConv, parseGemm } from '../../src/workload/parse.js';
import type { Workload } from '../../src/workload/workload.js';
import { simulatedCycles } from '../../src/runtime/run_layer.js';

const gemmini = targetByName('gemmini');

const target = gemmini as AnyTarget;
const options = { evaluate: simulatedCycles, seed: 0, timeLimitSeconds: 60 };

function report(w: Workload, verify: boolean): LayerReport {
  return layerReport(w, target, schedule('baseline', w, target, options), { verify, seed: 3 });
}

function expectSane(r: LayerReport): void {
  expect(r.target).toBe('gemmini');
  expect(r.scheduler).toBe('baseline');
  expect(r.predictedCycles).toBeGreaterThan(0);
  expect(r.simulatedCycles).toBeGreaterThan(0);
  expect(r.rooflineCycles).toBeGreaterThan(0);
  expect(r.rooflineCycles).toBeLessThanOrEqual(r.simulatedCycles);
  expect(r.seconds).toBeCloseTo(r.simulatedCycles / 1e9, 15);
  expect(r.utilization).toBeGreaterThan(0);
  expect(r.utilization).toBeLessThanOrEqual(1);
  expect(r.instructions).toBeGreaterThan(0);
  for (const o of Object.values(r.occupancy)) {
    expect(o.fraction).toBeGreaterThan(0);
    expect(o.fraction).toBeLessThanOrEqual(1);
  }
  expect(r.mappingsTried).toBe(1);
  expect(r.fallback).toBeNull();
  // The report is plain data.
  expect(JSON.parse(JSON.stringify(r))).toEqual(r);
}

describe('layerReport', () => {
  it('GEMM 15×16×17 with verify: bit-exact, and the numbers worked out by hand', () => {
    const w = parseGemm('15,16,17');
    const r = report(w, true);
    expectSane(r);
    expect(r.verified).toBe(true);
    expect(r.mismatches).toBe(0);
    expect(r.macs).toBe(15 * 16 * 17);
    expect(r.trips).toEqual({ M: 1, N: 1, K: 1 });
    // Baseline: one tile, everything double-buffered. Scratchpad: A 15×17 = 2 blocks of 15 rows
    // (30), B 17×16 = 2 blocks of 16 (32), ×2 = 124 rows of 16 B. Accumulator: C 15×16 = 15 rows,
    // ×2 = 30 rows of 64 B.
    expect(r.occupancy).toEqual({
      scratchpad: { bytes: 124 * 16, fraction: 124 / 16384 },
      accumulator: { bytes: 30 * 64, fraction: 30 / 1024 },
    });
    // Roofline: 4080 MACs / 256 = 15.9 < (255 + 272 + 240 + 64 bias bytes) / 16 = 51.9 → 52.
    expect(r.rooflineCycles).toBe(52);
    expect(r.dramBytes.read).toBeGreaterThanOrEqual(255 + 272);
    expect(r.dramBytes.write).toBe(240);
  });

  it('verify checks seeded random and worst-case data and reports each', () => {
    const w = parseGemm('15,16,17');
    const r = report(w, true);
    expect(r.checks).toEqual([
      { data: 'random', mismatches: 0 },
      { data: 'extreme', mismatches: 0 },
    ]);
    const only = layerReport(w, target, schedule('baseline', w, target, options), {
      verify: true,
      seed: 3,
      data: ['extreme'],
    });
    expect(only.checks).toEqual([{ data: 'extreme', mismatches: 0 }]);
  });

  it('a conv with verify: bit-exact', () => {
    const w = parseConv('H=8,W=8,C=16,K=16,R=3,pad=1', { activation: 'relu' });
    const r = report(w, true);
    expectSane(r);
    expect(r.verified).toBe(true);
    expect(r.mismatches).toBe(0);
    // 8·8 output pixels × 16 output channels × 16 channels × 3·3.
    expect(r.macs).toBe(8 * 8 * 16 * 16 * 9);
    expect(r.dramBytes.write).toBe(8 * 8 * 16);
  });

  it('without verify: a timing-only run with no verified or mismatches key', () => {
    const w = parseGemm('15,16,17');
    const r = report(w, false);
    expectSane(r);
    expect('verified' in r).toBe(false);
    expect('mismatches' in r).toBe(false);
    // Timing does not depend on the data.
    expect(r.simulatedCycles).toBe(report(w, true).simulatedCycles);
  });

  it('an illegal mapping from a scheduler is an InputError, before any simulation', () => {
    const w = parseGemm('15,16,17');
    const result = schedule('baseline', w, target, options);
    const bad = { ...result, mapping: { ...result.mapping, order: ['M', 'N'] as const } };
    expect(() => layerReport(w, target, bad, { verify: true, seed: 0 })).toThrow(InputError);
  });
});

describe("utilization counts the workload's MACs only", () => {
  it("a depthwise conv: its MACs / (cycles × 256), not the array's padded work", () => {
    const w = parseConv('N=1,H=114,W=114,C=32,K=32,R=3,S=3,stride=1,pad=0,groups=32');
    const r = report(w, false);
    expect(r.macs).toBe(3_612_672);
    expect(r.utilization).toBe(3_612_672 / (r.simulatedCycles * 256));
    expect(r.utilization).toBeLessThan(0.07);
  });
});

describe('the vendor library’s run-time tiling search', () => {
  // 1×1, 8×8 image, 16 → 1024 channels: tiled_conv_auto checks 58 candidates
  // (test/targets/gemmini/baseline.test.ts works them out).
  const w = parseConv('N=1,H=8,W=8,C=16,K=1024,R=1,S=1,stride=1,pad=0');
  const perCheck = gemmini.spec.hostCyclesPerTilingCheck ?? 0;

  it('is reported beside the baseline’s cycles, not inside them', () => {
    const r = report(w, false);
    expect(perCheck).toBeGreaterThan(0);
    expect(r.librarySearchCycles).toBe(58 * perCheck);
    const plain = simulatedCycles(target, w, r.mapping);
    expect(r.simulatedCycles).toBe(plain);
  });

  it('is absent for a scheduler that is not the library', () => {
    const r = layerReport(w, target, schedule('cosa', w, target, options), {
      verify: false,
      seed: 3,
    });
    expect(r.librarySearchCycles).toBeUndefined();
  });
});
