import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyTarget } from '../../../src/contract/target.js';
import type { Mapping } from '../../../src/mapping/mapping.js';
import { expand } from '../../../src/program/interpret.js';
import {
  extremeLayerData,
  randomLayerData,
  referenceOutput,
} from '../../../src/runtime/layer_data.js';
import { runLayer, simulatedCycles } from '../../../src/runtime/run_layer.js';
import { schedule } from '../../../src/schedule/schedulers.js';
import { simpleMapping } from '../../../src/schedule/simple_mapping.js';
import { validateMapping } from '../../../src/schedule/validate.js';
import { builtinTargets } from '../../../src/targets/index.js';
import { decodeUop, vtaConfig, type Instr } from '../../../src/targets/vta/instr.js';
import { hazard } from '../../../src/targets/vta/semantics.js';
import { rowKernels, view } from '../../../src/targets/vta/layout.js';
import { loopNest } from '../../../src/workload/shape.js';
import { parseConv } from '../../../src/workload/parse.js';
import { convGeometryArb, convOf } from '../../fixtures/arbitraries.js';
import type { ConvWorkload, Dim } from '../../../src/workload/workload.js';
import { vta } from './presets.js';

/**
 * Grouped convs (whole blocks of channels per group, one group a step) and depthwise convs (a block
 * of groups at once on diagonal weight blocks) on every VTA preset: random shapes and mappings, and
 * every scheduler, bit for bit equal to the integer reference.
 */
const presets = ['vta', 'vta-zcu104', 'vta-b32'] as const;

/** A grouped conv with one or two blocks of B channels per group and 2 or 3 groups, or a depthwise one. */
function convArb(B: number) {
  return fc
    .record({
      g: convGeometryArb(7),
      depthwise: fc.boolean(),
      groups: fc.integer({ min: 2, max: 3 }),
      channels: fc.integer({ min: 2, max: 40 }),
      cBlocks: fc.integer({ min: 1, max: 2 }),
      kBlocks: fc.integer({ min: 1, max: 2 }),
    })
    .map((c) =>
      c.depthwise
        ? convOf(c.g, c.channels, c.channels, c.channels)
        : convOf(c.g, c.groups * c.cBlocks * B, c.groups * c.kBlocks * B, c.groups),
    );
}

/** A tile of a dim: a multiple of `block` (or the whole dim) when `block` > 1, else any. */
const tileArb = (bound: number, block: number) =>
  block > 1
    ? fc.integer({ min: 1, max: Math.ceil(bound / block) }).map((n) => Math.min(bound, n * block))
    : fc.integer({ min: 1, max: bound });

/**
 * A random mapping the lowering must get right: groups on the core (depthwise) or one group a step,
 * random tiles and loop orders (outputs outside reductions), random double buffering.
 */
function mappingArb(w: ConvWorkload, B: number): fc.Arbitrary<Mapping> {
  const nest = loopNest(w);
  const depthwise = w.C === w.groups && w.K === w.groups;
  const spatial: Mapping['spatial'] = depthwise
    ? { rows: 'G', cols: 'G' }
    : { rows: 'C', cols: 'K' };
  const tiles = nest.dims.map(({ dim, bound }) => {
    if (dim === 'N' || (dim === 'G' && !depthwise)) return fc.constant(1);
    return tileArb(bound, dim === spatial.rows || dim === spatial.cols ? B : 1);
  });
  const rank = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
    minLength: nest.dims.length,
    maxLength: nest.dims.length,
  });
  return fc
    .tuple(fc.tuple(...tiles), rank, fc.boolean(), fc.boolean(), fc.boolean())
    .map(([ts, keys, dbI, dbW, dbO]) => {
      const tile: Partial<Record<Dim, number>> = {};
      nest.dims.forEach(({ dim }, i) => (tile[dim] = ts[i]));
      const sorted = (reduction: boolean): Dim[] =>
        nest.dims
          .map(({ dim }, i) => ({ dim, key: keys[i] }))
          .filter(({ dim }) => nest.reduction.includes(dim) === reduction)
          .sort((a, b) => a.key - b.key)
          .map(({ dim }) => dim);
      return {
        dataflow: 'weight-stationary',
        spatial,
        tile,
        order: [...sorted(false), ...sorted(true)],
        resident: { input: [], weight: [], output: [] },
        doubleBuffer: { input: dbI, weight: dbW, output: dbO },
      };
    });
}

function exact(target: AnyTarget, w: ConvWorkload, m: Mapping, seed: number): void {
  for (const data of [
    randomLayerData(w, seed, target.spec.requantization.scale),
    extremeLayerData(w, target.spec.requantization.scale),
  ]) {
    const out = runLayer(target, w, m, data).output;
    expect(out, `${target.name}: ${w.name} ${JSON.stringify(m)}`).toEqual(referenceOutput(w, data));
  }
}

describe('grouped and depthwise convs on VTA, bit-exact against the reference', () => {
  for (const name of presets) {
    const target = builtinTargets[name];
    const B = target.spec.array.rows;

    it(`${name}: random shapes and mappings (property)`, () => {
      let ran = 0;
      const kinds = new Set<string>();
      fc.assert(
        fc.property(
          convArb(B).chain((w) => fc.tuple(fc.constant(w), mappingArb(w, B))),
          fc.integer({ min: 0, max: 1000 }),
          ([w, m], seed) => {
            expect(target.patterns.find((p) => p.kind === 'conv')!.check(w)).toBeNull();
            // Tiles too large for a buffer, or too many kernels for the micro-op buffer, are the
            // validator's to refuse: only legal mappings run.
            if (validateMapping(w, m, target).length > 0) return;
            ran++;
            const x = view(w, m, target.spec);
            kinds.add(x.mode === 'diagonal' ? `diagonal, row kernels ${rowKernels(x)}` : x.mode);
            exact(target, w, m, seed);
          },
        ),
        { numRuns: 30 },
      );
      expect(ran).toBeGreaterThan(15);
      // Both kinds of kernel on diagonal blocks, and one group a step.
      expect([...kinds].sort()).toEqual([
        'diagonal, row kernels false',
        'diagonal, row kernels true',
        'grouped',
      ]);
    }, 300_000);

    it(`${name}: every scheduler (baseline, cosa, cosa-even, exhaustive) (property)`, () => {
      const options = {
        evaluate: simulatedCycles,
        seed: 0,
        timeLimitSeconds: 30,
        candidateBudget: 300,
      };
      fc.assert(
        fc.property(convArb(B), fc.integer({ min: 0, max: 1000 }), (w, seed) => {
          for (const scheduler of ['baseline', 'cosa', 'cosa-even', 'exhaustive']) {
            const m = schedule(scheduler, w, target, options).mapping;
            expect(validateMapping(w, m, target), `${scheduler}: ${w.name}`).toEqual([]);
            exact(target, w, m, seed);
          }
        }),
        { numRuns: 4 },
      );
    }, 300_000);
  }
});

describe('grouped and depthwise convs: what the VTA lowering does', () => {
  const depthwise = parseConv('H=6,W=6,C=64,K=64,R=3,pad=1,groups=64');
  const grouped = parseConv('H=6,W=6,C=64,K=32,R=3,pad=1,groups=2');
  const diagonal = (tG: number): Mapping => ({
    dataflow: 'weight-stationary',
    spatial: { rows: 'G', cols: 'G' },
    tile: { N: 1, G: tG, K: 1, C: 1, P: 6, Q: 6, R: 3, S: 3 },
    order: ['N', 'G', 'K', 'P', 'Q', 'C', 'R', 'S'],
    resident: { input: [], weight: [], output: [] },
    doubleBuffer: { input: false, weight: false, output: false },
  });

  it('the simple mapping puts a depthwise conv on the core by groups (gemmini keeps C × K)', () => {
    expect(simpleMapping(depthwise, vta).spatial).toEqual({ rows: 'G', cols: 'G' });
    expect(simpleMapping(depthwise, vta).tile.G).toBe(16);
    expect(simpleMapping(depthwise, builtinTargets.gemmini).spatial).toEqual({
      rows: 'C',
      cols: 'K',
    });
    expect(simpleMapping(grouped, vta).spatial).toEqual({ rows: 'C', cols: 'K' });
  });

  it('refuses a depthwise conv off the diagonal path, and more than one group a step', () => {
    const plain = { ...diagonal(16), spatial: { rows: 'C', cols: 'K' } } as Mapping;
    expect(vta.checkMapping(depthwise, plain)).toEqual([
      {
        path: 'spatial',
        message:
          'a depthwise conv runs its groups on the GEMM core (diagonal weight blocks): G on both axes',
      },
    ]);
    expect(vta.checkMapping(depthwise, diagonal(24))).toEqual([
      { path: 'tile.G', message: 'must be a multiple of 16' },
    ]);
    const twoGroups: Mapping = {
      ...plain,
      tile: { N: 1, G: 2, K: 16, C: 32, P: 6, Q: 6, R: 3, S: 3 },
    };
    expect(vta.checkMapping(grouped, twoGroups)).toEqual([
      { path: 'tile.G', message: 'a step runs one group (must be 1, got 2)' },
    ]);
    expect(vta.checkMapping(grouped, { ...twoGroups, spatial: diagonal(16).spatial })).toEqual([
      { path: 'spatial', message: 'the GEMM core reduces C blocks into K blocks' },
    ]);
  });

  /** The program's micro-ops' accumulators and its GEMMs (reset GEMMs left out). */
  function gemmsOf(m: Mapping) {
    const program = vta.lower(depthwise, m, { scale: 2 ** -6 });
    const words = program.buffers.find((b) => b.name === 'U')!.contents!;
    const dst = Int32Array.from(words, (u) => decodeUop(vtaConfig(vta.spec), u).dst);
    const bases = Object.fromEntries(program.buffers.map((b, i) => [b.name, 0x100000 * (i + 1)]));
    const stream = expand<Instr>(program, bases).filter((i) => i.kind !== 'fence') as Instr[];
    type Gemm = Extract<Instr, { kind: 'gemm' }>;
    const gemms = stream.filter((i): i is Gemm => i.kind === 'gemm' && !i.reset);
    return { program, dst, gemms };
  }

  it('diagonal blocks: a step is one GEMM of (r, block, column) micro-ops over rows and taps', () => {
    const m = diagonal(64);
    expect(validateMapping(depthwise, m, vta)).toEqual([]);
    const { program, dst, gemms } = gemmsOf(m);
    // One step, one GEMM: 3 kernel rows × 4 blocks of groups × 6 columns, looping over the 6
    // output rows and the 3 kernel columns; a micro-op's accumulator recurs 24 micro-ops later.
    expect(gemms).toHaveLength(1);
    expect(gemms[0]).toMatchObject({ iterOut: 6, iterIn: 3, accIn: 0, wgtIn: 1, inpIn: 1 });
    expect(gemms[0].uopEnd - gemms[0].uopBgn).toBe(72);
    expect(hazard(dst, gemms[0].uopBgn, gemms[0].uopEnd)).toBe(-1);
    // The weights are 4 blocks × 9 taps of 16×16 entries, one diagonal each.
    expect(program.buffers.find((b) => b.name === 'Wt')!.bytes).toBe(4 * 9 * 256);
  });

  it('diagonal blocks, one block and one column a step: a GEMM per tap (the hazard rule)', () => {
    const m = { ...diagonal(16), tile: { ...diagonal(16).tile, Q: 1 } };
    expect(validateMapping(depthwise, m, vta)).toEqual([]);
    const { dst, gemms } = gemmsOf(m);
    // 4 blocks × 6 columns steps, 9 taps each: one micro-op a GEMM, over the 6 rows.
    expect(gemms).toHaveLength(4 * 6 * 9);
    for (const g of gemms) {
      expect(g.uopEnd - g.uopBgn).toBe(1);
      expect(hazard(dst, g.uopBgn, g.uopEnd)).toBe(-1);
    }
  });
});
