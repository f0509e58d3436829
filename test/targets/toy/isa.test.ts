import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulationError } from '../../../src/errors.js';
import { runStream } from '../../../src/runtime/simulate.js';
import { createDram } from '../../../src/sim/dram.js';
import { target } from '../../../src/targets/toy/index.js';
import type { Instr } from '../../../src/targets/toy/isa.js';
import { presetOf } from '../preset_of.js';

const toy = presetOf(target, 'toy');
const u16 = fc.integer({ min: 0, max: 0xffff });

const instrs: fc.Arbitrary<Instr> = fc.oneof(
  fc.record({
    kind: fc.constant('load' as const),
    dram: fc.integer({ min: 0, max: 0xffffffff }),
    stride: u16,
    addr: u16,
    rows: u16,
    cols: u16,
    toAcc: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('gemm' as const),
    a: u16,
    b: u16,
    c: u16,
    m: u16,
    k: fc.integer({ min: 0, max: 63 }),
    n: fc.integer({ min: 0, max: 63 }),
    accumulate: fc.boolean(),
    lda: u16,
    ldb: u16,
    ldc: u16,
  }),
  fc.record({
    kind: fc.constant('store' as const),
    dram: fc.integer({ min: 0, max: 0xffffffff }),
    stride: u16,
    addr: u16,
    rows: fc.integer({ min: 0, max: 0x7fff }),
    cols: u16,
    relu: fc.boolean(),
    scale: fc.integer({ min: 0, max: 0xffffffff }),
  }),
);

describe('the toy ISA', () => {
  it('decode(encode(i)) is i for every kind, through the target decoder', () => {
    fc.assert(
      fc.property(instrs, (i) => {
        const word = toy.isa[i.kind].encode(i as never);
        expect(toy.decode(word)).toEqual(i);
      }),
      { numRuns: 300, seed: 1 },
    );
  });

  it('a value too wide for its field is refused when encoding', () => {
    const i = { kind: 'gemm', a: 0, b: 0, c: 0, m: 1, k: 64, n: 1, accumulate: false } as const;
    expect(() => toy.isa.gemm.encode({ ...i, lda: 1, ldb: 1, ldc: 1 })).toThrow(
      /gemm\.k: 64 is not an integer in \[0, 2\^6\)/,
    );
  });

  it('a weight block wider than the array is a fault naming the instruction', () => {
    const gemm: Instr = {
      kind: 'gemm',
      a: 0,
      b: 0,
      c: 0,
      m: 1,
      k: 5,
      n: 4,
      accumulate: false,
      lda: 5,
      ldb: 4,
      ldc: 4,
    };
    const run = () => runStream(toy, toy.createMachine(createDram(), true), [gemm]);
    expect(run).toThrow(SimulationError);
    expect(run).toThrow(/gemm m=1 k=5 n=4 .*exceeds the array/);
  });
});
