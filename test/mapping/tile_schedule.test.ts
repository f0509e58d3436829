import { convWorkload } from '../fixtures/workloads.js';
import { describe, expect, it } from 'vitest';
import { noResidency, type Mapping } from '../../src/mapping/mapping.js';
import { tileExtent, tileSchedule } from '../../src/mapping/tile_schedule.js';
import { loopNest } from '../../src/workload/shape.js';
import type { ConvWorkload, Dim, GemmWorkload } from '../../src/workload/workload.js';

function gemm(M: number, N: number, K: number): GemmWorkload {
  return {
    kind: 'gemm',
    name: `gemm ${M}x${N}x${K}`,
    M,
    N,
    K,
    bias: true,
    requant: 'per-tensor',
    activation: 'none',
  };
}

function conv(fields: Partial<ConvWorkload>): ConvWorkload {
  return convWorkload({
    name: 'test conv',
    C: 32,
    activation: 'none',
    ...fields,
  });
}

function mapping(
  tile: Mapping['tile'],
  order: readonly Dim[],
  resident: Mapping['resident'] = noResidency,
): Mapping {
  return {
    dataflow: 'weight-stationary',
    spatial: { rows: 'K', cols: 'N' },
    tile,
    order,
    resident,
    doubleBuffer: { input: false, weight: false, output: false },
  };
}

describe('tileSchedule on a GEMM', () => {
  // M 100 in tiles of 32 (32, 32, 32, 4), N 64 whole (one trip), K 48 in tiles of 16.
  const w = gemm(100, 64, 48);
  const tiles = { M: 32, N: 64, K: 16 };

  it('order M, N, K: strides from the inside out, the one-trip N adding nothing', () => {
    const s = tileSchedule(loopNest(w), mapping(tiles, ['M', 'N', 'K']));
    expect(s.order).toEqual(['M', 'N', 'K']);
    expect(s.bound).toEqual({ M: 100, N: 64, K: 48 });
    expect(s.tile).toEqual({ M: 32, N: 64, K: 16 });
    expect(s.trips).toEqual({ M: 4, N: 1, K: 3 });
    expect(s.stride).toEqual({ M: 3, N: 3, K: 1 });
    expect(s.steps).toBe(12);
    // Input (M, K) and weight (K, N) change with K, the innermost loop: every step. The output
    // (M, N) changes with M only (N has one trip): every 3 steps, 4 tiles.
    expect(s.period).toEqual({ input: 1, weight: 1, output: 3 });
    expect(s.loads).toEqual({ input: 12, weight: 12, output: 4 });
  });

  it('residency over K: the input reloads with M only, the weight never changes', () => {
    const s = tileSchedule(
      loopNest(w),
      mapping(tiles, ['M', 'N', 'K'], { input: ['K'], weight: ['K'], output: [] }),
    );
    expect(s.trips).toEqual({ M: 4, N: 1, K: 3 });
    expect(s.steps).toBe(12);
    // Weight: K resident, N one trip: nothing changes, so its period is all 12 steps, one load.
    expect(s.period).toEqual({ input: 3, weight: 12, output: 3 });
    expect(s.loads).toEqual({ input: 4, weight: 1, output: 4 });
  });

  it('order N, M, K with K whole: the weight waits for N, input and output change every step', () => {
    // M 100 in 50 (2 trips), N 64 in 16 (4 trips), K 48 whole.
    const s = tileSchedule(loopNest(w), mapping({ M: 50, N: 16, K: 48 }, ['N', 'M', 'K']));
    expect(s.trips).toEqual({ M: 2, N: 4, K: 1 });
    expect(s.stride).toEqual({ N: 2, M: 1, K: 1 });
    expect(s.steps).toBe(8);
    expect(s.period).toEqual({ input: 1, weight: 2, output: 1 });
    expect(s.loads).toEqual({ input: 8, weight: 4, output: 8 });
  });

  it('a dim the mapping leaves out, or tiles beyond its bound, takes the whole bound', () => {
    const s = tileSchedule(loopNest(w), mapping({ M: 1000, K: 16 }, ['K', 'M', 'N']));
    expect(s.tile).toEqual({ M: 100, N: 64, K: 16 });
    expect(s.trips).toEqual({ M: 1, N: 1, K: 3 });
    expect(s.stride).toEqual({ K: 1, M: 1, N: 1 });
    expect(s.steps).toBe(3);
    // The output does not depend on K and nothing else changes: loaded once.
    expect(s.period).toEqual({ input: 1, weight: 1, output: 3 });
    expect(s.loads).toEqual({ input: 3, weight: 3, output: 1 });
  });

  it('every dim with one trip: one step, every tensor loaded once', () => {
    const s = tileSchedule(loopNest(gemm(15, 16, 17)), mapping({}, ['M', 'N', 'K']));
    expect(s.trips).toEqual({ M: 1, N: 1, K: 1 });
    expect(s.stride).toEqual({ M: 1, N: 1, K: 1 });
    expect(s.steps).toBe(1);
    expect(s.period).toEqual({ input: 1, weight: 1, output: 1 });
    expect(s.loads).toEqual({ input: 1, weight: 1, output: 1 });
  });
});

describe('tileSchedule on a conv', () => {
  it('the baseline-like order N, P, Q, K, R, S, C with partial C, P and S tiles', () => {
    // 8×8×32 → 16, 3×3, pad 1: P = Q = 8. Tiles: C 16 (2 trips), P 4 (2), S 1 (3); others whole.
    const w = conv({});
    const s = tileSchedule(
      loopNest(w),
      mapping({ N: 1, K: 16, C: 16, P: 4, Q: 8, R: 3, S: 1 }, ['N', 'P', 'Q', 'K', 'R', 'S', 'C']),
    );
    expect(s.bound).toEqual({ N: 1, K: 16, C: 32, P: 8, Q: 8, R: 3, S: 3 });
    expect(s.trips).toEqual({ N: 1, K: 1, C: 2, P: 2, Q: 1, R: 1, S: 3 });
    // Inside out: C 1; S 2 (C's 2 trips); R, K, Q 6 (S's 3 trips, one-trip loops add nothing);
    // P 6; N 12.
    expect(s.stride).toEqual({ C: 1, S: 2, R: 6, K: 6, Q: 6, P: 6, N: 12 });
    expect(s.steps).toBe(12);
    // Input and weight depend on C (innermost, 2 trips): every step. The output (N, K, P, Q)
    // changes with P only: every 6 steps.
    expect(s.period).toEqual({ input: 1, weight: 1, output: 6 });
    expect(s.loads).toEqual({ input: 12, weight: 12, output: 2 });
  });

  it('a grouped conv: G indexes every tensor', () => {
    // groups 4 over C = K = 8: per group C = K = 2. G tiles of 1 (4 trips), R split in 3.
    const w = conv({ C: 8, K: 8, groups: 4 });
    const s = tileSchedule(
      loopNest(w),
      mapping({ G: 1, R: 1 }, ['G', 'N', 'P', 'Q', 'K', 'R', 'S', 'C']),
    );
    expect(s.trips).toEqual({ N: 1, G: 4, K: 1, C: 1, P: 1, Q: 1, R: 3, S: 1 });
    expect(s.stride.G).toBe(3);
    expect(s.stride.R).toBe(1);
    expect(s.steps).toBe(12);
    // The output ignores R: it changes with G, every 3 steps.
    expect(s.period).toEqual({ input: 1, weight: 1, output: 3 });
    expect(s.loads).toEqual({ input: 12, weight: 12, output: 4 });
  });
});

describe('tileExtent', () => {
  it('full tiles, then the partial last one', () => {
    const s = tileSchedule(loopNest(gemm(100, 64, 48)), mapping({ M: 32, K: 16 }, ['M', 'N', 'K']));
    expect([0, 1, 2, 3].map((i) => tileExtent(s, 'M', i))).toEqual([32, 32, 32, 4]);
    expect([0, 1, 2].map((i) => tileExtent(s, 'K', i))).toEqual([16, 16, 16]);
    expect(tileExtent(s, 'N', 0)).toBe(64);
  });
});
