import { describe, expect, it } from 'vitest';
import type { Mapping } from '../../src/mapping/mapping.js';
import { foldedNeighbours, foldedVariant } from '../../src/schedule/fold_variant.js';
import { builtinTargets } from '../../src/targets/index.js';
import { convWorkload, gemmWorkload } from '../fixtures/workloads.js';

// A stem in small: 3 channels, 7×7 stride 2 with padding 3 on a 32×32 image (16×16 outputs).
const stem = convWorkload({ H: 32, W: 32, C: 3, R: 7, S: 7, strideH: 2, strideW: 2 });
const pads = { padTop: 3, padBottom: 3, padLeft: 3, padRight: 3 };
const w = { ...stem, ...pads };
// The library's mapping of it (weight-stationary, loop instructions) with tiles of 4 × 4 pixels.
const mapping: Mapping = {
  ...builtinTargets.gemmini.baseline!(w),
  tile: { N: 1, P: 4, Q: 4, K: 16, R: 7, S: 7, C: 3 },
};

describe('folded variants of a mapping', () => {
  it('folds the same tiles, unrolled, on a target that folds; null elsewhere', () => {
    const gemmini = builtinTargets.gemmini;
    expect(mapping.hardwareLoops).toBe(true);
    const { hardwareLoops: _loops, ...unrolled } = mapping;
    expect(foldedVariant(w, mapping, gemmini)).toEqual({ ...unrolled, foldKernelColumns: true });
    // Already decided, a GEMM, a target without the fold, a conv too wide to fold.
    expect(foldedVariant(w, { ...mapping, foldKernelColumns: false }, gemmini)).toBeNull();
    expect(foldedVariant(gemmWorkload(16, 16, 16), mapping, gemmini)).toBeNull();
    expect(foldedVariant(w, mapping, builtinTargets.vta)).toBeNull();
    const wide = { ...w, C: 16 };
    expect(
      foldedVariant(wide, { ...mapping, tile: { ...mapping.tile, C: 16 } }, gemmini),
    ).toBeNull();
  });

  it('has neighbours with the P or Q tile doubled or halved, each legal', () => {
    const folded = foldedVariant(w, mapping, builtinTargets.gemmini)!;
    const tiles = foldedNeighbours(w, folded, builtinTargets.gemmini).map((m) => [
      m.tile.P,
      m.tile.Q,
    ]);
    expect(tiles).toEqual([
      [8, 4],
      [4, 8],
      [2, 4],
      [4, 2],
      [8, 2],
      [2, 8],
    ]);
    // Clipped to the output (16 × 16); an unfolded mapping has none.
    const whole = { ...folded, tile: { ...folded.tile, P: 16, Q: 16 } };
    const clipped = foldedNeighbours(w, whole, builtinTargets.gemmini);
    expect(clipped.map((m) => [m.tile.P, m.tile.Q])).toEqual([
      [8, 16],
      [16, 8],
    ]);
    expect(foldedNeighbours(w, mapping, builtinTargets.gemmini)).toEqual([]);
  });
});
