import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomLayerData, referenceOutput } from '../../../src/runtime/layer_data.js';
import { runLayer } from '../../../src/runtime/run_layer.js';
import { interpret } from '../../../src/program/interpret.js';
import type { Mapping } from '../../../src/mapping/mapping.js';
import { validateMapping } from '../../../src/schedule/validate.js';
import type { AnyTarget } from '../../../src/contract/target.js';
import type { Workload } from '../../../src/workload/workload.js';
import { convWorkload, gemmWorkload } from '../../fixtures/workloads.js';
import { gemmini, gemmini32, gemmini8, gemminiTarget } from './presets.js';

const presets = [gemmini, gemmini8, gemmini32] as unknown as AnyTarget[];

/** The mapping with each tile as a LOOP_WS / LOOP_CONV_WS, and as unrolled commands. */
function bothWays(t: AnyTarget, w: Workload, m: Mapping) {
  const d = randomLayerData(w, 11);
  const loops = runLayer(t, w, { ...m, hardwareLoops: true }, d);
  const unrolled = runLayer(t, w, { ...m, hardwareLoops: false }, d);
  return { loops, unrolled, reference: referenceOutput(w, d) };
}

describe('LOOP_WS and LOOP_CONV_WS (the loop unrollers)', () => {
  it('GEMM tiles: bit-exact, and the same outputs as the unrolled program (property)', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...presets),
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 1, max: 90 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        (t, M, N, K, bias, dm, dn, dk) => {
          const w = gemmWorkload(M, N, K, { bias });
          const dim = t.spec.array.rows;
          const m: Mapping = {
            ...t.baseline!(w),
            tile: { M: Math.min(M, dm * dim), N: Math.min(N, dn * dim), K: Math.min(K, dk * dim) },
          };
          if (validateMapping(w, { ...m, hardwareLoops: true }, t).length > 0) return;
          checked++;
          const r = bothWays(t, w, m);
          expect(r.loops.output).toEqual(r.reference);
          expect(r.unrolled.output).toEqual(r.reference);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
    expect(checked).toBeGreaterThan(20);
  });

  it('conv tiles with padding, strides and partial tiles: bit-exact (property)', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...presets),
        fc.integer({ min: 3, max: 12 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(1, 3),
        fc.constantFrom(1, 2),
        fc.boolean(),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 40 }),
        (t, H, C, K, R, stride, bias, tp, tc) => {
          const pad = Math.floor(R / 2);
          const w = convWorkload({
            H,
            W: H,
            C,
            K,
            R,
            S: R,
            strideH: stride,
            strideW: stride,
            padTop: pad,
            padBottom: pad,
            padLeft: pad,
            padRight: pad,
            bias,
          });
          const base = t.baseline!(w);
          const m: Mapping = { ...base, tile: { ...base.tile, P: tp, C: Math.min(C, tc) } };
          if (validateMapping(w, { ...m, hardwareLoops: true }, t).length > 0) return;
          checked++;
          const r = bothWays(t, w, m);
          expect(r.loops.output).toEqual(r.reference);
        },
      ),
      { numRuns: 40, seed: 9 },
    );
    expect(checked).toBeGreaterThan(20);
  });

  it('a downsample conv (1×1, stride 2, even input) as the dev and dosa libraries run it', () => {
    // dev: LOOP_CONV_WS with `downsample` set loads the even rows and columns only; dosa: unset.
    const w = convWorkload({
      ...{ H: 20, W: 20, C: 40, K: 24, R: 1, S: 1, strideH: 2, strideW: 2 },
      ...{ padTop: 0, padBottom: 0, padLeft: 0, padRight: 0 },
    });
    for (const library of ['dev', 'dosa'] as const) {
      const spec = { ...gemmini.spec, vendorLibrary: library };
      const t = gemminiTarget(spec, 'test') as unknown as AnyTarget;
      const base = t.baseline!(w);
      const m: Mapping = { ...base, tile: { ...base.tile, P: 3, C: 16 } };
      expect(validateMapping(w, m, t)).toEqual([]);
      const flags: boolean[] = [];
      const program = t.lower(w, m, { scale: 1 });
      const bases = Object.fromEntries(program.buffers.map((b, i) => [b.name, (i + 1) << 24]));
      interpret<{ readonly kind: string; readonly downsample?: boolean }>(program, bases, (i) => {
        if (i.kind === 'loopConvWs') flags.push(i.downsample === true);
      });
      // ⌈10/3⌉ row tiles × ⌈40/16⌉ channel tiles, each one LOOP_CONV_WS.
      expect(flags).toEqual(new Array(4 * 3).fill(library === 'dev'));
      const r = bothWays(t, w, m);
      expect(r.loops.output).toEqual(r.reference);
    }
  });

  it('the baseline issues one LOOP per tile: 7 words per conv tile, 6 per GEMM tile', () => {
    const t = gemmini as unknown as AnyTarget;
    const w = gemmWorkload(200, 300, 500, { bias: false });
    const m = t.baseline!(w);
    const program = t.lower(w, m, { scale: 1 });
    const bases = Object.fromEntries(program.buffers.map((b, i) => [b.name, (i + 1) << 24]));
    let words = 0;
    interpret<{ readonly kind: string }>(program, bases, (item) => {
      if (item.kind === 'loopWs') words++;
    });
    const tiles =
      Math.ceil(200 / (m.tile.M ?? 200)) *
      Math.ceil(300 / (m.tile.N ?? 300)) *
      Math.ceil(500 / (m.tile.K ?? 500));
    expect(words).toBe(tiles);
  });
});
