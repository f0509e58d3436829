import { convWorkload } from '../../fixtures/workloads.js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../../src/errors.js';
import { loadSpecFile } from '../../../src/spec/load_spec.js';
import type { Dataflow, Spec } from '../../../src/spec/spec.js';
import {
  baseline,
  convTiles,
  convTilingChecks,
  matmulTiles,
  type ConvTiles,
  type MatmulTiles,
} from '../../../src/targets/gemmini/baseline.js';
import type { ConvWorkload, Dim, GemmWorkload } from '../../../src/workload/workload.js';
import { loopLoweringProblem } from '../../../src/targets/gemmini/lower_loops.js';

// The four presets, read from their JSON (the files src/targets/gemmini/index.ts loads).
const specDir = fileURLToPath(new URL('../../../src/targets/gemmini/specs/', import.meta.url));
const gemmini = loadSpecFile(join(specDir, 'gemmini.json'));
const gemminiOs = loadSpecFile(join(specDir, 'gemmini-os.json'));
const gemmini32 = loadSpecFile(join(specDir, 'gemmini-32.json'));
const gemmini8 = loadSpecFile(join(specDir, 'gemmini-8.json'));
// gemmini.h's dosa branch, which the FireSim data ran with (src/targets/gemmini/library.ts).
const dosa: Spec = { ...gemmini, vendorLibrary: 'dosa' };
const presets: readonly (readonly [string, Spec])[] = [
  ['gemmini', gemmini],
  ['gemmini-os', gemminiOs],
  ['gemmini-32', gemmini32],
  ['gemmini-8', gemmini8],
];

function gemm(M: number, N: number, K: number): GemmWorkload {
  return {
    kind: 'gemm',
    name: `gemm ${M}x${N}x${K}`,
    M,
    N,
    K,
    bias: true,
    requant: 'per-tensor',
    activation: 'none',
  };
}

function conv(fields: Partial<ConvWorkload>): ConvWorkload {
  return convWorkload({
    name: 'test conv',
    H: 56,
    W: 56,
    C: 64,
    K: 64,
    ...fields,
  });
}

/** A 3×3 conv, stride 1, pad 1 (ResNet's), on an H×H×C input. */
function conv3x3(N: number, H: number, C: number, K: number): ConvWorkload {
  return conv({ N, H, W: H, C, K });
}

/** A 1×1 conv, pad 0. */
function conv1x1(H: number, C: number, K: number, stride = 1): ConvWorkload {
  return conv({
    H,
    W: H,
    C,
    K,
    R: 1,
    S: 1,
    strideH: stride,
    strideW: stride,
    padTop: 0,
    padBottom: 0,
    padLeft: 0,
    padRight: 0,
  });
}

function t7(tuple: readonly number[]): ConvTiles {
  const [batches, porows, pocols, pochs, krows, kcols, kchs] = tuple;
  return { batches, porows, pocols, pochs, krows, kcols, kchs };
}

function t3(tI: number, tJ: number, tK: number): MatmulTiles {
  return { tI, tJ, tK };
}

const WS = 'weight-stationary';
const OS = 'output-stationary';

// Default preset, DIM = 16, SP = 262144/16 = 16384 rows, ACC = 65536/64 = 1024 rows.
// spad(i,j,k) = 16·(i·k + k·j), acc(i,j) = 16·i·j; nX = ⌈X/16⌉.
// WS (double-buffered): spad ≤ 8192, acc ≤ 512, ij = ⌊√(512/16)⌋ = ⌊√32⌋ = 5,
//   kc = ⌊(16384/4/16)/5⌋ = ⌊256/5⌋ = 51.
// OS: spad ≤ 16384, acc ≤ 1024, ij = ⌊√(1024/16)⌋ = 8, kc = ⌊(16384/2/16)/8⌋ = 64.
describe('matmulTiles: the docs/gemmini.md §5 examples', () => {
  it('WS 1024³ → (5,5,51)', () => {
    // n = (64,64,64); start (5,5,51): spad 16·(255+255) = 8160, acc 400.
    // tJ+1: 16·(255+306) = 8976 > 8192; tI+1 likewise; tK+1: 16·(260+260) = 8320 > 8192.
    expect(matmulTiles(1024, 1024, 1024, gemmini, WS)).toEqual(t3(5, 5, 51));
  });

  it('OS 1024³ → (8,8,64)', () => {
    // start (8,8,64): spad 16·(512+512) = 16384, acc 16·64 = 1024 (both exactly full).
    // tJ+1 or tI+1: acc 16·72 = 1152 > 1024; tK+1: 16·(520+520) = 16640 > 16384.
    expect(matmulTiles(1024, 1024, 1024, gemmini, OS)).toEqual(t3(8, 8, 64));
  });

  it('64³ → (4,4,4) under both dataflows', () => {
    // n = (4,4,4) is below every start (5 or 8, 51 or 64), so the tile is the whole matrix:
    // spad 16·(16+16) = 512, acc 256, within both budgets; nothing can grow past n.
    expect(matmulTiles(64, 64, 64, gemmini, WS)).toEqual(t3(4, 4, 4));
    expect(matmulTiles(64, 64, 64, gemmini, OS)).toEqual(t3(4, 4, 4));
  });

  it('WS 100×200×300 → (5,6,19)', () => {
    // n = (7,13,19); start (5,5,19): spad 16·(95+95) = 3040, acc 400.
    // pass 1: tJ 6 (spad 16·(95+114) = 3344, acc 480); tI 6: acc 16·36 = 576 > 512; tK = n.
    // pass 2: tJ 7: acc 16·35 = 560 > 512; nothing grows.
    expect(matmulTiles(100, 200, 300, gemmini, WS)).toEqual(t3(5, 6, 19));
  });

  it('WS 12544×64×147 → (8,4,10)', () => {
    // n = (784,4,⌈147/16⌉ = 10); start (5,4,10): spad 16·(50+40) = 1440, acc 320.
    // tJ = n and tK = n; tI grows 6, 7, 8 (acc 384, 448, 512); tI 9: acc 576 > 512.
    expect(matmulTiles(12544, 64, 147, gemmini, WS)).toEqual(t3(8, 4, 10));
  });

  it('WS 49×1000×2048 → (4,6,51)', () => {
    // n = (⌈49/16⌉ = 4, ⌈1000/16⌉ = 63, 128); start (4,5,51): spad 16·(204+255) = 7344.
    // pass 1: tJ 6 (spad 16·(204+306) = 8160, acc 384); tI = n; tK 52: 16·(208+312) = 8320.
    // pass 2: tJ 7: 16·(204+357) = 8976 > 8192; nothing grows.
    expect(matmulTiles(49, 1000, 2048, gemmini, WS)).toEqual(t3(4, 6, 51));
  });
});

// Conv budgets on the default preset (always WS, double-buffered): A + B ≤ SP/2 = 8192 and
// C ≤ ACC/2 = 512, with irows = porows·stride + dil·(krows−1) (icols likewise),
// A = ⌈kchs/16⌉·batches·irows·icols, B = ⌈pochs/16⌉·krows·kcols·kchs,
// C = ⌈pochs/16⌉·batches·porows·pocols.
// Once the channels are down to one block, C = batches·porows·pocols ≤ 512 is what stops the
// shrinking of the spatial factors: porows and pocols alternate (porows first on a tie), and
// (23,23) gives 529 > 512 while (22,23) gives 506, hence the recurring 22×23.
describe('convTiles: the docs/gemmini.md §5 examples', () => {
  it('56²×64→64 3×3 s1 p1 → (1,22,23,16,3,3,64)', () => {
    // start (1,56,56,64,3,3,64): A = 4·58·58 = 13456, B = 4·9·64 = 2304, C = 4·56·56 = 12544.
    // shrink: pochs 64→48, kchs 64→48, then porows/pocols alternate 56→…, the channels taking
    // their turn when they are the largest (48→32→16), down to (1,22,23,16,3,3,16):
    // A = 24·25 = 600, B = 9·16 = 144, C = 506 (the step before, 23×23, had C = 529).
    // grow: pocols 24 → C 528 > 512; passes add kchs 16→64 one per pass (porows 23: C 529,
    // pochs 17: C 2·506 = 1012). Final A = 4·24·25 = 2400, B = 9·64 = 576, sum 2976; C = 506.
    expect(convTiles(conv3x3(1, 56, 64, 64), gemmini)).toEqual(t7([1, 22, 23, 16, 3, 3, 64]));
  });

  it('7²×512→512 3×3 s1 p1 → (1,7,7,112,3,3,119)', () => {
    // start: A = 32·9·9 = 2592, B = 32·9·512 = 147456, C = 32·49 = 1568.
    // The channels are always the largest: they alternate down (pochs first on ties),
    // 512,512 → … → 112,128: A = 8·81 = 648, B = 7·9·128 = 8064, sum 8712 > 8192;
    // → 112,112: A = 7·81 = 567, B = 7·9·112 = 7056, sum 7623; C = 7·49 = 343. Fits.
    // grow: pocols, porows at full 7; pochs 113: B = 8·9·112 = 8064, sum 8631 > 8192;
    // kchs 113..119: A = 8·81 = 648, B = 7·9·119 = 7497, sum 8145 ≤ 8192;
    // kchs 120: B = 7560, sum 8208 > 8192.
    expect(convTiles(conv3x3(1, 7, 512, 512), gemmini)).toEqual(t7([1, 7, 7, 112, 3, 3, 119]));
  });

  it('batch 4, 14²×256→256 3×3 s1 p1 → (4,9,14,16,3,3,144)', () => {
    // start: A = 16·4·16·16 = 16384, B = 16·9·256 = 36864, C = 16·4·14·14 = 12544.
    // The channels (larger than 14) shrink first, by 16 each, to 16,16: C = 4·196 = 784 > 512.
    // Still largest, 16 is a multiple of DIM, so each drops by 16 to 0, clamped to 1.
    // Then porows (pocols 14 ≤ DIM is skipped while porows > 1) 14 → 9: C = 4·9·14 = 504.
    // grow: pocols is full; passes raise pochs 1→16 (C stays 504) and kchs 1→144:
    // A = ⌈144/16⌉·4·11·16 = 6336, B = 9·144 = 1296, sum 7632; kchs 145: A = 10·704 = 7040,
    // B = 1305, sum 8345 > 8192; porows 10: C = 560 > 512; pochs 17: C = 1008.
    expect(convTiles(conv3x3(4, 14, 256, 256), gemmini)).toEqual(t7([4, 9, 14, 16, 3, 3, 144]));
  });

  it('224²×3→64 7×7 s2 p3: (1,22,23,16,7,7,3), with the 3/2/1 pool (1,6,17,16,7,7,3)', () => {
    // Without the pool first. P = Q = ⌊(224+6−6−1)/2⌋+1 = 112.
    // start (1,112,112,64,7,7,3): irows = 112·2+6 = 230, A = 1·230·230 = 52900, B = 4·49·3 = 588,
    // C = 4·112·112 = 50176.
    // shrink: porows/pocols alternate from 112; at 64,64 pocols ties pochs 64 and goes first, then
    // pochs 64→48 (63,63), 48→32 (47,47), 32→16 (31,31); the spatial factors go on to (22,23):
    // irows = 22·2+6 = 50, icols = 23·2+6 = 52, A = 2600, B = 1·49·3 = 147, sum 2747;
    // C = 22·23 = 506 (23×23 had 529 > 512).
    // grow: pocols 24 → C 528; porows 23 → 529; pochs 17 → 1012; the rest are full.
    const stem = conv({
      H: 224,
      W: 224,
      C: 3,
      K: 64,
      R: 7,
      S: 7,
      strideH: 2,
      strideW: 2,
      padTop: 3,
      padBottom: 3,
      padLeft: 3,
      padRight: 3,
    });
    expect(convTiles(stem, gemmini)).toEqual(t7([1, 22, 23, 16, 7, 7, 3]));
    // With the 3/2/1 max-pool fused (ResNet's stem): the spatial factors count pooled outputs,
    // ⌊(112+2−3)/2⌋+1 = 56, and a tile computes orows = 2·porows+2 conv rows (ocols likewise).
    // At (6,17): orows 14, ocols 36, C = 504 ≤ 512; irows = 14·2+6 = 34, icols = 36·2+6 = 78,
    // A = 2652, B = 147. pocols 18: C = 14·38 = 532; porows 7: 16·36 = 576; pochs 17: 1008.
    expect(convTiles(stem, gemmini, { size: 3, stride: 2, padding: 1 })).toEqual(
      t7([1, 6, 17, 16, 7, 7, 3]),
    );
  });
});

describe('convTilingChecks: the candidates tiled_conv_auto checks', () => {
  it('8×8 image, 16 → 1024 channels 1×1: 57 to shrink, one growth, 58 in all', () => {
    // Full tile: C = ⌈1024/16⌉·8·8 = 4096 > 512 (check 1). Each shrink takes pochs down by 16 and
    // checks; C ≤ 512 needs ⌈pochs/16⌉ ≤ 8, so 56 shrinks (checks 2–57) reach pochs 128. pocols
    // cannot grow past 8 (no check); the growth pass checks only pochs 129 (C = 576: no): 58.
    const w = conv1x1(8, 16, 1024);
    expect(convTiles(w, gemmini).pochs).toBe(128);
    expect(convTilingChecks(w, gemmini)).toBe(58);
  });

  it('a tile that fits at once is one check: every growth is beyond the layer', () => {
    expect(convTilingChecks(conv1x1(1, 1, 1), gemmini)).toBe(1);
  });
});

describe('matmulTiles: further shapes', () => {
  const rows: readonly (readonly [string, number, number, number, Spec, Dataflow, MatmulTiles])[] =
    [
      // n = (1,1,1): the start is already the whole matrix.
      ['1×1×1 WS', 1, 1, 1, gemmini, WS, t3(1, 1, 1)],
      // n = (1, 1, ⌈17/16⌉ = 2): the whole matrix again.
      ['15×16×17 WS', 15, 16, 17, gemmini, WS, t3(1, 1, 2)],
      // n = (4,63,4); start (4,5,4), spad 16·(16+20) = 576. tI, tK at n; tJ grows while
      // acc = 16·4·tJ ≤ 512, to 8 (spad 16·(16+32) = 768); tJ 9: acc 576.
      ['49×1000×64 WS', 49, 1000, 64, gemmini, WS, t3(4, 8, 4)],
      // OS: start (4,8,4), tJ grows while 16·4·tJ ≤ 1024, to 16.
      ['49×1000×64 OS', 49, 1000, 64, gemmini, OS, t3(4, 16, 4)],
      // n = (13,48,48); start (5,5,48): spad 16·(240+240) = 7680; tJ+1 or tI+1:
      // 16·(240+288) = 8448 > 8192; tK = n.
      ['197×768×768 WS', 197, 768, 768, gemmini, WS, t3(5, 5, 48)],
      // OS: start (8,8,48): spad 12288, acc 1024; tI+1 or tJ+1: acc 1152 > 1024; tK = n.
      ['197×768×768 OS', 197, 768, 768, gemmini, OS, t3(8, 8, 48)],
      // n = (1,63,80); start (1,5,51), spad 16·(51+255) = 4896, tI = n throughout.
      // passes (tJ, tK): (6,52) spad 5824; (7,53) 6784; (8,54) 7776; then tJ 9 fails
      // (16·(54+486) = 8640) while tK goes 55 (7920), 56 (8064); tK 57: 16·(57+456) = 8208.
      ['1×1000×1280 WS', 1, 1000, 1280, gemmini, WS, t3(1, 8, 56)],
      // DIM 32, SP = 524288/32 = 16384, ACC = 131072/128 = 1024: WS ij = ⌊√(512/32)⌋ = 4,
      // kc = ⌊(4096/32)/4⌋ = 32; spad 32·(128+128) = 8192 exactly; tJ+1: 32·(128+160) = 9216,
      // tK+1: 32·(132+132) = 8448, both > 8192.
      ['gemmini-32 1024³ WS', 1024, 1024, 1024, gemmini32, WS, t3(4, 4, 32)],
      // DIM 8, SP = 65536/8 = 8192, ACC = 16384/32 = 512: WS ij = ⌊√(256/8)⌋ = 5,
      // kc = ⌊(2048/8)/5⌋ = 51; spad 8·510 = 4080 ≤ 4096; tJ+1: 8·561 = 4488, tK+1: 8·520 = 4160.
      ['gemmini-8 1024³ WS', 1024, 1024, 1024, gemmini8, WS, t3(5, 5, 51)],
      // OS: n = (7,13,19); start (7,8,19), acc 16·56 = 896; tJ 9: acc 1008; tJ 10: 1120 > 1024.
      ['100×200×300 OS', 100, 200, 300, gemminiOs, OS, t3(7, 9, 19)],
    ];
  it.each(rows)('%s', (_name, I, J, K, spec, dataflow, want) => {
    expect(matmulTiles(I, J, K, spec, dataflow)).toEqual(want);
  });
});

describe('convTiles: further shapes', () => {
  const rows: readonly (readonly [string, ConvWorkload, Spec, ConvTiles])[] = [
    // Every factor is 1: A = 1·1·1 = 1, B = 1, C = 1.
    ['1×1×1 1×1', conv1x1(1, 1, 1), gemmini, t7([1, 1, 1, 1, 1, 1, 1])],
    // Depthwise, per group C = K = 1: start (1,112,112,1,3,3,1), A = 114·114 = 12996, B = 9,
    // C = 12544. Only C binds: porows/pocols alternate down to (22,23), C = 506, A = 24·25 = 600.
    // grow: pocols 24 → C 528, porows 23 → C 529; the channels are full at 1.
    [
      'depthwise 112²×32 3×3 s1 p1',
      conv({ H: 112, W: 112, C: 32, K: 32, groups: 32 }),
      gemmini,
      t7([1, 22, 23, 1, 3, 3, 1]),
    ],
    // Depthwise stride 2 (pad 0/1, MobileNet's): P = Q = ⌊(112+1−2−1)/2⌋+1 = 56. C binds as
    // above at (22,23): irows = 22·2+2 = 46, icols = 48, A = 2208, B = 9.
    [
      'depthwise 112²×64 3×3 s2',
      conv({
        H: 112,
        W: 112,
        C: 64,
        K: 64,
        groups: 64,
        strideH: 2,
        strideW: 2,
        padTop: 0,
        padBottom: 1,
        padLeft: 0,
        padRight: 1,
      }),
      gemmini,
      t7([1, 22, 23, 1, 3, 3, 1]),
    ],
    // Grouped, 32 groups of 4→4 channels: start (1,28,28,4,3,3,4), A = 30·30 = 900, B = 36,
    // C = 784. porows/pocols shrink to (22,23): C = 506, A = 24·25 = 600; nothing can grow.
    [
      'grouped 28²×128→128 3×3 g32',
      conv({ H: 28, W: 28, C: 128, K: 128, groups: 32 }),
      gemmini,
      t7([1, 22, 23, 4, 3, 3, 4]),
    ],
    // 1×1: start (1,56,56,256,1,1,64): A = 4·56·56 = 12544, B = 16·64 = 1024, C = 16·3136.
    // pochs falls by 16 while it is the largest; then the four take turns (ties in the order
    // porows, pocols, pochs, kchs) down to (1,22,23,16,1,1,16): A = 506, B = 16, C = 506.
    // grow: kchs 16→64, A = 4·506 = 2024, B = 64; pocols 24: C 528; pochs 17: C 1012.
    ['1×1 56²×64→256', conv1x1(56, 64, 256), gemmini, t7([1, 22, 23, 16, 1, 1, 64])],
    // 1×1 stride 2, pad 0, even input: a downsample on the dev library (gemmini.h's
    // tiled_conv_stride_auto passes `downsample` to tiled_conv_total_spad_rows, whose A_rows is
    // ⌈kchs/DIM⌉·batches·(irows >> 1)·(icols >> 1)). P = 28; the accumulator stops the shrink at
    // (1,22,23,16,1,1,16) as above: C = 506. There irows = 22·2 = 44 >> 1 = 22, icols = 46 >> 1 =
    // 23, so A = ⌈kchs/16⌉·506. grow: kchs one per pass to 240: A = 15·506 = 7590, B = 240,
    // sum 7830 ≤ 8192; kchs 241: A = 16·506 = 8096, B = 241, sum 8337 > 8192 (pocols 24: C 528,
    // porows 23: C 529, pochs 17: C 1012).
    ['1×1 s2 56²×256→512', conv1x1(56, 256, 512, 2), gemmini, t7([1, 22, 23, 16, 1, 1, 240])],
    // The same on the dosa branch (`downsample` is false): irows = 44, icols = 46, A = 2024 per
    // block; kchs to 64: A = 4·2024 = 8096, B = 64, sum 8160 ≤ 8192; kchs 65: A = 5·2024 > 8192.
    [
      '1×1 s2 56²×256→512, dosa library',
      conv1x1(56, 256, 512, 2),
      dosa,
      t7([1, 22, 23, 16, 1, 1, 64]),
    ],
    // Odd input (55², P = 28): not a downsample; the full input rows count, as on the dosa branch.
    ['1×1 s2 55²×256→512', conv1x1(55, 256, 512, 2), gemmini, t7([1, 22, 23, 16, 1, 1, 64])],
    // 1×1 on a 7×7 map: start A = 32·49 = 1568, B = 128·512 = 65536, C = 128·49 = 6272.
    // The channels shrink (pochs first on ties) to 160,176: A = 11·49 = 539, B = 10·176 = 1760,
    // C = 10·49 = 490 ≤ 512 (176,176 had C = 539). grow: pochs 161 → C = 11·49 = 539 > 512;
    // kchs 176→512: A = 32·49 = 1568, B = 10·512 = 5120, sum 6688.
    ['1×1 7²×512→2048', conv1x1(7, 512, 2048), gemmini, t7([1, 7, 7, 160, 1, 1, 512])],
    // Batch 2, 30×20×20→40, 3×5 kernel, dilation 2, pad 2/2/4/4: P = 30, Q = 20.
    // start (2,30,20,40,3,5,20): A = 2·2·34·28 = 3808, B = 3·15·20 = 900, C = 3·2·600 = 3600.
    // shrink to (2,16,16,16,3,5,16): C = 2·256 = 512. grow: kchs 16→20: irows = 16+2·2 = 20,
    // icols = 16+2·4 = 24, A = 2·2·20·24 = 1920, B = 15·20 = 300; porows/pocols 17: C = 544.
    [
      'dilated 2×30×20×20→40 3×5',
      conv({
        N: 2,
        H: 30,
        W: 20,
        C: 20,
        K: 40,
        R: 3,
        S: 5,
        padTop: 2,
        padBottom: 2,
        padLeft: 4,
        padRight: 4,
        dilationH: 2,
        dilationW: 2,
      }),
      gemmini,
      t7([2, 16, 16, 16, 3, 5, 20]),
    ],
    // DIM 32, SP/2 = 8192, ACC/2 = 512. The channels fall to 32, porows/pocols alternate to
    // (31,32), C = 992. pocols 32 ≤ DIM is now skipped and the channels (32 > 31) are the largest:
    // each drops by DIM to 0, clamped to 1. porows 31 → 16: C = 16·32 = 512.
    // grow: pocols 33 → C 528; passes raise pochs and kchs 1→32 together, then kchs to 64:
    // A = 2·18·34 = 1224, B = 9·64 = 576; porows 17: C = 544; pochs 33: C = 1024.
    ['gemmini-32 56²×64→64 3×3', conv3x3(1, 56, 64, 64), gemmini32, t7([1, 16, 32, 32, 3, 3, 64])],
  ];
  it.each(rows)('%s', (_name, workload, spec, want) => {
    expect(convTiles(workload, spec)).toEqual(want);
  });
});

describe('baseline', () => {
  it('a GEMM on a WS-capable array is weight-stationary, double-buffered, k innermost', () => {
    // (5,6,19) blocks: M = min(100, 80) = 80, N = min(200, 96) = 96, K = min(300, 304) = 300.
    expect(baseline(gemm(100, 200, 300), gemmini)).toEqual({
      dataflow: WS,
      spatial: { rows: 'K', cols: 'N' },
      tile: { M: 80, N: 96, K: 300 },
      order: ['M', 'N', 'K'],
      resident: { input: [], weight: [], output: [] },
      doubleBuffer: { input: true, weight: true, output: true },
      hardwareLoops: true,
    });
  });

  it('a GEMM on an OS-only array is output-stationary, single-buffered', () => {
    // (7,9,19) blocks: M = min(100, 112) = 100, N = min(200, 144) = 144, K = 300.
    expect(baseline(gemm(100, 200, 300), gemminiOs)).toEqual({
      dataflow: OS,
      spatial: { rows: 'M', cols: 'N' },
      tile: { M: 100, N: 144, K: 300 },
      order: ['M', 'N', 'K'],
      resident: { input: [], weight: [], output: [] },
      doubleBuffer: { input: false, weight: false, output: false },
    });
  });

  it('a conv maps the seven factors to N P Q K R S C in tiled_conv order', () => {
    expect(baseline(conv3x3(1, 56, 64, 64), gemmini)).toEqual({
      dataflow: WS,
      spatial: { rows: 'C', cols: 'K' },
      tile: { N: 1, P: 22, Q: 23, K: 16, R: 3, S: 3, C: 64 },
      order: ['N', 'P', 'Q', 'K', 'R', 'S', 'C'],
      resident: { input: [], weight: [], output: [] },
      doubleBuffer: { input: true, weight: true, output: true },
      hardwareLoops: true,
    });
  });

  it('a conv whose padding reads a value keeps the tiles and runs unrolled (LOOP_CONV_WS pads zeros)', () => {
    const zero = baseline(conv3x3(1, 56, 64, 64), gemmini);
    const valued = baseline({ ...conv3x3(1, 56, 64, 64), padValue: -128 }, gemmini);
    const { hardwareLoops, ...unrolled } = zero;
    expect(hardwareLoops).toBe(true);
    expect(valued).toEqual(unrolled);
    expect(loopLoweringProblem({ ...conv3x3(1, 56, 64, 64), padValue: -128 }, zero, gemmini)).toBe(
      'LOOP_CONV_WS pads with zeros, not -128',
    );
    expect(loopLoweringProblem(conv3x3(1, 56, 64, 64), zero, gemmini)).toBeNull();
  });

  it('a grouped conv runs one group per tile, groups outermost', () => {
    const m = baseline(conv({ H: 28, W: 28, C: 128, K: 128, groups: 32 }), gemmini);
    expect(m.tile).toEqual({ G: 1, N: 1, P: 22, Q: 23, K: 4, R: 3, S: 3, C: 4 });
    expect(m.order).toEqual(['G', 'N', 'P', 'Q', 'K', 'R', 'S', 'C']);
  });

  it('a depthwise conv: the tiles of tiled_conv_dw_auto, one LOOP_CONV_WS per channel and tile', () => {
    // tiled_conv_dw_auto (gemmini.h) on 200×10×24 depthwise 3×3, stride 1, padding 1 (P = 200,
    // Q = 10), DIM 16, spad budget 16384/2 = 8192 rows, accumulator 1024/2 = 512 rows. Its args
    // [batches, porows, pocols, ochs, krows, kcols, kchs] start at [1, 200, 10, 1, 3, 3, 1]; the
    // rows it counts (tiled_conv_total_spad_rows with one channel): A = batches·irows·icols with
    // irows = porows·stride + krows − 1, B = krows·kcols, C = batches·porows·pocols.
    // Start: A = 202·12 = 2424, B = 9, C = 2000 > 512. Shrink the largest arg, passing over pocols
    // while it is at most DIM and porows > 1: pocols = 10 is never picked, porows drops one at a
    // time 200 → 51 (C = 510; at 52 it was 520). A = 53·12 = 636.
    // Grow pocols: 11 exceeds its full 10. Grow passes: porows 52 → C 520 > 512; batches,
    // ochs, krows, kcols and kchs are at their full sizes. Tiles (1, 51, 10, 1, 3, 3, 1).
    const w = conv({ H: 200, W: 10, C: 24, K: 24, groups: 24 });
    expect(convTiles(w, gemmini)).toEqual(t7([1, 51, 10, 1, 3, 3, 1]));
    // tiled_conv_dw loops b, porow, pocol, ch, krow, kcol: the channel inside the pixel tiles.
    const m = baseline(w, gemmini);
    expect(m).toEqual({
      dataflow: WS,
      spatial: { rows: 'C', cols: 'K' },
      tile: { G: 1, N: 1, P: 51, Q: 10, K: 1, R: 3, S: 3, C: 1 },
      order: ['N', 'P', 'Q', 'G', 'K', 'R', 'S', 'C'],
      resident: { input: [], weight: [], output: [] },
      doubleBuffer: { input: true, weight: true, output: true },
      hardwareLoops: true,
    });
    expect(loopLoweringProblem(w, m, gemmini)).toBeNull();
    // The same tiles run unrolled where LOOP_CONV_WS cannot: a padding value, a dilation.
    const { hardwareLoops, ...unrolled } = m;
    expect(hardwareLoops).toBe(true);
    expect(baseline({ ...w, padValue: -128 }, gemmini)).toEqual(unrolled);
    const dilated = { ...w, dilationH: 2, dilationW: 2 };
    expect(baseline(dilated, gemmini).hardwareLoops).toBeUndefined();
    // A grouped conv that is not depthwise still needs the unrolled path.
    const grouped = conv({ H: 28, W: 28, C: 128, K: 128, groups: 32 });
    expect(
      loopLoweringProblem(grouped, { ...baseline(grouped, gemmini), hardwareLoops: true }, gemmini),
    ).toBe('LOOP_CONV_WS runs plain and depthwise convs, not other grouped ones');
  });

  it('a conv on an array without weight-stationary is unsupported', () => {
    expect(() => baseline(conv3x3(1, 56, 64, 64), gemminiOs)).toThrow(UnsupportedError);
    expect(() => baseline(conv3x3(1, 56, 64, 64), gemminiOs)).toThrow(/weight-stationary/);
  });
});

// The budgets written out again from docs/gemmini.md §5, independently of baseline.ts.
function specRows(spec: Spec): { dim: number; sp: number; acc: number } {
  const { scratchpad, accumulator } = spec.memories;
  return {
    dim: spec.array.rows,
    sp: scratchpad.capacityBytes / scratchpad.rowBytes,
    acc: accumulator.capacityBytes / accumulator.rowBytes,
  };
}

function matmulFits(t: MatmulTiles, spec: Spec, dataflow: Dataflow): boolean {
  const { dim, sp, acc } = specRows(spec);
  const halve = dataflow === WS ? 2 : 1;
  const spad = (t.tI * t.tK + t.tK * t.tJ) * dim;
  return spad <= sp / halve && t.tI * t.tJ * dim <= acc / halve;
}

function fullFactors(w: ConvWorkload): ConvTiles {
  const out = (size: number, pads: number, k: number, s: number, d: number): number =>
    Math.floor((size + pads - d * (k - 1) - 1) / s) + 1;
  return {
    batches: w.N,
    porows: out(w.H, w.padTop + w.padBottom, w.R, w.strideH, w.dilationH),
    pocols: out(w.W, w.padLeft + w.padRight, w.S, w.strideW, w.dilationW),
    pochs: w.K / w.groups,
    krows: w.R,
    kcols: w.S,
    kchs: w.C / w.groups,
  };
}

/** gemmini.h (dev) `tiled_conv`'s downsample condition, for an ungrouped conv. */
function isDownsample(w: ConvWorkload, spec: Spec): boolean {
  const square1x1s2 = w.R === 1 && w.S === 1 && w.strideH === 2 && w.strideW === 2;
  const unpadded = [w.padTop, w.padBottom, w.padLeft, w.padRight].every((p) => p === 0);
  const even = w.H % 2 === 0 && w.W % 2 === 0;
  return spec.vendorLibrary !== 'dosa' && w.groups === 1 && square1x1s2 && unpadded && even;
}

function convFits(t: ConvTiles, w: ConvWorkload, spec: Spec): boolean {
  const { dim, sp, acc } = specRows(spec);
  const half = isDownsample(w, spec) ? 2 : 1;
  const irows = Math.floor((t.porows * w.strideH + w.dilationH * (t.krows - 1)) / half);
  const icols = Math.floor((t.pocols * w.strideW + w.dilationW * (t.kcols - 1)) / half);
  const a = Math.ceil(t.kchs / dim) * t.batches * irows * icols;
  const b = Math.ceil(t.pochs / dim) * t.krows * t.kcols * t.kchs;
  const c = Math.ceil(t.pochs / dim) * t.batches * t.porows * t.pocols;
  return a + b <= sp / 2 && c <= acc / 2;
}

/** The tiles are integers within 1..full, fit the budgets, and no single step more would fit. */
function expectTightConvTiles(w: ConvWorkload, spec: Spec): void {
  const full = fullFactors(w);
  const t = convTiles(w, spec);
  for (const k of Object.keys(full) as (keyof ConvTiles)[]) {
    expect(Number.isInteger(t[k])).toBe(true);
    expect(t[k]).toBeGreaterThanOrEqual(1);
    expect(t[k]).toBeLessThanOrEqual(full[k]);
    const more = { ...t, [k]: t[k] + 1 };
    expect(more[k] > full[k] || !convFits(more, w, spec)).toBe(true);
  }
  expect(convFits(t, w, spec)).toBe(true);
}

const specArb = fc.constantFrom(...presets);

const gemmArb = fc.record({
  M: fc.integer({ min: 1, max: 20000 }),
  N: fc.integer({ min: 1, max: 5000 }),
  K: fc.integer({ min: 1, max: 5000 }),
});

const convArb = fc
  .record({
    N: fc.integer({ min: 1, max: 4 }),
    extraH: fc.integer({ min: 0, max: 120 }),
    extraW: fc.integer({ min: 0, max: 120 }),
    groupKind: fc.constantFrom('dense', 'depthwise', 'grouped'),
    groups: fc.integer({ min: 2, max: 8 }),
    cPerGroup: fc.integer({ min: 1, max: 300 }),
    kPerGroup: fc.integer({ min: 1, max: 300 }),
    R: fc.integer({ min: 1, max: 7 }),
    S: fc.integer({ min: 1, max: 7 }),
    strideH: fc.integer({ min: 1, max: 3 }),
    strideW: fc.integer({ min: 1, max: 3 }),
    pads: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
    dilationH: fc.integer({ min: 1, max: 2 }),
    dilationW: fc.integer({ min: 1, max: 2 }),
  })
  .map((r): ConvWorkload => {
    const groups =
      r.groupKind === 'dense' ? 1 : r.groupKind === 'depthwise' ? r.cPerGroup : r.groups;
    const cPer = r.groupKind === 'depthwise' ? 1 : r.cPerGroup;
    const kPer = r.groupKind === 'depthwise' ? 1 : r.kPerGroup;
    return conv({
      N: r.N,
      // At least one output pixel whatever the padding: H ≥ dilation·(R−1) + 1.
      H: r.dilationH * (r.R - 1) + 1 + r.extraH,
      W: r.dilationW * (r.S - 1) + 1 + r.extraW,
      C: cPer * groups,
      K: kPer * groups,
      R: r.R,
      S: r.S,
      strideH: r.strideH,
      strideW: r.strideW,
      padTop: r.pads[0],
      padBottom: r.pads[1],
      padLeft: r.pads[2],
      padRight: r.pads[3],
      dilationH: r.dilationH,
      dilationW: r.dilationW,
      groups,
    });
  });

describe('baseline properties on the four presets', () => {
  it('GEMM tiles are within 1..n, fit the budgets, and no single block more would fit', () => {
    fc.assert(
      fc.property(gemmArb, specArb, fc.constantFrom(WS, OS), ({ M, N, K }, [, spec], df) => {
        const dim = spec.array.rows;
        const n = t3(Math.ceil(M / dim), Math.ceil(N / dim), Math.ceil(K / dim));
        const t = matmulTiles(M, N, K, spec, df);
        for (const k of ['tI', 'tJ', 'tK'] as const) {
          expect(Number.isInteger(t[k])).toBe(true);
          expect(t[k]).toBeGreaterThanOrEqual(1);
          expect(t[k]).toBeLessThanOrEqual(n[k]);
          // The growth loop stops only when every increment fails.
          const more = { ...t, [k]: t[k] + 1 };
          expect(more[k] > n[k] || !matmulFits(more, spec, df)).toBe(true);
        }
        expect(matmulFits(t, spec, df)).toBe(true);
      }),
    );
  });

  it('GEMM mappings tile every dim between 1 and its bound', () => {
    fc.assert(
      fc.property(gemmArb, specArb, ({ M, N, K }, [, spec]) => {
        const m = baseline(gemm(M, N, K), spec);
        const ws = spec.array.dataflows.includes(WS);
        expect(m.dataflow).toBe(ws ? WS : OS);
        const t = matmulTiles(M, N, K, spec, m.dataflow);
        const dim = spec.array.rows;
        expect(m.tile).toEqual({
          M: Math.min(M, t.tI * dim),
          N: Math.min(N, t.tJ * dim),
          K: Math.min(K, t.tK * dim),
        });
        for (const [d, bound] of [
          ['M', M],
          ['N', N],
          ['K', K],
        ] as const) {
          expect(m.tile[d]).toBeGreaterThanOrEqual(1);
          expect(m.tile[d]).toBeLessThanOrEqual(bound);
        }
      }),
    );
  });

  it('conv tiles are within 1..full, fit the budgets, and no single step more would fit', () => {
    fc.assert(
      fc.property(convArb, specArb, (w, [, spec]) => {
        expectTightConvTiles(w, spec);
      }),
    );
  });

  it('downsample convs (1×1, stride 2, even input) on both libraries: the same properties', () => {
    const downsampleArb = fc.record({
      N: fc.integer({ min: 1, max: 4 }),
      half: fc.integer({ min: 1, max: 60 }),
      C: fc.integer({ min: 1, max: 600 }),
      K: fc.integer({ min: 1, max: 600 }),
    });
    const specs = fc.constantFrom(...presets, ['dosa', dosa] as const);
    fc.assert(
      fc.property(downsampleArb, specs, ({ N, half, C, K }, [, spec]) => {
        expectTightConvTiles({ ...conv1x1(2 * half, C, K, 2), N }, spec);
      }),
      { numRuns: 200, seed: 14 },
    );
  });

  it('conv mappings tile every dim between 1 and its per-group bound', () => {
    fc.assert(
      fc.property(convArb, specArb, (w, [, spec]) => {
        if (!spec.array.dataflows.includes(WS)) {
          expect(() => baseline(w, spec)).toThrow(UnsupportedError);
          return;
        }
        const m = baseline(w, spec);
        const f = fullFactors(w);
        const bounds: readonly (readonly [Dim, number])[] = [
          ...(w.groups > 1 ? [['G', w.groups] as const] : []),
          ['N', f.batches],
          ['P', f.porows],
          ['Q', f.pocols],
          ['K', f.pochs],
          ['R', f.krows],
          ['S', f.kcols],
          ['C', f.kchs],
        ];
        expect(Object.keys(m.tile).sort()).toEqual(bounds.map(([d]) => d).sort());
        for (const [d, bound] of bounds) {
          expect(m.tile[d]).toBeGreaterThanOrEqual(1);
          expect(m.tile[d]).toBeLessThanOrEqual(bound);
        }
        // tiled_conv_dw runs one channel per tile inside the pixel tiles; other grouped convs
        // run one group per tile, groups outermost.
        const depthwise = w.groups > 1 && w.C === w.groups && w.K === w.groups;
        const outer = depthwise
          ? ['N', 'P', 'Q', 'G']
          : [...(w.groups > 1 ? ['G'] : []), 'N', 'P', 'Q'];
        expect(m.order).toEqual([...outer, 'K', 'R', 'S', 'C']);
      }),
    );
  });
});
