import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, createDram, writeInt8 } from '../../../src/sim/dram.js';
import type { StreamItem } from '../../../src/program/program.js';
import { simulate } from '../../../src/runtime/simulate.js';
import { gemmini, gemmini32, gemmini8, gemminiTarget } from './presets.js';
import type { Instr } from '../../../src/targets/gemmini/instr.js';
import { accAddr, garbageAddr, spAddr } from '../../../src/targets/gemmini/local_addr.js';
import {
  compute,
  configEx,
  configLd,
  configSt as configStInstr,
  mvin,
  op,
  preload,
} from './build.js';
import { randomInt8, runMatmul } from './matmul_run.js';
import { mvin as mvinTiming, mvout, tlbMisses } from '../../../src/targets/gemmini/timing.js';
import { createMachine } from '../../../src/targets/gemmini/machine.js';
import { configLd as configLdSem, configSt } from '../../../src/targets/gemmini/semantics.js';
import { createTimingDesc, Unit } from '../../../src/sim/timing_desc.js';
import { memoryRows } from '../../../src/spec/spec.js';

const G = op(garbageAddr, 0, 0);

/**
 * The preset with address translation, as a program in a Linux process would run: 4 KiB pages and the
 * RTL's one sectored TLB entry of 4 pages (docs/gemmini.md §6). The miss cost is this test's own
 * figure: the presets model bare-metal runs and have no translation to measure it by.
 */
const linuxProcess = gemminiTarget(
  {
    ...gemmini.spec,
    dram: {
      ...gemmini.spec.dram,
      translation: { pageBytes: 4096, entryPages: 4, missCycles: 30 },
    },
  },
  'linux process',
);

describe('Gemmini timing', () => {
  // The preset runs bare metal, as the FireSim data did (physical addresses, nothing to translate).
  it.each(['weight-stationary', 'output-stationary'] as const)(
    'a compute-bound matmul (256³, %s, bare metal) reaches ≥ 90%% utilization',
    (dataflow) => {
      const n = 256;
      const x = {
        I: n,
        J: n,
        K: n,
        a: randomInt8(n * n, 1),
        b: randomInt8(n * n, 2),
        bias: null,
        scale: 1,
        relu: false,
        dataflow,
      };
      const { result } = runMatmul(gemmini, x, false);
      expect(result.macs).toBe(n * n * n);
      expect(result.utilization).toBeGreaterThanOrEqual(0.9);
      expect(result.bytesIn).toBeGreaterThanOrEqual(2 * n * n);
      expect(result.bytesOut).toBe(n * n);
    },
  );

  it('timing alone and functional + timing give the same cycles', () => {
    const x = {
      I: 70,
      J: 33,
      K: 90,
      a: randomInt8(70 * 90, 3),
      b: randomInt8(90 * 33, 4),
      bias: null,
      scale: 1 / 8,
      relu: true,
      dataflow: 'weight-stationary' as const,
    };
    expect(runMatmul(gemmini, x, true).result).toEqual(runMatmul(gemmini, x, false).result);
  });

  it('halving DRAM bandwidth never makes a matmul stream faster (property)', () => {
    const presets = [gemmini, gemmini8, gemmini32];
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 2),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 200 }),
        fc.constantFrom('weight-stationary', 'output-stationary'),
        fc.boolean(),
        (t, I, J, K, dataflow, bias) => {
          const fast = presets[t];
          const spec = structuredClone(fast.spec);
          spec.dram.bytesPerCycle /= 2;
          const slow = gemminiTarget(spec, 'halved.json');
          const x = {
            I,
            J,
            K,
            a: new Int8Array(I * K),
            b: new Int8Array(K * J),
            bias: bias ? new Int32Array(J) : null,
            scale: 1,
            relu: false,
            dataflow,
          } as const;
          const f = runMatmul(fast, x, false).result;
          const s = runMatmul(slow, x, false).result;
          expect(s.totalCycles).toBeGreaterThanOrEqual(f.totalCycles);
        },
      ),
      { numRuns: 40, seed: 11 },
    );
  });

  describe('loads and computes overlap unless they share rows', () => {
    // Eight weight-stationary blocks reading A at sp[0..15] and B at sp[16..31], results in acc[0..15].
    function base(): {
      stream: StreamItem<Instr>[];
      src: number;
      dram: ReturnType<typeof createDram>;
    } {
      const dram = createDram();
      const src = allocate(dram, 'x', 256);
      writeInt8(dram, src, randomInt8(256, 9));
      const stream: StreamItem<Instr>[] = [
        configEx({ dataflow: 1 }),
        configLd(0, 16),
        mvin(0, src, op(spAddr(0), 16, 16)),
        mvin(0, src, op(spAddr(16), 16, 16)),
      ];
      for (let n = 0; n < 8; n++) {
        stream.push(preload(op(spAddr(16), 16, 16), op(accAddr(0, n > 0), 16, 16)));
        stream.push(compute(false, op(spAddr(0), 16, 16), G));
      }
      return { stream, src, dram };
    }
    const cycles = (extra: (src: number) => Instr[]): number => {
      const { stream, src, dram } = base();
      return simulate(gemmini, [...stream, ...extra(src)], dram, { functional: true }).result
        .totalCycles;
    };

    it('a load that depends on nothing runs while the array computes', () => {
      const alone = cycles(() => []);
      const withLoad = cycles((src) => [mvin(0, src, op(spAddr(1000), 16, 16))]);
      // The load (16 cycles + 100 latency) hides behind 8 × 16 compute cycles + 39 pipeline latency.
      expect(withLoad).toBe(alone);
    });

    it('a load into rows the computes still read waits for them (WAR)', () => {
      const alone = cycles(() => []);
      const intoA = cycles((src) => [mvin(0, src, op(spAddr(0), 16, 16))]);
      // It starts only when the last compute reading sp[0..15] completes, then takes 16 + 100 cycles.
      expect(intoA).toBeGreaterThanOrEqual(alone + 16 + 100);
    });
  });
});

describe('address translation (the DMA TLB)', () => {
  const page = 4096;
  it('counts a miss per page not in the direction register or filled in the one 4-page entry', () => {
    const m = linuxProcess.createMachine(createDram(), false);
    // 16 rows of 64 bytes in one page: one miss, then hits in the register.
    expect(tlbMisses(m, 16 * page, 64, 16, 64, 0)).toBe(1);
    expect(tlbMisses(m, 16 * page, 64, 16, 64, 0)).toBe(0);
    // Four rows a page apart in one 16 KiB region: four misses fill the entry; again, all hit.
    expect(tlbMisses(m, 32 * page, page, 4, 64, 0)).toBe(4);
    expect(tlbMisses(m, 32 * page, page, 4, 64, 0)).toBe(0);
    // A page in another region replaces the entry: going back misses again.
    expect(tlbMisses(m, 64 * page, 64, 1, 64, 0)).toBe(1);
    expect(tlbMisses(m, 32 * page, page, 4, 64, 0)).toBe(4);
    // A row that straddles two pages touches both.
    expect(tlbMisses(m, 80 * page - 32, 64, 1, 64, 1)).toBe(2);
  });

  it('misses stall the move: a strided mvin takes longer than a dense one', () => {
    const run = (stride: number) => {
      const dram = createDram();
      const at = allocate(dram, 'x', 16 * stride + 64);
      const stream: StreamItem<Instr>[] = [configLd(0, stride), mvin(0, at, op(spAddr(0), 16, 16))];
      return simulate(linuxProcess, stream, dram, { functional: false }).result.totalCycles;
    };
    const missCycles = linuxProcess.spec.dram.translation!.missCycles;
    expect(run(page) - run(16)).toBeGreaterThanOrEqual(15 * missCycles);
  });
});

describe('a pooled mvout', () => {
  it('keeps the store unit one cycle per window position and writes one row per output pixel', () => {
    const m = createMachine(gemmini.spec, createDram(), false);
    const pool = { porows: 6, pocols: 17, orows: 14, ocols: 36, upad: 1, lpad: 1 };
    const config = configStInstr(64, { poolStride: 2, poolSize: 3, poolOutDim: 56, ...pool });
    if (config.kind !== 'configSt') throw new Error(config.kind);
    configSt(config, m);
    const d = createTimingDesc();
    const store = { kind: 'mvout', dram: 4096, src: op(accAddr(0), 16, 16) } as const;
    mvout(store, m, d);
    expect(d.unit).toBe(Unit.store);
    // 6 × 17 pooled pixels, each 3 × 3 window positions: 918 requests, one a cycle.
    expect(d.occupancy).toBe(6 * 17 * 9);
    expect(d.dramWriteBytes).toBe(6 * 17 * 16);
    // The source block: 14 × 36 accumulator rows from row 0.
    expect(d.readCount).toBe(1);
    expect([d.readMemory[0], d.readStart[0], d.readEnd[0]]).toEqual([m.accIndex, 0, 14 * 36]);
  });
});

describe('an mvin with pixel repeats', () => {
  // ReservationStation.scala: the row range of a repeating scratchpad mvin starts repeats − 1
  // rows lower, not below the start of its half, and keeps the mvin's length.
  const written = (repeats: number, row: number): number[] => {
    const m = createMachine(gemmini.spec, createDram(), false);
    const config = configLd(0, 64, { pixelRepeats: repeats });
    if (config.kind !== 'configLd') throw new Error(config.kind);
    configLdSem(config, m);
    const d = createTimingDesc();
    mvinTiming({ kind: 'mvin', slot: 0, dram: 4096, dst: op(spAddr(row), 10, 1) }, m, d);
    return [d.writeCount, d.writeMemory[0], d.writeStart[0], d.writeEnd[0]];
  };
  it('moves its rows down by repeats − 1, floored at its half', () => {
    const sp = createMachine(gemmini.spec, createDram(), false).spIndex;
    expect(written(1, 100)).toEqual([1, sp, 100, 110]);
    expect(written(3, 100)).toEqual([1, sp, 98, 108]);
    expect(written(3, 1)).toEqual([1, sp, 0, 10]);
    // The upper half (from row 8192) floors at 8192; row 8192 itself counts as the lower half.
    expect(written(3, 8193)).toEqual([1, sp, 8192, 8202]);
    expect(written(3, 8192)).toEqual([1, sp, 8190, 8200]);
  });
});

describe('a move-in with pixel repeats: the load unit', () => {
  /** The load unit's busy cycles and the scratchpad rows tracked for one 16-row move-in. */
  const timed = (repeats: number, row: number) => {
    const m = createMachine(gemmini.spec, createDram(), false);
    const config = configLd(0, 3, { pixelRepeats: repeats });
    if (config.kind !== 'configLd') throw new Error(config.kind);
    configLdSem(config, m);
    const d = createTimingDesc();
    mvinTiming({ kind: 'mvin', slot: 0, dram: 4096, dst: op(spAddr(row), 16, 3) }, m, d);
    const rows = Array.from({ length: d.writeCount }, (_, k) => [d.writeStart[k], d.writeEnd[k]]);
    const untracked = Array.from({ length: d.untrackedCount }, (_, k) => [
      d.untrackedStart[k],
      d.untrackedEnd[k],
    ]);
    return { busy: d.occupancy, rows, untracked };
  };

  it('is busy p cycles a row (the repeater writes each row p times, one write a cycle)', () => {
    expect(timed(1, 100)).toEqual({ busy: 16, rows: [[100, 116]], untracked: [] });
    // PixelRepeater.scala: five writes per row; the tracked range starts 4 rows lower, so the
    // mvin's own last 4 rows are written untracked.
    expect(timed(5, 100)).toEqual({ busy: 80, rows: [[96, 112]], untracked: [[112, 116]] });
  });

  it('never tracks rows across the middle of the scratchpad', () => {
    const half = memoryRows(gemmini.spec.memories.scratchpad) / 2;
    expect(half).toBe(8192);
    expect(timed(5, half + 2).rows).toEqual([[half, half + 16]]);
    expect(timed(5, half + 2).untracked).toEqual([[half + 16, half + 18]]);
    expect(timed(5, 2).rows).toEqual([[0, 16]]);
    expect(timed(5, 2).untracked).toEqual([[16, 18]]);
  });
});
