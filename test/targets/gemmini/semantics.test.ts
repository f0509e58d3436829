import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulationError } from '../../../src/errors.js';
import { f32Bits } from '../../../src/numeric/numeric.js';
import { accToInt8 } from '../../../src/targets/gemmini/semantics.js';
import {
  allocate,
  createDram,
  readInt32,
  readInt8,
  writeInt32,
  writeInt8,
  type Dram,
} from '../../../src/sim/dram.js';
import { fenceItem, type StreamItem } from '../../../src/program/program.js';
import { runStream } from '../../../src/runtime/simulate.js';
import { gemmini, gemmini32, gemmini8, gemminiTarget } from './presets.js';
import type { Instr } from '../../../src/targets/gemmini/instr.js';
import { accAddr, garbageAddr, spAddr } from '../../../src/targets/gemmini/local_addr.js';
import type { GemminiMachine } from '../../../src/targets/gemmini/machine.js';
import { compute, configEx, configLd, configSt, mvin, mvout, op, preload } from './build.js';

const G = op(garbageAddr, 0, 0);

function setup(target = gemmini): {
  dram: Dram;
  m: GemminiMachine;
  run: (s: StreamItem<Instr>[]) => void;
} {
  const dram = createDram();
  const m = target.createMachine(dram, true);
  return { dram, m, run: (s) => void runStream(target, m, s) };
}

function put8(dram: Dram, name: string, values: number[]): number {
  const addr = allocate(dram, name, Math.max(values.length, 1));
  writeInt8(dram, addr, Int8Array.from(values));
  return addr;
}

function put32(dram: Dram, name: string, values: number[]): number {
  const addr = allocate(dram, name, 4 * values.length);
  writeInt32(dram, addr, Int32Array.from(values));
  return addr;
}

const spRow = (m: GemminiMachine, row: number, n = 16): number[] =>
  Array.from(m.sp.subarray(row * 16, row * 16 + n));
const accRow = (m: GemminiMachine, row: number, n = 16): number[] =>
  Array.from(m.acc.subarray(row * 16, row * 16 + n));

function faultOf(f: () => void): SimulationError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SimulationError);
    return e as SimulationError;
  }
  throw new Error('expected a SimulationError');
}

describe('MVIN', () => {
  it('moves rows × cols int8 to the scratchpad, one DRAM row per local row', () => {
    const { dram, m, run } = setup();
    const src = put8(dram, 'x', [1, 2, 3, 4, 5, 6]);
    run([configLd(0, 3), mvin(0, src, op(spAddr(10), 2, 3))]);
    expect(spRow(m, 10, 3)).toEqual([1, 2, 3]);
    expect(spRow(m, 11, 3)).toEqual([4, 5, 6]);
    expect(m.spWritten[10 * 16 + 3]).toBe(0); // columns beyond cols stay unwritten
  });

  it('scales in fp32 with ties to even and saturation: ×1.5 and ×0.5', () => {
    const { dram, m, run } = setup();
    // 100×1.5 = 150 → 127; −100×1.5 → −128; 3×0.5 = 1.5 → 2; 5×0.5 = 2.5 → 2; −3×0.5 = −1.5 → −2
    const src = put8(dram, 'x', [100, -100, 1, 2]);
    const src2 = put8(dram, 'y', [3, 5, -3, -5]);
    run([
      configLd(0, 4, { scaleBits: f32Bits(1.5) }),
      mvin(0, src, op(spAddr(0), 1, 4)),
      configLd(0, 4, { scaleBits: f32Bits(0.5) }),
      mvin(0, src2, op(spAddr(1), 1, 4)),
    ]);
    expect(spRow(m, 0, 4)).toEqual([127, -128, 2, 3]);
    expect(spRow(m, 1, 4)).toEqual([2, 2, -2, -2]);
  });

  it('address 0 writes zeros', () => {
    const { m, run } = setup();
    run([configLd(0, 0), mvin(0, 0, op(spAddr(5), 16, 16))]);
    expect(spRow(m, 5)).toEqual(new Array(16).fill(0));
    expect(m.spWritten[20 * 16 + 15]).toBe(1);
  });

  it('wider than DIM: column block b lands at row addr + b·blockStride + r', () => {
    const { dram, m, run } = setup();
    const src = put8(
      dram,
      'x',
      Array.from({ length: 40 }, (_, i) => i),
    );
    run([configLd(0, 40, { blockStride: 100 }), mvin(0, src, op(spAddr(0), 1, 40))]);
    expect(spRow(m, 0)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(spRow(m, 100)).toEqual(Array.from({ length: 16 }, (_, i) => 16 + i));
    expect(spRow(m, 200, 8)).toEqual(Array.from({ length: 8 }, (_, i) => 32 + i));
  });

  it('int32 into the accumulator raw; the accumulate bit adds with int32 wrap', () => {
    const { dram, m, run } = setup();
    const a = put32(dram, 'a', [2147483647, -5, 7]);
    const b = put32(dram, 'b', [1, 10, -7]);
    run([
      configLd(2, 12),
      mvin(2, a, op(accAddr(3), 1, 3)),
      mvin(2, b, op(accAddr(3, true), 1, 3)),
    ]);
    // 2147483647 + 1 wraps to −2147483648; −5 + 10 = 5; 7 − 7 = 0
    expect(accRow(m, 3, 3)).toEqual([-2147483648, 5, 0]);
  });

  it('shrink: int8 from DRAM into the accumulator, scaled', () => {
    const { dram, m, run } = setup();
    const a = put8(dram, 'a', [100, -7, 9]);
    run([
      configLd(0, 3, { shrink: true, scaleBits: f32Bits(0.5) }),
      mvin(0, a, op(accAddr(0), 1, 3)),
    ]);
    // 50, −3.5 → −4 (even), 4.5 → 4
    expect(accRow(m, 0, 3)).toEqual([50, -4, 4]);
  });

  it('DRAM stride 0 replicates one row (bias)', () => {
    const { dram, m, run } = setup();
    const bias = put32(dram, 'bias', [1, -2, 3, -4]);
    run([configLd(2, 0), mvin(2, bias, op(accAddr(0), 3, 4))]);
    for (const r of [0, 1, 2]) expect(accRow(m, r, 4)).toEqual([1, -2, 3, -4]);
  });

  it('pixel repeats write the row shifted right into the rows above', () => {
    const { dram, m, run } = setup();
    const src = put8(dram, 'x', [1, 2, 3]);
    // p = 3, cols = 3: row 10 gets [1,2,3]; row 9 gets them at columns 3..5; row 8 at columns 6..8.
    run([configLd(0, 3, { pixelRepeats: 3 }), mvin(0, src, op(spAddr(10), 1, 3))]);
    expect(spRow(m, 10, 3)).toEqual([1, 2, 3]);
    expect(spRow(m, 9, 6).slice(3)).toEqual([1, 2, 3]);
    expect(spRow(m, 8, 9).slice(6)).toEqual([1, 2, 3]);
  });
});

describe('MVOUT', () => {
  it('accumulator → int8: ReLU, then the fp32 scale, ties to even, saturation', () => {
    const { dram, m, run } = setup();
    const a = put32(dram, 'a', [1000, 1000, -5, 7, -100, 100]);
    const out = allocate(dram, 'out', 6);
    run([
      configLd(2, 24),
      mvin(2, a, op(accAddr(0), 1, 6)),
      configSt(6, { scaleBits: f32Bits(0.0625) }),
      mvout(out, op(accAddr(0), 1, 2)),
    ]);
    // 1000 × 0.0625 = 62.5 → 62 (even)
    expect(Array.from(readInt8(dram, out, 2))).toEqual([62, 62]);
    const { dram: d2, run: run2 } = setup();
    const b = put32(d2, 'b', [-5, 7, -100, 100, 1000]);
    const o2 = allocate(d2, 'o', 5);
    run2([
      configLd(2, 20),
      mvin(2, b, op(accAddr(0), 1, 5)),
      configSt(5, { scaleBits: f32Bits(0.5) }),
      mvout(o2, op(accAddr(0), 1, 2)),
      configSt(5, { scaleBits: f32Bits(-0.5), activation: 1 }),
      mvout(o2 + 2, op(accAddr(0), 1, 3)),
    ]);
    // −5 × 0.5 = −2.5 → −2; 7 × 0.5 = 3.5 → 4. Then ReLU before a negative scale:
    // relu(−5) = 0 → 0; relu(7) × −0.5 = −3.5 → −4; −100 → 0 (RTL; Spike would give 50).
    expect(Array.from(readInt8(d2, o2, 5))).toEqual([-2, 4, 0, -4, 0]);
    expect(m.accWritten[0]).toBe(1);
  });

  it('a scale of 0xFFFFFFFF keeps the old scale (RTL)', () => {
    const { dram, run } = setup();
    const a = put32(dram, 'a', [1000]);
    const out = allocate(dram, 'out', 1);
    run([
      configLd(2, 4),
      mvin(2, a, op(accAddr(0), 1, 1)),
      configSt(1, { scaleBits: f32Bits(0.0625) }),
      configSt(1, { scaleBits: 0xffffffff }),
      mvout(out, op(accAddr(0), 1, 1)),
    ]);
    expect(readInt8(dram, out, 1)[0]).toBe(62);
  });

  it('full-width accumulator reads write raw int32', () => {
    const { dram, run } = setup();
    const a = put32(dram, 'a', [123456789, -987654321]);
    const out = allocate(dram, 'out', 8);
    run([
      configLd(2, 8),
      mvin(2, a, op(accAddr(0), 1, 2)),
      configSt(8),
      mvout(out, op(accAddr(0, false, true), 1, 2)),
    ]);
    expect(Array.from(readInt32(dram, out, 2))).toEqual([123456789, -987654321]);
  });

  it('scratchpad rows go out raw, wide ones block by block', () => {
    const { dram, run } = setup();
    const src = put8(
      dram,
      'x',
      Array.from({ length: 20 }, (_, i) => i - 10),
    );
    const out = allocate(dram, 'out', 20);
    run([
      configLd(0, 20),
      mvin(0, src, op(spAddr(0), 1, 20)),
      configSt(20),
      mvout(out, op(spAddr(0), 1, 20)),
    ]);
    expect(Array.from(readInt8(dram, out, 20))).toEqual(
      Array.from({ length: 20 }, (_, i) => i - 10),
    );
  });

  it('an activation the configuration lacks (LAYERNORM) is refused', () => {
    const { dram, run } = setup();
    const a = put32(dram, 'a', [1]);
    const out = allocate(dram, 'out', 1);
    const e = faultOf(() =>
      run([
        configLd(2, 4),
        mvin(2, a, op(accAddr(0), 1, 1)),
        configSt(1, { activation: 2 }),
        mvout(out, op(accAddr(0), 1, 1)),
      ]),
    );
    expect(e.index).toBe(3);
    expect(e.reason).toMatch(/layernorm needs normalizations/);
  });
});

/**
 * The pooled mvout as the RTL defines it, written out plainly: each output pixel the maximum over
 * its window of the int8 rows (acc × scale, saturated), a position outside the block reading 0.
 */
function pooledReference(
  rows: number[][],
  g: { orows: number; ocols: number; size: number; stride: number; upad: number; lpad: number },
  porows: number,
  pocols: number,
): number[][] {
  const out: number[][] = [];
  for (let pr = 0; pr < porows; pr++) {
    for (let pc = 0; pc < pocols; pc++) {
      const best = new Array<number>(rows[0].length).fill(-Infinity);
      for (let wr = 0; wr < g.size; wr++) {
        for (let wc = 0; wc < g.size; wc++) {
          const r = pr * g.stride + wr - g.upad;
          const c = pc * g.stride + wc - g.lpad;
          const inside = r >= 0 && c >= 0 && r < g.orows && c < g.ocols;
          for (let k = 0; k < best.length; k++) {
            best[k] = Math.max(best[k], inside ? rows[r * g.ocols + c][k] : 0);
          }
        }
      }
      out.push(best);
    }
  }
  return out;
}

describe('MVOUT with pooling (CONFIG_ST pool stride ≠ 0)', () => {
  it('a 3×3 window, stride 2, one row and column of padding over a 4×4 block', () => {
    const { dram, run } = setup();
    // 16 pixels of 2 channels: channel 0 = pixel index − 20 (mostly negative), channel 1 = 3·index.
    const pixels = Array.from({ length: 16 }, (_, i) => [i - 20, 3 * i]);
    const a = put32(dram, 'a', pixels.flat());
    const out = allocate(dram, 'out', 2 * 2 * 2);
    run([
      configLd(2, 8),
      ...Array.from({ length: 16 }, (_, i) => mvin(2, a + 8 * i, op(accAddr(i), 1, 2))),
      configSt(2, {
        ...{ poolStride: 2, poolSize: 3, upad: 1, lpad: 1, poolOutDim: 2 },
        ...{ porows: 2, pocols: 2, orows: 4, ocols: 4 },
      }),
      mvout(out, op(accAddr(0), 16, 2)),
    ]);
    // Output (0,0) covers pixels 0,1,4,5 and five padded positions: channel 0 max(−15, 0) = 0.
    // Output (1,1) covers rows 1–3, columns 1–3: pixel 15 → −5 and 45, no padding.
    expect(Array.from(readInt8(dram, out, 8))).toEqual([0, 15, 0, 21, 0, 39, -5, 45]);
  });

  it.each([gemmini, gemmini8])('equals the plain definition on random blocks (%s)', (target) => {
    fc.assert(
      fc.property(
        fc.record({
          orows: fc.integer({ min: 1, max: 6 }),
          ocols: fc.integer({ min: 1, max: 6 }),
          size: fc.integer({ min: 1, max: 3 }),
          stride: fc.integer({ min: 1, max: 3 }),
          upad: fc.integer({ min: 0, max: 1 }),
          lpad: fc.integer({ min: 0, max: 1 }),
          cols: fc.integer({ min: 1, max: target.spec.array.rows }),
          relu: fc.boolean(),
          seed: fc.integer({ min: 1, max: 2 ** 30 }),
        }),
        (g) => {
          const porows = Math.floor((g.orows + 2 * g.upad - g.size) / g.stride) + 1;
          const pocols = Math.floor((g.ocols + 2 * g.lpad - g.size) / g.stride) + 1;
          fc.pre(porows > 0 && pocols > 0);
          const { dram, run } = setup(target);
          const n = g.orows * g.ocols;
          let s = g.seed;
          const acc = Array.from({ length: n * g.cols }, () => {
            s = (s * 1103515245 + 12345) % 2 ** 31;
            return (s % 4001) - 2000;
          });
          const a = put32(dram, 'a', acc);
          const outDim = pocols + 1; // a gap after each output row: nothing may be written there
          const out = allocate(dram, 'out', porows * outDim * g.cols);
          const scale = 0.05;
          run([
            configLd(2, 4 * g.cols),
            ...Array.from({ length: n }, (_, i) =>
              mvin(2, a + 4 * g.cols * i, op(accAddr(i), 1, g.cols)),
            ),
            configSt(g.cols, {
              ...{ poolStride: g.stride, poolSize: g.size, upad: g.upad, lpad: g.lpad },
              ...{ poolOutDim: outDim, porows, pocols, orows: g.orows, ocols: g.ocols },
              ...{ activation: g.relu ? 1 : 0, scaleBits: f32Bits(scale) },
            }),
            mvout(out, op(accAddr(0), 1, g.cols)),
          ]);
          const int8Rows = Array.from({ length: n }, (_, i) =>
            acc
              .slice(i * g.cols, (i + 1) * g.cols)
              .map((v) => accToInt8(v, g.relu, Math.fround(scale))),
          );
          const want = pooledReference(int8Rows, g, porows, pocols);
          const got = readInt8(dram, out, porows * outDim * g.cols);
          for (let pr = 0; pr < porows; pr++) {
            const row = Array.from(
              got.subarray(pr * outDim * g.cols, (pr * outDim + pocols) * g.cols),
            );
            expect(row).toEqual(want.slice(pr * pocols, (pr + 1) * pocols).flat());
            const gap = got.subarray((pr * outDim + pocols) * g.cols, (pr + 1) * outDim * g.cols);
            expect(Array.from(gap)).toEqual(new Array(g.cols).fill(0));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a pooled mvout wider than one block', () => {
    const { dram, run } = setup();
    const out = allocate(dram, 'out', 32);
    const e = faultOf(() =>
      run([
        configSt(32, {
          poolStride: 1,
          poolSize: 1,
          poolOutDim: 1,
          porows: 1,
          pocols: 1,
          orows: 1,
          ocols: 1,
        }),
        mvout(out, op(accAddr(0), 1, 32)),
      ]),
    );
    expect(e.reason).toMatch(/32 columns exceed one block of 16/);
  });
});

/** A = [[1,2],[3,4]], B = [[5,6],[7,8]]: A·B = [[19,22],[43,50]]. */
function loadAB(dram: Dram, a = [1, 2, 3, 4], b = [5, 6, 7, 8]): Instr[] {
  const pa = put8(dram, 'A', a);
  const pb = put8(dram, 'B', b);
  return [
    configLd(0, 2),
    configLd(1, 2),
    mvin(0, pa, op(spAddr(0), 2, 2)),
    mvin(1, pb, op(spAddr(16), 2, 2)),
  ];
}

describe('PRELOAD / COMPUTE, weight-stationary', () => {
  it('C = A·W + D into the accumulator (overwrite, then accumulate)', () => {
    const { dram, m, run } = setup();
    run([
      configEx({ dataflow: 1 }),
      ...loadAB(dram),
      preload(op(spAddr(16), 2, 2), op(accAddr(100), 2, 2)),
      compute(false, op(spAddr(0), 2, 2), G),
      preload(G, op(accAddr(100, true), 2, 2)),
      compute(true, op(spAddr(0), 2, 2), G),
    ]);
    expect(accRow(m, 100, 2)).toEqual([38, 44]);
    expect(accRow(m, 101, 2)).toEqual([86, 100]);
  });

  it('D adds an int8 operand; results to the scratchpad saturate to int8, then ReLU', () => {
    const { dram, m, run } = setup();
    const pd = put8(dram, 'D', [1, -100, 100, 100]);
    run([
      configEx({ dataflow: 1, activation: 1 }),
      ...loadAB(dram, [1, 2, -3, -4], [5, 6, 7, 8]),
      configLd(0, 2),
      mvin(0, pd, op(spAddr(32), 2, 2)),
      preload(op(spAddr(16), 2, 2), op(spAddr(48), 2, 2)),
      compute(false, op(spAddr(0), 2, 2), op(spAddr(32), 2, 2)),
    ]);
    // A·B = [[19,22],[−43,−50]]; + D = [[20,−78],[57,50]]; ReLU → [[20,0],[57,50]]
    expect(spRow(m, 48, 2)).toEqual([20, 0]);
    expect(spRow(m, 49, 2)).toEqual([57, 50]);
  });

  it('a 32×32 array with 20-bit sums: 32 × (−128)·(−128) = 2^19 wraps to −2^19 (the preset has 21)', () => {
    const narrow = gemminiTarget(
      { ...gemmini32.spec, array: { ...gemmini32.spec.array, partialSumBits: 20 } },
      '20-bit sums',
    );
    const { dram, m, run } = setup(narrow);
    const a = put8(dram, 'A', new Array(32).fill(-128));
    const b = put8(dram, 'B', new Array(32).fill(-128));
    run([
      configEx({ dataflow: 1 }),
      configLd(0, 32, { blockStride: 32 }),
      configLd(1, 1, { blockStride: 32 }),
      mvin(0, a, op(spAddr(0), 1, 32)),
      mvin(1, b, op(spAddr(64), 32, 1)),
      preload(op(spAddr(64), 32, 1), op(accAddr(0), 1, 1)),
      compute(false, op(spAddr(0), 1, 32), G),
    ]);
    expect(m.acc[0]).toBe(-(2 ** 19));
    const wide = setup(gemmini32);
    const a2 = put8(wide.dram, 'A', new Array(32).fill(-128));
    const b2 = put8(wide.dram, 'B', new Array(32).fill(-128));
    wide.run([
      configEx({ dataflow: 1 }),
      configLd(0, 32, { blockStride: 32 }),
      configLd(1, 1, { blockStride: 32 }),
      mvin(0, a2, op(spAddr(0), 1, 32)),
      mvin(1, b2, op(spAddr(64), 32, 1)),
      preload(op(spAddr(64), 32, 1), op(accAddr(0), 1, 1)),
      compute(false, op(spAddr(0), 1, 32), G),
    ]);
    expect(wide.m.acc[0]).toBe(2 ** 19);
  });
});

describe('PRELOAD / COMPUTE, output-stationary', () => {
  it('P = D, P += A·B over a chain; the result leaves with a rounding shift', () => {
    const { dram, m, run } = setup();
    run([
      configEx({ dataflow: 0, sysShift: 2 }),
      ...loadAB(dram),
      preload(G, G),
      compute(false, op(spAddr(0), 2, 2), op(spAddr(16), 2, 2)),
      preload(G, op(accAddr(0), 2, 2)),
      compute(true, op(spAddr(0), 2, 2), op(spAddr(16), 2, 2)),
    ]);
    // 2·A·B = [[38,44],[86,100]] >> 2 rounding half to even: 9.5 → 10, 11, 21.5 → 22, 25
    expect(accRow(m, 0, 2)).toEqual([10, 11]);
    expect(accRow(m, 1, 2)).toEqual([22, 25]);
  });

  it('an accumulated compute after the result left the array is refused (undefined in hardware)', () => {
    const { dram, run } = setup();
    const e = faultOf(() =>
      run([
        configEx({ dataflow: 0 }),
        ...loadAB(dram),
        preload(G, op(accAddr(0), 2, 2)),
        compute(false, op(spAddr(0), 2, 2), op(spAddr(16), 2, 2)),
        preload(G, G),
        compute(true, op(spAddr(0), 2, 2), op(spAddr(16), 2, 2)),
      ]),
    );
    expect(e.index).toBe(8);
  });
});

describe('faults name the instruction index, the decoded instruction and the reason', () => {
  it('a read of never-written scratchpad', () => {
    const { dram, run } = setup();
    const out = allocate(dram, 'out', 16);
    const e = faultOf(() => run([configSt(16), mvout(out, op(spAddr(7), 1, 16))]));
    expect(e.index).toBe(1);
    expect(e.instruction).toMatch(/^mvout/);
    expect(e.message).toMatch(
      /instruction 1 \(mvout .*\): mvout reads scratchpad row 7 column 0, never written/,
    );
  });

  it('a DRAM access past the end of an allocation', () => {
    const { dram, run } = setup();
    const src = put8(dram, 'x', new Array(16).fill(1));
    const e = faultOf(() => run([configLd(0, 16), mvin(0, src + 8, op(spAddr(0), 1, 16))]));
    expect(e.reason).toMatch(/runs 8 bytes past the end of allocation "x"/);
    const e2 = faultOf(() => run([configLd(0, 16), mvin(0, src, op(spAddr(0), 2, 16))]));
    expect(e2.reason).toMatch(/DRAM \[0x1010, 0x1020\) is outside every allocation/);
  });

  it('a scratchpad row out of range', () => {
    const { run } = setup();
    const e = faultOf(() => run([configLd(0, 0), mvin(0, 0, op(spAddr(16380), 8, 16))]));
    expect(e.reason).toMatch(/scratchpad rows 16380..16387 are out of range \(it has 16384\)/);
  });

  it('an accumulator row out of range', () => {
    const { run } = setup();
    const e = faultOf(() => run([configLd(2, 0), mvin(2, 0, op(accAddr(1020), 8, 16))]));
    expect(e.reason).toMatch(/accumulator rows 1020..1027 are out of range \(it has 1024\)/);
  });

  it('rows or columns beyond the array', () => {
    const { dram, run } = setup();
    const e = faultOf(() =>
      run([
        ...loadAB(dram),
        preload(op(spAddr(16), 2, 2), op(accAddr(0), 17, 2)),
        compute(false, op(spAddr(0), 2, 2), G),
      ]),
    );
    expect(e.reason).toMatch(/C: 17 rows exceed the array's 16/);
    const { dram: d2, run: r2 } = setup();
    const e2 = faultOf(() =>
      r2([
        ...loadAB(d2),
        preload(op(spAddr(16), 2, 2), op(accAddr(0), 2, 2)),
        compute(false, op(spAddr(0), 2, 17), G),
      ]),
    );
    expect(e2.reason).toMatch(/A: 17 columns exceed the limit of 16/);
  });

  it('a COMPUTE without a PRELOAD', () => {
    const { dram, run } = setup();
    const e = faultOf(() => run([...loadAB(dram), compute(false, op(spAddr(0), 2, 2), G)]));
    expect(e.reason).toBe('COMPUTE without a PRELOAD before it');
  });

  it('loop instructions with flags the unroller does not model are refused, not skipped', () => {
    const { run } = setup();
    const e = faultOf(() =>
      run([
        {
          kind: 'loopWs',
          exAccumulate: false,
          fullC: false,
          lowD: false,
          activation: 0,
          bSpadId: 0,
          aSpadId: 0,
          aTranspose: false,
          bTranspose: false,
          isResadd: true,
          skip: 0,
          incAccAddr: false,
          spadOnly: false,
          cSpadAddr: 0,
        },
        fenceItem,
      ]),
    );
    expect(e.reason).toBe('LOOP_WS: isResadd is not simulated');
  });
});
