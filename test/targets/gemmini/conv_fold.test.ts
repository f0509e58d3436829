import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyTarget } from '../../../src/contract/target.js';
import type { Mapping } from '../../../src/mapping/mapping.js';
import { expand } from '../../../src/program/interpret.js';
import { randomLayerData, referenceOutput } from '../../../src/runtime/layer_data.js';
import { runLayer, simulatedCycles } from '../../../src/runtime/run_layer.js';
import { simulateLayer } from '../../../src/driver/layer_report.js';
import type { ScheduleResult } from '../../../src/schedule/scheduler.js';
import { validateMapping } from '../../../src/schedule/validate.js';
import { builtinTargets } from '../../../src/targets/index.js';
import { convOutputSize, loopNest } from '../../../src/workload/shape.js';
import type { ConvWorkload, Dim } from '../../../src/workload/workload.js';
import { convWorkload } from '../../fixtures/workloads.js';
import { gemmini, gemmini8 } from './presets.js';

const presets = [gemmini, gemmini8] as unknown as AnyTarget[];

const upTo = (max: number) => fc.integer({ min: 1, max });
const padding = fc.nat(3);

/** Convs with few input channels, any kernel up to 7×7, strides 1–2, paddings 0–3 and a pad value. */
const fewChannelConvArb = fc
  .record({
    N: upTo(2),
    H: upTo(12),
    W: upTo(14),
    C: upTo(8),
    K: upTo(20),
    R: upTo(7),
    S: upTo(7),
    strideH: upTo(2),
    strideW: upTo(2),
    padTop: padding,
    padBottom: padding,
    padLeft: padding,
    padRight: padding,
    bias: fc.boolean(),
    relu: fc.boolean(),
    padValue: fc.oneof(fc.constant(0), fc.integer({ min: -128, max: 127 })),
  })
  .map(({ relu, padValue, ...fields }) =>
    convWorkload({
      ...fields,
      ...(padValue === 0 ? {} : { padValue }),
      activation: relu ? 'relu' : 'none',
    }),
  )
  .filter((w) => {
    const { P, Q } = convOutputSize(w);
    return P >= 1 && Q >= 1;
  });

/** A folded mapping of random tiles (all C channels in a tile), order, dataflow and buffering. */
function foldedMapping(w: ConvWorkload, t: AnyTarget, seed: number): Mapping {
  const rnd = fc.sample(fc.integer({ min: 0, max: 1 << 30 }), { numRuns: 24, seed });
  let n = 0;
  const pick = (k: number): number => rnd[n++ % rnd.length] % k;
  const nest = loopNest(w);
  const tile: Partial<Record<Dim, number>> = {};
  // All C channels in a tile (a folded row holds them); the kernel's columns whole half the time.
  for (const { dim: d, bound } of nest.dims) {
    tile[d] = d === 'C' || d === 'G' || (d === 'S' && pick(2) === 0) ? bound : 1 + pick(bound);
  }
  const ws = pick(3) > 0;
  return {
    dataflow: ws ? 'weight-stationary' : 'output-stationary',
    spatial: ws ? { rows: 'C', cols: 'K' } : { rows: 'Q', cols: 'K' },
    tile,
    order: [...nest.dims.map((d) => d.dim)].sort(() => pick(3) - 1),
    resident: { input: [], weight: [], output: [] },
    doubleBuffer: { input: pick(2) === 1, weight: pick(2) === 1, output: pick(2) === 1 },
    foldKernelColumns: true,
  };
}

/** A 20×20 input, 7×S kernel, stride 2: a stem convolution in small. */
const conv = (C: number, S: number, pad: number, extra: Partial<ConvWorkload> = {}) =>
  convWorkload({
    ...{ H: 20, W: 20, C, R: 7, S, strideH: 2, strideW: 2 },
    ...{ padTop: pad, padBottom: pad, padLeft: pad, padRight: pad },
    ...extra,
  });

/** One tile holding the whole conv, weight-stationary. */
function wholeTile(w: ConvWorkload, fold: boolean): Mapping {
  const nest = loopNest(w);
  return {
    dataflow: 'weight-stationary',
    spatial: { rows: 'C', cols: 'K' },
    tile: Object.fromEntries(nest.dims.map((d) => [d.dim, d.bound])),
    order: nest.dims.map((d) => d.dim),
    resident: { input: [], weight: [], output: [] },
    doubleBuffer: { input: false, weight: false, output: false },
    ...(fold ? { foldKernelColumns: true } : {}),
  };
}

const computes = (t: AnyTarget, w: ConvWorkload, m: Mapping): number => {
  const program = t.lower(w, m, { scale: 1 });
  const bases = Object.fromEntries(program.buffers.map((b, i) => [b.name, 4096 * (i + 1)]));
  return expand<{ kind: string }>(program, bases).filter((x) => x.kind === 'compute').length;
};

describe('folded kernel columns', () => {
  it('are bit-exact against the integer reference: C 1–8, kernels to 7×7, any pad value (property)', () => {
    const counts = { legal: 0, valuePadded: 0, unordered: 0 };
    const check = (w: ConvWorkload, seed: number): void => {
      const data = randomLayerData(w, seed);
      const want = referenceOutput(w, data);
      for (const t of presets) {
        const m = foldedMapping(w, t, seed);
        if (validateMapping(w, m, t).length > 0) continue;
        counts.legal++;
        if ((w.padValue ?? 0) !== 0 && w.padLeft + w.padRight > 0) counts.valuePadded++;
        const run = runLayer(t, w, m, data);
        // In program order (the simulator's) every one is right; on the hardware only those
        // without unordered accesses (the repeats' untracked rows read early), which schedulers
        // never choose and `run --mapping` refuses (below).
        expect(run.output).toEqual(want);
        if (run.result.unorderedAccesses > 0) counts.unordered++;
      }
    };
    fc.assert(fc.property(fewChannelConvArb, fc.integer({ min: 1, max: 1 << 30 }), check), {
      numRuns: 150,
      seed: 16,
    });
    expect(counts.legal).toBeGreaterThan(60);
    expect(counts.valuePadded).toBeGreaterThan(15);
    expect(counts.unordered).toBeGreaterThan(0);
    expect(counts.unordered).toBeLessThan(counts.legal / 2);
  });

  it('that would read rows before the hardware has written them are never chosen, and refused when given', () => {
    // One input pixel, kernel 1×2, padding right: the pixel's move-in (one row, two repeats)
    // tracks only the row below it, and the pad column's zero move-in, which lands long before,
    // is all the first pass waits for.
    const w = convWorkload({
      ...{ H: 1, W: 1, C: 1, K: 1, R: 1, S: 2, padTop: 1, padRight: 1 },
      ...{ bias: false, activation: 'none' },
    });
    const m: Mapping = {
      dataflow: 'output-stationary',
      spatial: { rows: 'Q', cols: 'K' },
      tile: { N: 1, K: 1, C: 1, P: 1, Q: 1, R: 1, S: 2 },
      order: ['P', 'S', 'N', 'R', 'C', 'Q', 'K'],
      resident: { input: [], weight: [], output: [] },
      doubleBuffer: { input: true, weight: true, output: true },
      foldKernelColumns: true,
    };
    const t = gemmini as unknown as AnyTarget;
    expect(validateMapping(w, m, t)).toEqual([]);
    expect(runLayer(t, w, m, null).result.unorderedAccesses).toBe(1);
    expect(simulatedCycles(t, w, m)).toBe(Infinity);
    const given = { scheduler: 'user', mapping: m } as unknown as ScheduleResult;
    expect(() => simulateLayer(w, t, given, null, 1, 'user')).toThrow(
      /1 local-memory accesses the hardware leaves unordered.*leave foldKernelColumns out/,
    );
  });

  it('cut the array passes from R·S to R·⌈S/p⌉ per output block (p pixels of C channels a row)', () => {
    const t = gemmini as unknown as AnyTarget;
    // 20×20 input, 7×7 stride 2 pad 3: a 10×10 output, one block of 10 columns per output row.
    const stem = conv(3, 7, 3);
    expect(computes(t, stem, wholeTile(stem, false))).toBe(7 * 7 * 10);
    // p = ⌊16/3⌋ = 5: kernel columns 0–4 and 5–6.
    expect(computes(t, stem, wholeTile(stem, true))).toBe(7 * 2 * 10);
    // C = 8: two pixels a row, four passes per kernel row.
    const eight = conv(8, 7, 3);
    expect(computes(t, eight, wholeTile(eight, true))).toBe(7 * 4 * 10);
    const d = randomLayerData(eight, 3);
    expect(runLayer(t, eight, wholeTile(eight, true), d).output).toEqual(referenceOutput(eight, d));
  });

  it('are faster on a stem conv of the simulator (the array busy for fewer cycles)', () => {
    const t = gemmini as unknown as AnyTarget;
    const stem = conv(3, 7, 3, { padValue: -128 });
    const busy = (m: Mapping) => runLayer(t, stem, m, null).result.busyCycles.execute;
    expect(busy(wholeTile(stem, true))).toBeLessThan(busy(wholeTile(stem, false)) / 2);
  });

  it('are refused where they cannot run, naming the reason', () => {
    const t = gemmini as unknown as AnyTarget;
    const messages = (w: ConvWorkload, m: Mapping) =>
      validateMapping(w, m, t)
        .filter((p) => p.path === 'foldKernelColumns')
        .map((p) => p.message);
    const wide = conv(9, 7, 3);
    expect(messages(wide, wholeTile(wide, true))).toEqual([
      'it folds nothing: two pixels of 9 channels must fit a row of 16 and the kernel tile be two columns wide',
    ]);
    const dilated = conv(3, 3, 1, { dilationW: 2 });
    expect(messages(dilated, wholeTile(dilated, true))).toEqual([
      'it needs kernel columns one pixel apart (dilation 2)',
    ]);
    const stem = conv(3, 7, 3);
    expect(messages(stem, { ...wholeTile(stem, true), hardwareLoops: true })).toEqual([
      'it runs unrolled (with hardwareLoops, LOOP_CONV_WS packs pixels itself: max_pixels_per_row)',
    ]);
    expect(
      messages(stem, { ...wholeTile(stem, true), tile: { ...wholeTile(stem, true).tile, C: 2 } }),
    ).toEqual(["a row holds the tile's whole 3 channels (tile.C is 2)"]);
  });

  it('are refused by a target that does not fold them', () => {
    const stem = conv(3, 7, 3);
    const others = Object.values(builtinTargets).filter((t) => !t.foldsKernelColumns);
    expect(others.length).toBeGreaterThan(0);
    for (const t of others) {
      expect(validateMapping(stem, wholeTile(stem, true), t)).toContainEqual({
        path: 'foldKernelColumns',
        message: 'this target does not fold kernel columns into the reduction',
      });
    }
  });
});
