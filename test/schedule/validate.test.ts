import { convWorkload } from '../fixtures/workloads.js';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { noResidency, type Mapping } from '../../src/mapping/mapping.js';
import { assertValidMapping, validateMapping } from '../../src/schedule/validate.js';
import type { Spec } from '../../src/spec/spec.js';
import { targetByName, targetFromSpec } from '../../src/targets/index.js';
import type { ConvWorkload, Dim, GemmWorkload } from '../../src/workload/workload.js';

const gemmini = targetByName('gemmini');
const gemminiOs = targetByName('gemmini-os');

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

const smallConv: ConvWorkload = convWorkload({ name: 'test conv', activation: 'none' });

const noDb = { input: false, weight: false, output: false };
const allDb = { input: true, weight: true, output: true };

/** A weight-stationary GEMM mapping on Gemmini (K on the rows, N on the columns). */
function ws(tile: Mapping['tile'], fields: Partial<Mapping> = {}): Mapping {
  return {
    dataflow: 'weight-stationary',
    spatial: { rows: 'K', cols: 'N' },
    tile,
    order: ['M', 'N', 'K'],
    resident: noResidency,
    doubleBuffer: noDb,
    ...fields,
  };
}

const check = (w: GemmWorkload | ConvWorkload, m: Mapping, spec: Spec = gemmini.spec) =>
  validateMapping(
    w,
    m,
    spec === gemmini.spec ? gemmini : targetFromSpec(spec, 'no-double-buffering.json'),
  );

describe('validateMapping: well-formedness', () => {
  const w = gemm(64, 64, 64);

  it('a legal mapping (the baselines, a hand-written one) has no problems', () => {
    expect(check(w, ws({ M: 32, N: 32, K: 32 }))).toEqual([]);
    expect(check(w, gemmini.baseline!(w))).toEqual([]);
    expect(check(smallConv, gemmini.baseline!(smallConv))).toEqual([]);
    // The output-stationary library tiling accumulates K = 64 products in the array: the baseline
    // may (it reproduces the library, reporting overflowRisk), no scheduler may.
    const os = gemminiOs.baseline!(w);
    expect(validateMapping(w, os, gemminiOs)).toEqual([
      {
        path: 'tile',
        message:
          'the array adds 64 products into one 20-bit partial sum, which holds at most 31 of the ' +
          'largest (output-stationary): extreme operands would overflow it',
      },
    ]);
  });

  it('an order that misses a dim or repeats one', () => {
    expect(check(w, ws({}, { order: ['M', 'N'] }))).toEqual([
      { path: 'order', message: 'must list each of M, N, K once (got M, N)' },
    ]);
    expect(check(w, ws({}, { order: ['M', 'M', 'K'] }))).toEqual([
      { path: 'order', message: 'must list each of M, N, K once (got M, M, K)' },
    ]);
  });

  it('a tile out of range, not an integer, or of a dim the workload lacks', () => {
    expect(check(w, ws({ M: 0, N: 65, K: 2.5, P: 4 }))).toEqual([
      { path: 'tile.M', message: 'must be an integer from 1 to 64 (got 0)' },
      { path: 'tile.N', message: 'must be an integer from 1 to 64 (got 65)' },
      { path: 'tile.K', message: 'must be an integer from 1 to 64 (got 2.5)' },
      { path: 'tile.P', message: 'is not a loop of this workload (M, N, K)' },
    ]);
    const convMapping = gemmini.baseline!(smallConv);
    expect(check(smallConv, { ...convMapping, tile: { ...convMapping.tile, M: 1 } })).toEqual([
      { path: 'tile.M', message: 'is not a loop of this workload (N, K, C, P, Q, R, S)' },
    ]);
  });

  it('a dataflow the target lacks', () => {
    expect(validateMapping(w, ws({}), gemminiOs)).toEqual([
      {
        path: 'dataflow',
        message: "weight-stationary is not one of this target's (output-stationary)",
      },
    ]);
  });

  it('a spatial dim that is not in the loop nest', () => {
    expect(check(w, ws({}, { spatial: { rows: 'C', cols: 'P' } }))).toEqual([
      { path: 'spatial.rows', message: 'C is not a loop of this workload' },
      { path: 'spatial.cols', message: 'P is not a loop of this workload' },
    ]);
  });

  it('a resident dim that does not index the tensor', () => {
    const resident = { input: ['N' as Dim], weight: ['M' as Dim], output: ['K' as Dim] };
    expect(check(w, ws({}, { resident }))).toEqual([
      { path: 'resident.input', message: 'N does not index the input' },
      { path: 'resident.weight', message: 'M does not index the weight' },
      { path: 'resident.output', message: 'K does not index the output' },
    ]);
  });

  it('double buffering in a memory that does not allow it', () => {
    const spec = structuredClone(gemmini.spec) as Spec;
    (spec.memories.scratchpad as { doubleBuffer: boolean }).doubleBuffer = false;
    expect(check(w, ws({}, { doubleBuffer: allDb }), spec)).toEqual([
      {
        path: 'doubleBuffer.input',
        message: 'memories.scratchpad does not allow double buffering',
      },
      {
        path: 'doubleBuffer.weight',
        message: 'memories.scratchpad does not allow double buffering',
      },
    ]);
    expect(check(w, ws({}, { doubleBuffer: { ...noDb, output: true } }), spec)).toEqual([]);
  });

  it('reports only well-formedness problems while there are any (capacity is not checked)', () => {
    // The whole 512×64×1024 GEMM overflows both memories, but the order problem comes alone.
    expect(check(gemm(512, 64, 1024), ws({}, { order: ['M', 'K'] }))).toEqual([
      { path: 'order', message: 'must list each of M, N, K once (got M, K)' },
    ]);
  });
});

describe('validateMapping: reduction order', () => {
  const w = gemm(64, 64, 64);
  const tiles = { M: 32, N: 32, K: 32 };
  const outside = (r: string, e: string) => ({
    path: 'order',
    message:
      `the reduction loop ${r} is outside the output loop ${e}: partial sums would leave the ` +
      `output memory (put ${e} outside ${r}, or keep the output resident over ${e})`,
  });

  it('a reduction loop outside output loops, once per output loop', () => {
    expect(check(w, ws(tiles, { order: ['K', 'M', 'N'] }))).toEqual([
      outside('K', 'M'),
      outside('K', 'N'),
    ]);
    expect(check(w, ws(tiles, { order: ['M', 'K', 'N'] }))).toEqual([outside('K', 'N')]);
  });

  it('is fine when the reduction or the output loop has one trip, or the output is resident', () => {
    expect(check(w, ws({ M: 32, N: 32, K: 64 }, { order: ['K', 'M', 'N'] }))).toEqual([]);
    expect(check(w, ws({ M: 32, N: 64, K: 32 }, { order: ['M', 'K', 'N'] }))).toEqual([]);
    const resident = { input: [], weight: [], output: ['N' as Dim] };
    expect(check(w, ws(tiles, { order: ['M', 'K', 'N'], resident }))).toEqual([]);
  });
});

describe('validateMapping: capacity', () => {
  // Gemmini: scratchpad 262144 B / 16 B = 16384 rows; accumulator 65536 B / 64 B = 1024 rows.
  // A tile of R × C elements takes ⌈R/16⌉·⌈C/16⌉ blocks of min(16, R) rows.

  it('both memories overflowing, with the arithmetic', () => {
    // GEMM 512×64×1024, whole: A 512×1024 = 32·64 blocks · 16 = 32768 rows; B 1024×64 = 64·4·16 =
    // 4096; C 512×64 = 32·4·16 = 2048 (int32 rows).
    expect(check(gemm(512, 64, 1024), ws({}))).toEqual([
      {
        path: 'memories.scratchpad',
        message: 'input 32768 + weight 4096 = 36864 rows exceed its 16384 rows by 20480',
      },
      {
        path: 'memories.accumulator',
        message: 'output 2048 = 2048 rows exceed its 1024 rows by 1024',
      },
    ]);
  });

  it("double buffering doubles a tensor's rows", () => {
    // GEMM 144×64×64, whole: C 144×64 = 9·4·16 = 576 rows, 1152 double-buffered > 1024.
    // A (576 rows) and B (256) double-buffered take 1664 of 16384: fine.
    const w = gemm(144, 64, 64);
    expect(check(w, ws({}))).toEqual([]);
    expect(check(w, ws({}, { doubleBuffer: { ...allDb, output: false } }))).toEqual([]);
    expect(check(w, ws({}, { doubleBuffer: allDb }))).toEqual([
      {
        path: 'memories.accumulator',
        message: 'output 1152 (double-buffered) = 1152 rows exceed its 1024 rows by 128',
      },
    ]);
  });

  it('a partial block holds only the rows it has', () => {
    // M 15 rows: A 15×1024 = 1·64 blocks of 15 rows = 960; B 1024×16 = 64·1·16 = 1024.
    // Double-buffered: 1920 + 2048 = 3968 rows, fits; a 16384-row copy each does not.
    const w = gemm(15, 16, 1024);
    expect(check(w, ws({}, { doubleBuffer: allDb }))).toEqual([]);
    const big = gemm(15, 256, 1024);
    // B 1024×256 = 64·16·16 = 16384 rows, ×2 = 32768; with A's 1920: 34688, over by 18304.
    expect(check(big, ws({}, { doubleBuffer: { ...allDb, output: false } }))).toEqual([
      {
        path: 'memories.scratchpad',
        message:
          'input 1920 (double-buffered) + weight 32768 (double-buffered) = 34688 rows exceed ' +
          'its 16384 rows by 18304',
      },
    ]);
  });
});

describe("validateMapping: the target's own limits", () => {
  it('Gemmini: the array axes of the dataflow, conv panels, panel alignment', () => {
    const w = gemm(64, 64, 64);
    expect(check(w, ws({}, { spatial: { rows: 'M', cols: 'N' } }))).toEqual([
      {
        path: 'spatial',
        message: 'weight-stationary on this array puts K on its rows and N on its columns',
      },
    ]);
    const resident = { input: ['K' as Dim], weight: [], output: [] };
    expect(check(w, ws({ M: 32, N: 32, K: 24 }, { resident }))).toEqual([
      {
        path: 'resident.input',
        message: 'a panel over K needs tile.K to be a multiple of 16 (got 24)',
      },
    ]);
    const convMapping = gemmini.baseline!(smallConv);
    expect(
      check(smallConv, { ...convMapping, resident: { input: [], weight: ['K'], output: [] } }),
    ).toEqual([{ path: 'resident.weight', message: 'conv panels are not supported yet' }]);
  });
});

describe('assertValidMapping', () => {
  const w = gemm(64, 64, 64);

  it('returns quietly for a legal mapping', () => {
    expect(() => assertValidMapping(w, ws({}), gemmini)).not.toThrow();
  });

  it('throws one InputError listing every problem with its path', () => {
    const bad = ws({ P: 4 }, { order: ['M', 'M', 'K'], spatial: { rows: 'K', cols: 'Q' } });
    let error: unknown;
    try {
      assertValidMapping(w, bad, gemmini);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    expect((error as InputError).message).toBe(
      'mapping for gemm 64x64x64 on gemmini is not legal:\n' +
        '  order: must list each of M, N, K once (got M, M, K)\n' +
        '  tile.P: is not a loop of this workload (M, N, K)\n' +
        '  spatial.cols: Q is not a loop of this workload',
    );
  });
});
