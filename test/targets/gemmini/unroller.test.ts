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
const int = (min: number, max: number) => fc.integer({ min, max });

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

  it('depthwise tiles with the dw flag, one channel per LOOP_CONV_WS: bit-exact (property)', () => {
    // Random depthwise convs (1 or 2 images) on gemmini and gemmini-8, with the dev library (as many pixels per
    // input row as the tile has kernel columns) and the dosa one (one pixel); the baseline's
    // tiles cut smaller so that tiles are partial and the kernel splits over several tiles.
    let checked = 0;
    fc.assert(
      fc.property(
        fc.constantFrom('gemmini', 'gemmini-8'),
        fc.constantFrom('dev', 'dosa'),
        fc.record({
          N: int(1, 2),
          H: int(1, 12),
          W: int(1, 20),
          C: int(2, 20),
          R: int(1, 5),
          S: int(1, 5),
          stride: int(1, 2),
          pad: int(0, 2),
          bias: fc.boolean(),
        }),
        fc.record({
          P: int(1, 6),
          Q: int(1, 20),
          R: int(1, 5),
          S: int(1, 5),
        }),
        (preset, library, c, tiles) => {
          const w = convWorkload({
            ...{ N: c.N, H: c.H, W: c.W, C: c.C, K: c.C, groups: c.C, R: c.R, S: c.S },
            bias: c.bias,
            ...{ strideH: c.stride, strideW: c.stride },
            ...{ padTop: c.pad, padBottom: c.pad, padLeft: c.pad, padRight: c.pad },
          });
          if (c.H + 2 * c.pad < c.R || c.W + 2 * c.pad < c.S) return;
          const spec = (preset === 'gemmini' ? gemmini : gemmini8).spec;
          const t = gemminiTarget(
            { ...spec, vendorLibrary: library },
            'test',
          ) as unknown as AnyTarget;
          const base = t.baseline!(w);
          expect(base.hardwareLoops).toBe(true);
          const { P, Q, R, S } = base.tile;
          const m: Mapping = {
            ...base,
            tile: {
              ...base.tile,
              ...{ P: Math.min(P ?? 1, tiles.P), Q: Math.min(Q ?? 1, tiles.Q) },
              ...{ R: Math.min(R ?? 1, tiles.R), S: Math.min(S ?? 1, tiles.S) },
            },
          };
          expect(validateMapping(w, m, t)).toEqual([]);
          checked++;
          const d = randomLayerData(w, 5);
          expect(runLayer(t, w, m, d).output).toEqual(referenceOutput(w, d));
        },
      ),
      { numRuns: 60, seed: 16 },
    );
    expect(checked).toBeGreaterThan(40);
  });

  it('a depthwise baseline: one LOOP_CONV_WS per channel and tile, pixels per row by library', () => {
    // 30×30×20 depthwise 3×3, padding 1: tiles of 22 × 23 outputs (docs/gemmini.md §5.4), so
    // 2 × 2 pixel tiles, each run channel by channel: 4 · 20 loop instructions. sp_tiled_conv
    // asks the dev library for min(DIM / 1 channel, kcols) = 3 pixels per input row, the dosa
    // library (no first-layer optimizations) for 1.
    const w = convWorkload({ H: 30, W: 30, C: 20, K: 20, groups: 20 });
    for (const library of ['dev', 'dosa'] as const) {
      const t = gemminiTarget(
        { ...gemmini.spec, vendorLibrary: library },
        'test',
      ) as unknown as AnyTarget;
      const m = t.baseline!(w);
      expect(m.tile).toMatchObject({ P: 22, Q: 23, G: 1 });
      const program = t.lower(w, m, { scale: 1 });
      const bases = Object.fromEntries(program.buffers.map((b, i) => [b.name, (i + 1) << 24]));
      const words: { dw: boolean; pixels: number }[] = [];
      interpret<{
        readonly kind: string;
        readonly dw?: boolean;
        readonly maxPixelsPerRow?: number;
      }>(program, bases, (i) => {
        if (i.kind === 'loopConvWs')
          words.push({ dw: i.dw === true, pixels: i.maxPixelsPerRow ?? 0 });
      });
      const pixels = library === 'dev' ? 3 : 1;
      expect(words).toEqual(new Array(4 * 20).fill({ dw: true, pixels }));
      const d = randomLayerData(w, 3);
      expect(runLayer(t, w, m, d).output).toEqual(referenceOutput(w, d));
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

  it("tiles too large for the hardware's scratchpad are timed at the addresses the hardware computes", () => {
    // The preset's memories simulated four times larger: as hardware that large, and as the
    // preset's hardware (its loop unrollers address the preset's rows; spec hardwareCapacityBytes).
    const spec = gemmini.spec;
    const larger = (hardware: boolean) => {
      const memory = (m: (typeof spec.memories)[string]) => ({
        ...m,
        capacityBytes: 4 * m.capacityBytes,
        ...(hardware ? { hardwareCapacityBytes: m.capacityBytes } : {}),
      });
      const memories = {
        ...spec.memories,
        scratchpad: memory(spec.memories.scratchpad),
        accumulator: memory(spec.memories.accumulator),
      };
      return gemminiTarget({ ...spec, memories }, 'test') as unknown as AnyTarget;
    };
    const [large, preset] = [larger(false), larger(true)];
    const w = gemmWorkload(80, 96, 2048, { bias: false });
    const ws = (K: number): Mapping => ({
      ...(gemmini as unknown as AnyTarget).baseline!(w),
      tile: { M: 80, N: 96, K },
      hardwareLoops: true,
    });
    // A tile of the preset's size: the same run either way.
    const fits = ws(512);
    expect(validateMapping(w, fits, gemmini as unknown as AnyTarget)).toEqual([]);
    const cycles = (t: AnyTarget, m: Mapping) => runLayer(t, w, m, null).result;
    expect(cycles(preset, fits)).toEqual(cycles(large, fits));
    expect(cycles(preset, fits).totalCycles).toBe(
      cycles(gemmini as unknown as AnyTarget, fits).totalCycles,
    );
    // The whole reduction in one tile: 80 × 128 rows of A alone overflow the preset's half (8,192
    // rows), so A and B overlap there and the hardware orders their accesses: more stalls.
    const whole = ws(2048);
    expect(validateMapping(w, whole, gemmini as unknown as AnyTarget)).not.toEqual([]);
    const stalls = (t: AnyTarget) => {
      const d = cycles(t, whole).stalls.dependency;
      return d.load + d.execute + d.store;
    };
    expect(stalls(preset)).toBeGreaterThan(stalls(large));
    expect(cycles(preset, whole).totalCycles).toBeGreaterThan(cycles(large, whole).totalCycles);
  });
});
