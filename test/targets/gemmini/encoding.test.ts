import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Encoded } from '../../../src/contract/isa.js';
import { funct3Counter, riscvWord } from '../../../src/targets/gemmini/encoding.js';
import {
  cEncoding,
  decodeInstr,
  encodeInstr,
  formatInstr,
  isa,
} from '../../../src/targets/gemmini/isa.js';
import type { Instr, InstrKind, InstrOf } from '../../../src/targets/gemmini/instr.js';

/** An integer field of `width` bits; fields wider than 53 bits hold [0, 2^53). */
const uint = (width: number): fc.Arbitrary<number> =>
  fc.bigInt({ min: 0n, max: (1n << BigInt(Math.min(width, 53))) - 1n }).map(Number);
/** fc.record with an ordinary prototype, so toStrictEqual can compare it with a decoded object. */
const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true });
const bool = fc.boolean();
const operand = rec({ addr: uint(32), cols: uint(16), rows: uint(16) });
const reg64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

/** One arbitrary per kind, each field within the bit width docs/gemmini.md §3 gives it. */
const arbitraries: { readonly [K in InstrKind]: fc.Arbitrary<InstrOf<K>> } = {
  configEx: rec({
    kind: fc.constant('configEx' as const),
    dataflow: fc.constantFrom(0 as const, 1 as const),
    activation: uint(2),
    setOnlyStrides: bool,
    aTranspose: bool,
    bTranspose: bool,
    aStride: uint(16),
    accScaleBits: uint(32),
    sysShift: uint(32),
    cStride: uint(16),
  }),
  configLd: rec({
    kind: fc.constant('configLd' as const),
    shrink: bool,
    slot: uint(2),
    pixelRepeats: uint(8),
    blockStride: uint(16),
    scaleBits: uint(32),
    dramStride: uint(64),
  }),
  configSt: rec({
    kind: fc.constant('configSt' as const),
    activation: uint(2),
    poolStride: uint(2),
    poolSize: uint(2),
    upad: uint(2),
    lpad: uint(2),
    poolOutDim: uint(8),
    porows: uint(8),
    pocols: uint(8),
    orows: uint(8),
    ocols: uint(8),
    dramStride: uint(32),
    scaleBits: uint(32),
  }),
  configNorm: rec({
    kind: fc.constant('configNorm' as const),
    statId: uint(8),
    actMsb: bool,
    setStatIdOnly: bool,
    constType: bool,
    constant: uint(32),
    qb: uint(32),
    qc: uint(32),
  }),
  mvin: rec({
    kind: fc.constant('mvin' as const),
    slot: fc.constantFrom(0 as const, 1 as const, 2 as const),
    dram: uint(64),
    dst: operand,
  }),
  mvout: rec({ kind: fc.constant('mvout' as const), dram: uint(64), src: operand }),
  preload: rec({ kind: fc.constant('preload' as const), bd: operand, c: operand }),
  compute: rec({
    kind: fc.constant('compute' as const),
    accumulated: bool,
    a: operand,
    bd: operand,
  }),
  flush: rec({ kind: fc.constant('flush' as const), skip: bool }),
  loopWsConfigBounds: rec({
    kind: fc.constant('loopWsConfigBounds' as const),
    padI: uint(16),
    padJ: uint(16),
    padK: uint(16),
    i: uint(16),
    j: uint(16),
    k: uint(16),
  }),
  loopWsConfigAddrsAB: rec({
    kind: fc.constant('loopWsConfigAddrsAB' as const),
    a: uint(64),
    b: uint(64),
  }),
  loopWsConfigAddrsDC: rec({
    kind: fc.constant('loopWsConfigAddrsDC' as const),
    d: uint(64),
    c: uint(64),
  }),
  loopWsConfigStridesAB: rec({
    kind: fc.constant('loopWsConfigStridesAB' as const),
    a: uint(64),
    b: uint(64),
  }),
  loopWsConfigStridesDC: rec({
    kind: fc.constant('loopWsConfigStridesDC' as const),
    d: uint(64),
    c: uint(64),
  }),
  loopWs: rec({
    kind: fc.constant('loopWs' as const),
    exAccumulate: bool,
    fullC: bool,
    lowD: bool,
    activation: uint(3),
    bSpadId: uint(2),
    aSpadId: uint(2),
    aTranspose: bool,
    bTranspose: bool,
    isResadd: bool,
    skip: uint(5),
    incAccAddr: bool,
    spadOnly: bool,
    cSpadAddr: uint(32),
  }),
  loopConvWsConfig1: rec({
    kind: fc.constant('loopConvWsConfig1' as const),
    batchSize: uint(16),
    inRowDim: uint(16),
    inChannels: uint(16),
    outChannels: uint(16),
    outRowDim: uint(16),
    poolOutRowDim: uint(16),
    outColDim: uint(16),
    stride: uint(8),
    padding: uint(8),
  }),
  loopConvWsConfig2: rec({
    kind: fc.constant('loopConvWsConfig2' as const),
    poolPadding: uint(8),
    poolStride: uint(8),
    poolSize: uint(16),
    poolOutColDim: uint(16),
    kernelDim: uint(16),
    pochs: uint(16),
    pocols: uint(16),
    porows: uint(16),
    batches: uint(16),
  }),
  loopConvWsConfig3: rec({
    kind: fc.constant('loopConvWsConfig3' as const),
    lpad: uint(16),
    kchs: uint(16),
    kcols: uint(16),
    krows: uint(16),
    inColDim: uint(16),
    plpad: uint(8),
    dpad: uint(8),
    upad: uint(16),
    rpad: uint(16),
  }),
  loopConvWsConfig4: rec({
    kind: fc.constant('loopConvWsConfig4' as const),
    kernelDilation: uint(10),
    pdpad: uint(11),
    pupad: uint(11),
    prpad: uint(16),
    orows: uint(16),
    ocols: uint(16),
    outStride: uint(16),
    weightStride: uint(16),
    inStride: uint(16),
  }),
  loopConvWsConfig5: rec({
    kind: fc.constant('loopConvWsConfig5' as const),
    weights: uint(64),
    output: uint(64),
  }),
  loopConvWsConfig6: rec({
    kind: fc.constant('loopConvWsConfig6' as const),
    bias: uint(64),
    input: uint(64),
  }),
  loopConvWs: rec({
    kind: fc.constant('loopConvWs' as const),
    noBias: bool,
    wrot180: bool,
    transOutput1203: bool,
    transWeight1203: bool,
    transWeight0132: bool,
    transInput3120: bool,
    dw: bool,
    maxPixelsPerRow: uint(8),
    bSpadId: uint(2),
    aSpadId: uint(2),
    noPool: bool,
    downsample: bool,
    inputDilated: bool,
    activation: uint(2),
  }),
  counter: rec({
    kind: fc.constant('counter' as const),
    reset: bool,
    snapshotReset: bool,
    takeSnapshot: bool,
    configure: bool,
    index: uint(3),
    event: uint(6),
    external: bool,
  }),
  rtlOnly: rec({
    kind: fc.constant('rtlOnly' as const),
    funct: fc.constantFrom(22 as const, 23 as const, 24 as const, 25 as const),
    rs1: reg64,
    rs2: reg64,
  }),
};

const kinds = Object.keys(isa) as InstrKind[];
const ownedFuncts = [...new Set(kinds.flatMap((kind) => isa[kind].functs))];

describe('round trip', () => {
  it('has an arbitrary for every kind', () => {
    expect(Object.keys(arbitraries).sort()).toEqual([...kinds].sort());
  });

  it.each(kinds)('%s: decode(encode(x)) = x and encode(decode(encode(x))) = encode(x)', (kind) => {
    const arb: fc.Arbitrary<Instr> = arbitraries[kind];
    fc.assert(
      fc.property(arb, (instr) => {
        const word = encodeInstr(instr);
        expect(isa[kind].functs).toContain(word.funct);
        expect(decodeInstr(word)).toStrictEqual(instr);
        expect(encodeInstr(decodeInstr(word))).toStrictEqual(word);
        expect(formatInstr(instr)).toMatch(/^[a-z_0-9]+( |$)[^\n]*$/);
      }),
      { numRuns: 300 },
    );
  });

  it('decode ignores reserved bits and never invents bits', () => {
    const small = fc.bigInt({ min: 0n, max: 2n ** 53n - 1n });
    const word = rec({
      funct: fc.constantFrom(...ownedFuncts),
      rs1: fc.oneof(reg64, small),
      rs2: fc.oneof(reg64, small),
    });
    fc.assert(
      fc.property(word, (w) => {
        let instr: Instr;
        try {
          instr = decodeInstr(w);
        } catch (error) {
          expect(String(error)).toMatch(/exceeds 2\^53 - 1/);
          return;
        }
        const again = encodeInstr(instr);
        expect(again.funct).toBe(w.funct);
        expect(again.rs1 & ~w.rs1).toBe(0n);
        expect(again.rs2 & ~w.rs2).toBe(0n);
        expect(decodeInstr(again)).toStrictEqual(instr);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('word layouts (what the C emitter packs) give the words encode gives', () => {
  it.each(kinds)('%s', (kind) => {
    const { word } = cEncoding[kind];
    const arb: fc.Arbitrary<Instr> = arbitraries[kind];
    fc.assert(
      fc.property(arb, (instr) => {
        const get = (path: readonly string[]): unknown =>
          path.reduce<unknown>((at, key) => Reflect.get(Object(at), key), instr);
        const regs = { rs1: 0n, rs2: 0n };
        for (const b of word.fixed) regs[b.reg] |= BigInt(b.value) << BigInt(b.lo);
        for (const f of word.fields) {
          const value = get(f.path);
          if (
            typeof value !== 'number' &&
            typeof value !== 'boolean' &&
            typeof value !== 'bigint'
          ) {
            throw new Error(`${kind}.${f.path.join('.')}: ${String(value)}`);
          }
          regs[f.reg] |= BigInt(value) << BigInt(f.lo);
        }
        const selector = word.funct;
        const funct =
          selector.kind === 'fixed'
            ? selector.funct
            : selector.cases.find((c) => c.value === get([selector.field]))?.funct;
        expect({ funct, ...regs }).toStrictEqual(encodeInstr(instr));
      }),
      { numRuns: 200 },
    );
  });
});

describe('golden encodings (docs/gemmini.md §3)', () => {
  const golden: readonly (readonly [string, Instr, Encoded])[] = [
    [
      // rs2 = rows 16<<48 | cols 16<<32 | sp row 12 = 0x0010_0000_0000_0000 | 0x10_0000_0000 | 0xC
      'MVIN dram 0x1000 -> sp[12], 16x16 (funct 2)',
      { kind: 'mvin', slot: 0, dram: 0x1000, dst: { addr: 12, cols: 16, rows: 16 } },
      { funct: 2, rs1: 0x1000n, rs2: 0x0010_0010_0000_000cn },
    ],
    [
      'MVIN2, same operands (funct 1)',
      { kind: 'mvin', slot: 1, dram: 0x1000, dst: { addr: 12, cols: 16, rows: 16 } },
      { funct: 1, rs1: 0x1000n, rs2: 0x0010_0010_0000_000cn },
    ],
    [
      // rs1 = scale 0x3F800000<<32 | aStride 1<<16 (0x10000) | act 1<<3 (0x8) | WS 1<<2 (0x4)
      //     | EX 0
      // rs2 = cStride 1<<48 | sysShift 0
      'CONFIG_EX WS, relu, aStride 1, scale 1.0, cStride 1',
      {
        kind: 'configEx',
        dataflow: 1,
        activation: 1,
        setOnlyStrides: false,
        aTranspose: false,
        bTranspose: false,
        aStride: 1,
        accScaleBits: 0x3f80_0000,
        sysShift: 0,
        cStride: 1,
      },
      { funct: 0, rs1: 0x3f80_0000_0001_000cn, rs2: 0x0001_0000_0000_0000n },
    ],
    [
      // rs1 = scale 1.0 0x3F800000<<32 | blockStride 16<<16 (0x100000) | slot 2<<3 (0x10)
      //       | shrink 1<<2 (0x4) | LD 1 = 0x3F800000_00100015; rs2 = 64-bit stride 2^40
      'CONFIG_LD slot 2, shrink, block stride 16, DRAM stride 2^40',
      {
        kind: 'configLd',
        shrink: true,
        slot: 2,
        pixelRepeats: 0,
        blockStride: 16,
        scaleBits: 0x3f80_0000,
        dramStride: 2 ** 40,
      },
      { funct: 0, rs1: 0x3f80_0000_0010_0015n, rs2: 0x100_0000_0000n },
    ],
    [
      // rs1 = act 1<<2 (0x4) | ST 2 = 0x6; rs2 = scale 0.5 0x3F000000<<32 | stride 16 (0x10)
      'CONFIG_ST relu, stride 16 B, scale 0.5',
      configSt({ activation: 1, dramStride: 16, scaleBits: 0x3f00_0000 }),
      { funct: 0, rs1: 0x6n, rs2: 0x3f00_0000_0000_0010n },
    ],
    [
      // rs1 = ocols 14<<56 (0x0E00..) | orows 14<<48 (0x000E..) | pocols 7<<40 | porows 7<<32
      //     | poolOutDim 56<<24 (0x38000000) | lpad 1<<10 (0x400) | upad 1<<8 (0x100)
      //     | window 3<<6 (0xC0) | pool stride 2<<4 (0x20) | act 1<<2 (0x4) | ST 2
      //     = 0x0E0E_0707_3800_05E6
      'CONFIG_ST with max-pooling',
      configSt({
        activation: 1,
        poolStride: 2,
        poolSize: 3,
        upad: 1,
        lpad: 1,
        poolOutDim: 56,
        porows: 7,
        pocols: 7,
        orows: 14,
        ocols: 14,
        dramStride: 64,
        scaleBits: 0xffff_ffff,
      }),
      { funct: 0, rs1: 0x0e0e_0707_3800_05e6n, rs2: 0xffff_ffff_0000_0040n },
    ],
    [
      // rs1 = 16<<48 | 16<<32 | garbage 0xFFFFFFFF
      // rs2 = 16<<48 | 16<<32 | acc bit 31 | accumulate bit 30 | row 0 = ..._C000_0000
      'PRELOAD garbage B, C = acc[0] accumulating',
      {
        kind: 'preload',
        bd: { addr: 0xffff_ffff, cols: 16, rows: 16 },
        c: { addr: 0xc000_0000, cols: 16, rows: 16 },
      },
      { funct: 6, rs1: 0x0010_0010_ffff_ffffn, rs2: 0x0010_0010_c000_0000n },
    ],
    [
      // rs1 = outChannels 64<<48 | inChannels 64<<32 | inRowDim 56<<16 (0x38) | batch 1
      // rs2 = padding 1<<56 | stride 1<<48 | outColDim 56<<32 | poolOutRowDim 28<<16 (0x1C)
      //     | outRowDim 56 (0x38)
      'LOOP_CONV_WS_CONFIG_1',
      {
        kind: 'loopConvWsConfig1',
        batchSize: 1,
        inRowDim: 56,
        inChannels: 64,
        outChannels: 64,
        outRowDim: 56,
        poolOutRowDim: 28,
        outColDim: 56,
        stride: 1,
        padding: 1,
      },
      { funct: 16, rs1: 0x0040_0040_0038_0001n, rs2: 0x0101_0038_001c_0038n },
    ],
    [
      // rs1 = event 5<<12 (0x5000) | index 2<<4 (0x20) | configure 1<<3 (0x8) = 0x5028
      'COUNTER configure counter 2 for event 5',
      {
        kind: 'counter',
        reset: false,
        snapshotReset: false,
        takeSnapshot: false,
        configure: true,
        index: 2,
        event: 5,
        external: false,
      },
      { funct: 126, rs1: 0x5028n, rs2: 0n },
    ],
    [
      // rs1 = A spad id 1<<18 | B spad id 2<<16 | act 1<<8 | ex_accumulate 1 = 0x6_0101
      // rs2 = C spad address 0x200<<32 | spad_only 1<<9 | skip 0b00100<<3 (ex) | is_resadd 1<<2
      'LOOP_WS with the RTL-only rs2 fields',
      {
        kind: 'loopWs',
        exAccumulate: true,
        fullC: false,
        lowD: false,
        activation: 1,
        bSpadId: 2,
        aSpadId: 1,
        aTranspose: false,
        bTranspose: false,
        isResadd: true,
        skip: 0b00100,
        incAccAddr: false,
        spadOnly: true,
        cSpadAddr: 0x200,
      },
      { funct: 8, rs1: 0x6_0101n, rs2: 0x200_0000_0224n },
    ],
  ];

  it.each(golden)('%s', (_name, instr, word) => {
    expect(encodeInstr(instr)).toStrictEqual(word);
    expect(decodeInstr(word)).toStrictEqual(instr);
  });

  it('riscvWord: MVIN a0, a1 = 0x04B5307B', () => {
    // 2<<25 = 0x0400_0000 | rs2 x11<<20 = 0x00B0_0000 | rs1 x10<<15 = 0x0005_0000
    // | funct3 0b011<<12 = 0x3000 | rd 0 | 0x7B
    expect(riscvWord(2, 10, 11)).toBe(0x04b5_307b);
  });

  it('riscvWord: COUNTER a0 -> a0 uses funct3 0b111 and stays unsigned', () => {
    // 126<<25 = 0xFC00_0000 | rs1 x10<<15 = 0x5_0000 | 0b111<<12 = 0x7000 | rd x10<<7 = 0x500
    // | 0x7B
    expect(riscvWord(126, 10, 0, 10, funct3Counter)).toBe(0xfc05_757b);
  });

  it('riscvWord refuses out-of-range registers and functs', () => {
    expect(() => riscvWord(128, 0, 0)).toThrow(/funct = 128/);
    expect(() => riscvWord(2, 32, 0)).toThrow(/rs1 = 32/);
    expect(() => riscvWord(2, 0, 0, 0, 8)).toThrow(/funct3 = 8/);
  });
});

describe('shared functs decode to the right kind', () => {
  it.each([
    [0n, 'configEx'],
    [1n, 'configLd'],
    [2n, 'configSt'],
    [3n, 'configNorm'],
  ] as const)('CONFIG with rs1[1:0] = %s is %s', (low, kind) => {
    expect(decodeInstr({ funct: 0, rs1: 0xf0n | low, rs2: 0n }).kind).toBe(kind);
    for (const other of ['configEx', 'configLd', 'configSt', 'configNorm'] as const) {
      const decoded = isa[other].decode({ funct: 0, rs1: low, rs2: 0n });
      expect(decoded === undefined).toBe(other !== kind);
    }
  });

  it.each([
    [2, 0],
    [1, 1],
    [14, 2],
  ] as const)('funct %s is mvin slot %s', (funct, slot) => {
    expect(decodeInstr({ funct, rs1: 0n, rs2: 0n })).toMatchObject({ kind: 'mvin', slot });
  });

  it.each([
    [4, false],
    [5, true],
  ] as const)('funct %s is compute with accumulated = %s', (funct, accumulated) => {
    const instr = decodeInstr({ funct, rs1: 0n, rs2: 0n });
    expect(instr).toMatchObject({ kind: 'compute', accumulated });
  });

  it.each([22, 23, 24, 25] as const)('funct %s is rtlOnly carrying raw registers', (funct) => {
    const word = { funct, rs1: (1n << 64n) - 1n, rs2: 5n };
    expect(decodeInstr(word)).toStrictEqual({ kind: 'rtlOnly', ...word });
  });

  it('a kind returns undefined for a funct it does not own', () => {
    expect(isa.mvin.decode({ funct: 3, rs1: 0n, rs2: 0n })).toBeUndefined();
    expect(isa.compute.decode({ funct: 6, rs1: 0n, rs2: 0n })).toBeUndefined();
  });
});

describe('refusals', () => {
  const mvin: InstrOf<'mvin'> = {
    kind: 'mvin',
    slot: 0,
    dram: 0,
    dst: { addr: 0, cols: 16, rows: 16 },
  };
  /** An instruction with one field replaced by a value its type may not allow. */
  const withField = (instr: Instr, key: string, value: unknown): Instr =>
    ({ ...instr, [key]: value }) as Instr;

  it.each([
    [withField(mvin, 'dst', { addr: 0, cols: 16, rows: 65536 }), /mvin\.dst\.rows: 65536 .*16-bit/],
    [withField(mvin, 'dst', { addr: 2 ** 32, cols: 1, rows: 1 }), /mvin\.dst\.addr: 4294967296 /],
    [withField(mvin, 'dram', 2 ** 53), /mvin\.dram: 9007199254740992 .*2\^53.*64-bit/],
    [withField(mvin, 'dram', -1), /mvin\.dram: -1 /],
    [withField(mvin, 'dram', 0.5), /mvin\.dram: 0\.5 /],
    [withField(mvin, 'slot', 3), /mvin\.slot: 3 is not one of 0, 1, 2/],
    [withField(configSt({}), 'scaleBits', 2 ** 32), /configSt\.scaleBits: 4294967296 .*32-bit/],
    [withField(configSt({}), 'activation', 4), /configSt\.activation: 4 .*2-bit/],
    [withField(configSt({}), 'ocols', 256), /configSt\.ocols: 256 .*8-bit/],
    [withField({ kind: 'flush', skip: false }, 'skip', 1), /flush\.skip: 1 is not a boolean/],
    [{ kind: 'rtlOnly', funct: 22, rs1: 1n << 64n, rs2: 0n }, /rtlOnly\.rs1: .*2\^64/],
    [{ kind: 'rtlOnly', funct: 23, rs1: 0n, rs2: -1n }, /rtlOnly\.rs2: -1 /],
  ] satisfies [Instr, RegExp][])('encode refuses case %#', (instr, message) => {
    expect(() => encodeInstr(instr)).toThrow(message);
  });

  it.each([30, 99, 127])('decode of unknown funct %s throws naming it', (funct) => {
    expect(() => decodeInstr({ funct, rs1: 0n, rs2: 0n })).toThrow(new RegExp(`funct ${funct}\\b`));
  });

  it('decode refuses a 64-bit number field above 2^53 - 1 and accepts 2^53 - 1', () => {
    const top = 2n ** 53n - 1n;
    expect(decodeInstr({ funct: 2, rs1: top, rs2: 0n })).toMatchObject({ dram: 2 ** 53 - 1 });
    expect(() => decodeInstr({ funct: 2, rs1: top + 1n, rs2: 0n })).toThrow(
      /mvin \(funct 2\)\.dram: 0x20000000000000 exceeds 2\^53 - 1/,
    );
    const configLd = { funct: 0, rs1: 1n, rs2: 1n << 60n };
    expect(() => decodeInstr(configLd)).toThrow(/configLd.*dramStride/);
  });

  it('decode refuses registers outside [0, 2^64)', () => {
    expect(() => decodeInstr({ funct: 6, rs1: 1n << 64n, rs2: 0n })).toThrow(/funct 6.*rs1/);
    expect(() => decodeInstr({ funct: 6, rs1: 0n, rs2: -1n })).toThrow(/funct 6.*rs2/);
  });
});

describe('format', () => {
  it.each([
    [
      { kind: 'mvin', slot: 1, dram: 0x1000, dst: { addr: 12, cols: 16, rows: 16 } },
      'mvin2 dram=0x1000 dst=sp[12] rows=16 cols=16',
    ],
    [
      {
        kind: 'preload',
        bd: { addr: 0xffff_ffff, cols: 16, rows: 16 },
        c: { addr: 0xc000_0005, cols: 8, rows: 4 },
      },
      'preload bd=garbage rows=16 cols=16 c=acc[5]+ rows=4 cols=8',
    ],
    [
      { kind: 'mvout', dram: 0, src: { addr: 0xa200_0003, cols: 16, rows: 16 } },
      'mvout dram=0x0 src=acc[33554435]:full rows=16 cols=16',
    ],
    [
      configSt({ activation: 1, dramStride: 16, scaleBits: 0x3f00_0000 }),
      'config_st activation=1 dramStride=16 scale=0.5',
    ],
    [{ kind: 'flush', skip: true }, 'flush skip'],
    [{ kind: 'rtlOnly', funct: 23, rs1: 255n, rs2: 0n }, 'store_spad rs1=0xff rs2=0x0'],
  ] satisfies [Instr, string][])('%#: %s', (instr, text) => {
    expect(formatInstr(instr)).toBe(text);
  });
});

function configSt(fields: Partial<Omit<InstrOf<'configSt'>, 'kind'>>): InstrOf<'configSt'> {
  return {
    kind: 'configSt',
    activation: 0,
    poolStride: 0,
    poolSize: 0,
    upad: 0,
    lpad: 0,
    poolOutDim: 0,
    porows: 0,
    pocols: 0,
    orows: 0,
    ocols: 0,
    dramStride: 0,
    scaleBits: 0,
    ...fields,
  };
}
