import { describe, expect, it } from 'vitest';
import { InputError, UnsupportedError } from '../../src/errors.js';
import type { Mapping } from '../../src/mapping/mapping.js';
import { parseTimeloopMapping } from '../../src/mapping/timeloop.js';
import { formatTimeloopMapping } from '../../src/mapping/timeloop_format.js';
import { tileSchedule } from '../../src/mapping/tile_schedule.js';
import { schedule } from '../../src/schedule/schedulers.js';
import { simulatedCycles } from '../../src/runtime/run_layer.js';
import { builtinTargets } from '../../src/targets/index.js';
import { loopNest } from '../../src/workload/shape.js';
import { parseConv, parseGemm } from '../../src/workload/parse.js';
import type { Workload } from '../../src/workload/workload.js';

const spec = builtinTargets.gemmini.spec;
const none = { input: [], weight: [], output: [] };
const noDb = { input: false, weight: false, output: false };
const ws = 'weight-stationary' as const;

/**
 * Rows of DOSA's FireSim data (`mapping.mapping` with the row's prob.* shape; GEMM rows are those
 * with Q = R = S = 1, run as I = P, K = C, J = K), and the Mapping each must give.
 */
const rows: readonly {
  readonly what: string;
  readonly w: Workload;
  readonly text: string;
  readonly want: Pick<Mapping, 'tile' | 'order' | 'spatial'>;
}[] = [
  {
    what: 'BERT 768→768 (GEMM P=128, C=768, K=768)',
    w: parseGemm('128,768,768'),
    text: 'L3[WIO] K12 - L2[WI] N1 K16X - L1[O] K4 C48 P4 C16X - L0[W] P32',
    want: {
      tile: { M: 128, N: 64, K: 768 },
      order: ['M', 'K', 'N'],
      spatial: { rows: 'K', cols: 'N' },
    },
  },
  {
    what: 'BERT 3072→768, three DRAM loops',
    w: parseGemm('128,768,3072'),
    text: 'L3[WIO] P2 C3 K12 - L2[WI] N1 K16X - L1[O] K4 C64 P8 C16X - L0[W] P8',
    want: {
      tile: { M: 64, N: 64, K: 1024 },
      order: ['M', 'K', 'N'],
      spatial: { rows: 'K', cols: 'N' },
    },
  },
  {
    what: 'ResNet-50 fc (K10X: a spatial factor below the array size)',
    w: parseGemm('1,1000,2048'),
    text: 'L3[WIO] C16 - L2[WI] N1 K10X - L1[O] K100 C8 C16X - L0[W] N1',
    want: {
      tile: { M: 1, N: 1000, K: 128 },
      order: ['M', 'N', 'K'],
      spatial: { rows: 'K', cols: 'N' },
    },
  },
  {
    what: 'ResNet-50 conv1 7×7 stride 2 (C3X; P and Q swap into our Q and P)',
    w: parseConv('N=1,H=224,W=224,C=3,K=64,R=7,S=7,stride=2,pad=3'),
    text: 'L3[WIO] P2 Q7 - L2[WI] N1 K16X - L1[O] S7 K4 R7 Q2 P4 C3X - L0[W] Q8 P14',
    want: {
      tile: { N: 1, K: 64, C: 3, P: 16, Q: 56, R: 7, S: 7 },
      order: ['N', 'K', 'C', 'R', 'S', 'Q', 'P'],
      spatial: { rows: 'C', cols: 'K' },
    },
  },
  {
    what: 'ResNet-50 3×3 256→256 at 14×14 (S3 at DRAM: our R)',
    w: parseConv('N=1,H=14,W=14,C=256,K=256,R=3,S=3,stride=1,pad=1'),
    text: 'L3[WIO] K2 S3 - L2[WI] N1 K16X - L1[O] K8 R3 C16 P14 C16X - L0[W] Q14',
    want: {
      tile: { N: 1, K: 128, C: 256, P: 14, Q: 14, R: 1, S: 3 },
      order: ['N', 'C', 'P', 'Q', 'S', 'K', 'R'],
      spatial: { rows: 'C', cols: 'K' },
    },
  },
  {
    what: 'ResNet-50 1×1 64→64 at 56×56, as a conv',
    w: parseConv('N=1,H=56,W=56,C=64,K=64,R=1,S=1'),
    text: 'L3[WIO] Q7 - L2[WI] N1 K16X - L1[O] K4 Q8 C4 P14 C16X - L0[W] P4',
    want: {
      tile: { N: 1, K: 64, C: 64, P: 8, Q: 56, R: 1, S: 1 },
      order: ['N', 'K', 'C', 'Q', 'R', 'S', 'P'],
      spatial: { rows: 'C', cols: 'K' },
    },
  },
  {
    what: 'UNet input layer 570×570, C = 1 (no C spatial factor)',
    w: parseConv('N=1,H=572,W=572,C=1,K=64,R=3,S=3'),
    text: 'L3[WIO] K2 P95 Q19 - L2[WI] N1 K16X - L1[O] K2 S3 R3 Q5 P3 - L0[W] Q6 P2',
    want: {
      tile: { N: 1, K: 32, C: 1, P: 30, Q: 6, R: 3, S: 3 },
      order: ['N', 'C', 'R', 'S', 'K', 'Q', 'P'],
      spatial: { rows: 'C', cols: 'K' },
    },
  },
];

describe('parseTimeloopMapping on DOSA FireSim rows', () => {
  for (const row of rows) {
    it(row.what, () => {
      const m = parseTimeloopMapping(row.text, row.w, spec);
      expect(m).toEqual({ ...row.want, dataflow: ws, resident: none, doubleBuffer: noDb });
    });
  }

  it('round trip: parse → format → parse gives the same mapping', () => {
    for (const row of rows) {
      const m = parseTimeloopMapping(row.text, row.w, spec);
      const again = parseTimeloopMapping(formatTimeloopMapping(m, row.w, spec), row.w, spec);
      expect(again.tile).toEqual(m.tile);
      expect(again.spatial).toEqual(m.spatial);
      expect(multiTrip(row.w, again)).toEqual(multiTrip(row.w, m));
    }
  });

  it('formats in the data’s shape: levels from the spec’s memories, K spatial one level up', () => {
    const row = rows[0]!;
    const m = parseTimeloopMapping(row.text, row.w, spec);
    expect(formatTimeloopMapping(m, row.w, spec)).toBe(
      'L3[WIO] K12 - L2[WI] K16X - L1[O] P128 C48 K4 C16X - L0[W] N1',
    );
  });

  it('a dim listed twice at DRAM takes its innermost place', () => {
    const w = parseGemm('64,96,64');
    const m = parseTimeloopMapping(
      'L3[WIO] K2 C2 K3 - L2[WI] N1 K16X - L1[O] C2 P64 C16X - L0[W] N1',
      w,
      spec,
    );
    expect(m.order).toEqual(['M', 'K', 'N']);
    expect(m.tile).toEqual({ M: 64, N: 16, K: 32 });
  });

  it('a product above the bound pads the last tile; requireCover false accepts a short one', () => {
    const w = parseGemm('100,16,16');
    const m = parseTimeloopMapping('L2[WIO] P2 - L1[O] P64 C16X K16 - L0[W] N1', w, spec);
    expect(m.tile.M).toBe(64);
    expect(tileSchedule(loopNest(w), m).trips.M).toBe(2);
    const short = 'L2[WIO] P1 - L1[O] P64 C16X K16 - L0[W] N1';
    expect(() => parseTimeloopMapping(short, w, spec)).toThrow(
      "Timeloop mapping: P (output columns): the factors multiply to 64, less than the workload's 100",
    );
    const kept = parseTimeloopMapping(short, w, spec, { requireCover: false });
    expect(tileSchedule(loopNest(w), kept).trips.M).toBe(2);
  });

  it('output-stationary when L0 holds O: the array takes pixels and output channels', () => {
    const w = parseGemm('32,32,32');
    const m = parseTimeloopMapping('L2[WIO] N1 - L1[O] P16X K16X P2 K2 C32 - L0[O] N1', w, spec);
    expect(m.dataflow).toBe('output-stationary');
    expect(m.spatial).toEqual({ rows: 'M', cols: 'N' });
    expect(m.tile).toEqual({ M: 32, N: 32, K: 32 });
  });
});

describe('parseTimeloopMapping errors', () => {
  const gemm = parseGemm('128,768,768');
  const cases: readonly [string, string, Workload][] = [
    [
      'L3[WIO] K12 - L1[O] K64 C768 P128 - L0[W] N1',
      '"L3[WIO] K12": levels run from L2 down to L0, so this one is L2',
      gemm,
    ],
    [
      'L2[WI] K12 - L1[O] K64 C768 P128 - L0[W] N1',
      'the outermost level (DRAM) must hold W, I and O (got L2[WI])',
      gemm,
    ],
    ['L2[WIX] K12 - L1[O] K64 - L0[W] N1', 'L2[WIX]: X is not W, I or O', gemm],
    [
      'L2[WIO] K12 - L1[O] Z4 - L0[W] N1',
      'L1 factor "Z4": a factor is a letter (N C K P Q R S), a size and X if spatial',
      gemm,
    ],
    ['L2[WIO] K12 - L1[O] K0 - L0[W] N1', 'L1 factor "K0": must be a positive integer', gemm],
    [
      'L2[WIO] K12 - L1[O] K64 C768 P128 - L0[WI] N1',
      'L0[WI] must name the stationary tensor: L0[W] or L0[O]',
      gemm,
    ],
    ['L1[WIO] K12 C768 P128 - L0[W] K64', 'no on-chip level (between DRAM and L0) holds O', gemm],
    [
      'L2[WIO] K12X - L1[O] K64 C768 P128 - L0[W] N1',
      'L2 factor K12X: DRAM has no spatial factors',
      gemm,
    ],
    [
      'L2[WIO] K12 - L1[O] K4 C48 P4 P32X C16X - L0[W] N1',
      "L1 factor P32X: under weight-stationary the array's rows take C and its columns K",
      gemm,
    ],
    [
      'L2[WIO] K12 - L1[O] K2 C24 P128 C32X - L0[W] N1',
      'L1 factor C32X: the array has 16 rows',
      gemm,
    ],
    [
      'L2[WIO] K12 - L1[O] K64 C768 P128 Q2 - L0[W] N1',
      'L1 factor Q2: a gemm has no output rows loop',
      gemm,
    ],
    [
      'L3[WIO] K12 - L2[WI] C2 K16X - L1[O] K4 C24 P128 C16X - L0[W] N1',
      "L2 factor C2: a temporal factor above L1 (the output's level) would give the tensors there a " +
        "larger tile than the output's; gemmforge's mappings have one on-chip tile level (move it to L3 or L1)",
      gemm,
    ],
    [
      'L3[WIO] K6 - L2[WI] N1 K16X - L1[O] K4 C48 P128 C16X - L0[W] N1',
      "K (output channels): the factors multiply to 384, less than the workload's 768",
      gemm,
    ],
    [
      'L3[WIO] K4 - L2[WI] N1 K16X - L1[O] C4 C16X - L0[W] N1',
      'a grouped conv has no letter for its groups',
      parseConv('N=1,H=8,W=8,C=64,K=64,R=3,S=3,pad=1,groups=64'),
    ],
  ];
  for (const [text, reason, w] of cases) {
    it(reason, () => {
      let error: unknown;
      try {
        parseTimeloopMapping(text, w, spec);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toBe(`Timeloop mapping: ${reason}`);
    });
  }
});

describe('formatTimeloopMapping on the schedulers’ mappings', () => {
  const shapes: readonly Workload[] = [
    parseGemm('64,256,128'),
    parseGemm('100,40,72'),
    parseConv('N=1,H=14,W=14,C=32,K=48,R=3,S=3,pad=1'),
  ];
  for (const w of shapes) {
    it(`${w.name}: baseline's mapping formats and parses back to the same cycles`, () => {
      const target = builtinTargets.gemmini;
      const options = { evaluate: simulatedCycles, seed: 0, timeLimitSeconds: 2 };
      // The notation says nothing of double buffering or of hardware loops: both left out.
      const { hardwareLoops: _loops, ...scheduled } = schedule(
        'baseline',
        w,
        target,
        options,
      ).mapping;
      const m = { ...scheduled, doubleBuffer: noDb };
      const back = parseTimeloopMapping(formatTimeloopMapping(m, w, spec), w, spec);
      expect(back.tile).toEqual(m.tile);
      expect(back.spatial).toEqual(m.spatial);
      expect(back.dataflow).toBe(m.dataflow);
      expect(multiTrip(w, back)).toEqual(multiTrip(w, m));
      expect(simulatedCycles(target, w, back)).toBe(simulatedCycles(target, w, m));
    });
  }

  it('refuses resident panels, which the notation cannot say', () => {
    const w = parseGemm('64,64,64');
    const m: Mapping = {
      dataflow: ws,
      spatial: { rows: 'K', cols: 'N' },
      tile: { M: 16, N: 16, K: 64 },
      order: ['M', 'N', 'K'],
      resident: { input: ['K'], weight: [], output: [] },
      doubleBuffer: noDb,
    };
    expect(() => formatTimeloopMapping(m, w, spec)).toThrow(UnsupportedError);
    expect(() => formatTimeloopMapping(m, w, spec)).toThrow(
      'Timeloop notation: it has no form for resident panels (input over K)',
    );
  });
});

/** The DRAM order of the dims with more than one trip: what the notation keeps. */
function multiTrip(w: Workload, m: Mapping): string[] {
  const trips = tileSchedule(loopNest(w), m).trips;
  return m.order.filter((d) => (trips[d] ?? 1) > 1);
}
