import { describe, expect, it } from 'vitest';
import { builtinTargets } from '../../src/targets/index.js';
import {
  inArrayProducts,
  maxInArrayProducts,
  partialSumOverflow,
} from '../../src/schedule/partial_sums.js';
import { gemmWorkload } from '../fixtures/workloads.js';
import type { Mapping } from '../../src/mapping/mapping.js';

const gemmini = builtinTargets.gemmini.spec;
const w = gemmWorkload(64, 768, 768);
const os = (K: number): Mapping => ({
  dataflow: 'output-stationary',
  spatial: { rows: 'M', cols: 'N' },
  tile: { M: 16, N: 16, K },
  order: ['M', 'N', 'K'],
  resident: { input: [], weight: [], output: [] },
  doubleBuffer: { input: false, weight: false, output: false },
});

describe('partial sums that cannot overflow', () => {
  it('20 bits hold 31 products of two int8 values (31 × 16384 ≤ 2^19 − 1 < 32 × 16384)', () => {
    expect(maxInArrayProducts(gemmini)).toBe(31);
    expect(maxInArrayProducts(builtinTargets['gemmini-32'].spec)).toBe(63);
  });

  it('output-stationary adds the whole reduction tile; weight-stationary one product per row', () => {
    expect(inArrayProducts(w, os(768), gemmini)).toBe(768);
    expect(partialSumOverflow(w, os(31), gemmini)).toBeNull();
    expect(partialSumOverflow(w, os(32), gemmini)?.message).toBe(
      'the array adds 32 products into one 20-bit partial sum, which holds at most 31 of the ' +
        'largest (output-stationary): extreme operands would overflow it',
    );
    const ws: Mapping = {
      ...os(768),
      dataflow: 'weight-stationary',
      spatial: { rows: 'K', cols: 'N' },
    };
    expect(inArrayProducts(w, ws, gemmini)).toBe(16);
    expect(partialSumOverflow(w, ws, gemmini)).toBeNull();
  });
});
