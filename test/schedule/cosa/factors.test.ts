import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  divisorTiles,
  primeFactors,
  sumOverTiles,
  tileCandidates,
  tripsOf,
} from '../../../src/schedule/cosa/factors.js';

describe('factors', () => {
  it('prime factors multiply back to the bound', () => {
    expect(primeFactors(1)).toEqual([]);
    expect(primeFactors(56)).toEqual([2, 2, 2, 7]);
    expect(primeFactors(197)).toEqual([197]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), (n) => {
        expect(primeFactors(n).reduce((p, q) => p * q, 1)).toBe(n);
      }),
    );
  });

  it('candidates: the smallest tile per trip count, array dims in whole blocks, n = 1 kept', () => {
    // 1000 on a 16-wide axis: 63 blocks; trips 1..63, at most 10 tiles.
    const t = tileCandidates(1000, 16, 10);
    expect(t[0]).toBe(1000);
    expect(t.length).toBeLessThanOrEqual(10);
    for (const x of t.slice(1)) expect(x % 16).toBe(0);
    expect(t).toContain(16);
    expect(tileCandidates(7, 1, 12)).toEqual([7, 4, 3, 2, 1]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.constantFrom(1, 8, 16), (b, block) => {
        const ts = tileCandidates(b, block, 12);
        expect(ts.length).toBeLessThanOrEqual(12);
        expect(ts[0]).toBe(b);
        for (const x of ts) expect(x >= 1 && x <= b).toBe(true);
        // Each is the smallest tile of its trip count.
        for (const x of ts) {
          if (block === 1 && x > 1) expect(tripsOf(b, x - 1)).toBeGreaterThan(tripsOf(b, x));
        }
      }),
    );
  });

  it('divisor tiles and sums over partial tiles', () => {
    expect(divisorTiles(12)).toEqual([12, 6, 4, 3, 2, 1]);
    expect(sumOverTiles(10, 4, (e) => e)).toBe(10);
    expect(sumOverTiles(10, 4, (e) => Math.ceil(e / 4))).toBe(3);
    // Input rows of a 3×3 stride-1 conv with output tiles of 4 over 10 rows: 6 + 6 + 4.
    expect(sumOverTiles(10, 4, (e) => e + 2)).toBe(16);
  });
});
