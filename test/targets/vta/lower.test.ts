import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { expand } from '../../../src/program/interpret.js';
import { requantize } from '../../../src/reference/requantize.js';
import { runLayer } from '../../../src/runtime/run_layer.js';
import type { Mapping } from '../../../src/mapping/mapping.js';
import { validateMapping } from '../../../src/schedule/validate.js';
import { randomLayerData, referenceOutput } from '../../../src/runtime/layer_data.js';
import { vta } from './presets.js';
import type { Instr } from '../../../src/targets/vta/instr.js';
import { epilogue } from '../../../src/targets/vta/lower.js';
import { decodeUop, vtaConfig } from '../../../src/targets/vta/instr.js';
import { aluOp, hazard } from '../../../src/targets/vta/semantics.js';
import { parseConv, parseGemm } from '../../../src/workload/parse.js';
import type { Workload } from '../../../src/workload/workload.js';

type GemmInstr = Extract<Instr, { kind: 'gemm' }>;

const tiled = (db: boolean): Mapping => ({
  dataflow: 'weight-stationary',
  spatial: { rows: 'K', cols: 'N' },
  tile: { M: 64, N: 64, K: 64 },
  order: ['M', 'N', 'K'],
  resident: { input: [], weight: [], output: [] },
  doubleBuffer: { input: db, weight: db, output: db },
});

describe('VTA lowering', () => {
  const w = parseGemm('256,128,256');

  it('double buffering: loads of the next tile overlap compute of this one', () => {
    const single = runLayer(vta, w, tiled(false), null).result;
    const double = runLayer(vta, w, tiled(true), null).result;
    expect(validateMapping(w, tiled(true), vta)).toEqual([]);
    expect(double.totalCycles).toBeLessThan(single.totalCycles);
    // Load and compute were busy at the same time: their busy cycles exceed the total.
    expect(double.busyCycles.load + double.busyCycles.execute).toBeGreaterThan(double.totalCycles);
  });

  it('clips before every store: the compute instruction that releases a tile is MIN 127', () => {
    const program = vta.lower(w, tiled(true), { scale: 2 ** -9 });
    const bases = Object.fromEntries(program.buffers.map((b, i) => [b.name, 0x100000 * (i + 1)]));
    const stream = expand<Instr>(program, bases).filter((i) => i.kind !== 'fence') as Instr[];
    let lastRelease: Instr | undefined;
    let stores = 0;
    for (const i of stream) {
      if (i.kind === 'alu' && i.pushNext) lastRelease = i;
      if (i.kind === 'store' && i.popPrev) {
        stores++;
        expect(lastRelease).toMatchObject({ aluOp: 0, useImm: true, imm: 127 });
      }
    }
    expect(stores).toBe(4 * 2);
    expect(stream[stream.length - 1].kind).toBe('finish');
  });

  it('a scale that is not a power of two is refused (shift-only requantization)', () => {
    expect(() => vta.lower(w, tiled(false), { scale: 0.3 })).toThrow(InputError);
  });

  it('states what it cannot run: groups off whole blocks, pads beyond 15, resident panels', () => {
    const g = parseConv('H=8,W=8,C=16,K=16,R=3,pad=1,groups=2');
    const m = {
      ...tiled(false),
      spatial: { rows: 'C', cols: 'K' },
      tile: {},
      order: ['N', 'G', 'K', 'P', 'Q', 'C', 'R', 'S'],
    } as Mapping;
    expect(vta.checkMapping(g, m)).toContainEqual({
      path: 'groups',
      message:
        'a grouped conv runs group by group on whole blocks: its 8 input and 8 output channels ' +
        'per group must be multiples of 16 (or one each: depthwise)',
    });
    const wide = parseConv('H=40,W=40,C=16,K=16,R=33,pad=16');
    expect(vta.checkMapping(wide, m)).toContainEqual({
      path: 'workload',
      message: 'LOAD pads at most 15 entries a side',
    });
    const panel = {
      ...tiled(false),
      resident: { input: ['K'], weight: [], output: [] },
    } as Mapping;
    expect(vta.checkMapping(w, panel).map((p) => p.path)).toContain('resident.input');
  });

  it('patterns: convs with whole blocks per group or depthwise, pads a LOAD can add, matmuls', () => {
    const check = (w: ReturnType<typeof parseConv>) =>
      vta.patterns.find((p) => p.kind === w.kind)!.check(w);
    expect(check(parseConv('H=8,W=8,C=16,K=16,R=3,pad=1'))).toBeNull();
    expect(check(parseConv('H=8,W=8,C=16,K=16,R=3,pad=1,groups=16'))).toBeNull();
    expect(check(parseConv('H=8,W=8,C=64,K=32,R=3,pad=1,groups=2'))).toBeNull();
    expect(check(parseConv('H=8,W=8,C=16,K=32,R=3,pad=1,groups=16'))).toBe(
      'a grouped conv runs group by group on whole blocks: its 1 input and 2 output channels ' +
        'per group must be multiples of 16 (or one each: depthwise)',
    );
    expect(vta.patterns.find((p) => p.kind === 'gemm')!.check(w)).toBeNull();
  });

  it('the ALU epilogue is the reference rounding shift and clip, for every shift', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 2 }),
        fc.integer({ min: 0, max: 31 }),
        fc.boolean(),
        (x, s, relu) => {
          const got = epilogue(s, relu).reduce((acc, [op, imm]) => aluOp(op, acc, imm), x);
          expect(got).toBe(requantize(x, 2 ** -s, 'power-of-two-shift', relu));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('VTA lowering: micro-op order and the accumulator hazard (semantics.test.ts)', () => {
  const stream = (w: Workload, m: Mapping): Instr[] => {
    const program = vta.lower(w, m, { scale: 2 ** -6 });
    const bases = Object.fromEntries(program.buffers.map((b, i) => [b.name, 0x100000 * (i + 1)]));
    return expand<Instr>(program, bases).filter((i) => i.kind !== 'fence') as Instr[];
  };
  const uopDst = (w: Workload, m: Mapping): Int32Array => {
    const words = vta.lower(w, m, { scale: 1 }).buffers.find((b) => b.name === 'U')!;
    return Int32Array.from(words.contents!, (u) => decodeUop(vtaConfig(vta.spec), u).dst);
  };
  const gemms = (s: Instr[]) => s.filter((i) => i.kind === 'gemm' && !i.reset) as GemmInstr[];
  const conv = parseConv('H=6,W=6,C=40,K=56,R=3,pad=1');
  const convMapping = (K: number): Mapping => ({
    dataflow: 'weight-stationary',
    spatial: { rows: 'C', cols: 'K' },
    tile: { K, C: 32, P: 3, Q: 6, R: 3, S: 3 },
    order: ['N', 'K', 'P', 'Q', 'C', 'R', 'S'],
    resident: { input: [], weight: [], output: [] },
    doubleBuffer: { input: true, weight: true, output: true },
  });

  it('out blocks are the innermost uops: a tile of 3+ K blocks runs one GEMM a step', () => {
    const m = convMapping(48);
    expect(validateMapping(conv, m, vta)).toEqual([]);
    const dst = uopDst(conv, m);
    const full = gemms(stream(conv, m)).filter((g) => g.uopEnd - g.uopBgn > 3);
    expect(full.length).toBeGreaterThan(0);
    for (const g of full) {
      expect(hazard(dst, g.uopBgn, g.uopEnd)).toBe(-1);
      // Consecutive uops write the tile's 3 out blocks in turn (accumulators 18 entries apart).
      expect(Array.from(dst.subarray(g.uopBgn, g.uopBgn + 4), (d) => d - dst[g.uopBgn])).toEqual([
        0, 18, 36, 0,
      ]);
    }
  });

  it('tiles of 1 or 2 K blocks (and the partial last K tile) run a GEMM per (C block, r, s)', () => {
    for (const K of [16, 32, 48]) {
      const m = convMapping(K);
      expect(validateMapping(conv, m, vta)).toEqual([]);
      const dst = uopDst(conv, m);
      const s = gemms(stream(conv, m));
      for (const g of s) expect(hazard(dst, g.uopBgn, g.uopEnd)).toBe(-1);
      // K 56 in tiles of 48: the last tile has 1 block, so its kernels run split too.
      expect(s.some((g) => g.uopEnd - g.uopBgn <= 2)).toBe(true);
      const data = randomLayerData(conv, K, 'power-of-two-shift');
      expect(runLayer(vta, conv, m, data).output).toEqual(referenceOutput(conv, data));
    }
  });
});
