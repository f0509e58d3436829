import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { layoutGather } from '../../src/emit/c_model_layers.js';
import { targetBaseline } from '../../src/schedule/target_baseline.js';
import { targetByName } from '../../src/targets/index.js';
import { parseConv, parseGemm } from '../../src/workload/parse.js';

/** dst[i] = src[table[i] − 1], or 0 where the table holds 0: what the emitted C loop does. */
function gathered(table: Int32Array, src: Int8Array): Int8Array {
  return Int8Array.from(table, (t) => (t === 0 ? 0 : src[t - 1]));
}

describe('layoutGather: a packing target’s layouts as gather tables', () => {
  const vta = targetByName('vta');
  const workloads = [
    parseGemm('1,120,256'),
    parseGemm('5,17,40'),
    parseConv('N=1,H=12,W=12,C=6,K=16,R=5,S=5,stride=1,pad=0'),
    parseConv('N=1,H=9,W=9,C=20,K=24,R=3,S=3,stride=2,pad=1'),
  ];
  it.each(workloads.map((w) => [w.name, w] as const))(
    '%s: gathering equals the target’s packInput and unpackOutput on random data',
    (_name, w) => {
      const m = targetBaseline(w, vta).mapping;
      const n = vta.packInput(w, m, new Int8Array(inputSize(w))).length;
      const packIn = layoutGather(inputSize(w), (x) => vta.packInput(w, m, x));
      expect(packIn.length).toBe(n);
      const out = vta.lower(w, m, { scale: 1 }).buffers.find((b) => b.role === 'output');
      const unpack = layoutGather(out?.bytes ?? 0, (x) => vta.unpackOutput(w, m, x));
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          const x = Int8Array.from(
            { length: inputSize(w) },
            (_, i) => ((i * 31 + seed) % 251) - 125,
          );
          expect(gathered(packIn, x)).toEqual(vta.packInput(w, m, x));
          const y = Int8Array.from(
            { length: out?.bytes ?? 0 },
            (_, i) => ((i * 17 + seed) % 253) - 126,
          );
          expect(gathered(unpack, y)).toEqual(vta.unpackOutput(w, m, y));
        }),
        { numRuns: 5 },
      );
    },
  );

  it('an identity layout is the identity table; zero fill is 0', () => {
    expect(Array.from(layoutGather(4, (x) => x))).toEqual([1, 2, 3, 4]);
    expect(Array.from(layoutGather(2, (x) => Int8Array.from([0, x[1], x[0], 0])))).toEqual([
      0, 2, 1, 0,
    ]);
    expect(Array.from(layoutGather(300, (x) => x)).slice(254, 258)).toEqual([255, 256, 257, 258]);
  });
});

function inputSize(w: ReturnType<typeof parseGemm> | ReturnType<typeof parseConv>): number {
  return w.kind === 'gemm' ? w.M * w.K : w.N * w.H * w.W * w.C;
}
