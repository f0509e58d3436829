/**
 * Gemmini instruction words (docs/gemmini.md §3): every kind of the `Instr` union as a layout of bit
 * fields over (funct, rs1, rs2), with one generic encoder, decoder and formatter driven by them.
 *
 * Fields are range-checked against their width on encode (nothing is truncated); `number` fields
 * wider than 53 bits hold integers in [0, 2^53), and decode refuses words whose value would not
 * fit. Decode ignores reserved bits, so encode(decode(w)) equals w except for reserved bits.
 */
import type { Encoded, InstrEncoding, WordField, WordFunct, WordLayout } from '../../contract/isa.js';
import type { Instr, InstrKind, InstrOf, Operand } from './instr.js';
import { formatAddr } from './local_addr.js';

type Reg = 'rs1' | 'rs2';
/** How `format` prints a number: decimal, hex, DRAM address (always shown), fp32 bit pattern. */
type Show = 'dec' | 'hex' | 'dram' | 'f32';

interface BitsLoc {
  readonly type: 'bits';
  readonly reg: Reg;
  readonly hi: number;
  readonly lo: number;
  readonly show: Show;
}
interface FlagLoc {
  readonly type: 'flag';
  readonly reg: Reg;
  readonly bit: number;
}
/** The operand format's fields: [31:0] local address, [47:32] cols, [63:48] rows. */
const operandFields = [
  { key: 'addr', hi: 31, lo: 0 },
  { key: 'cols', hi: 47, lo: 32 },
  { key: 'rows', hi: 63, lo: 48 },
] as const;
/** A whole register in the operand format. */
interface OperandLoc {
  readonly type: 'operand';
  readonly reg: Reg;
}
/** A whole register carried as a raw bigint. */
interface RawLoc {
  readonly type: 'raw';
  readonly reg: Reg;
}
/** A field selecting the funct: MVIN/MVIN2/MVIN3, COMPUTE_PRELOADED/_ACCUMULATED, functs 22-25. */
interface FunctLoc<T> {
  readonly type: 'funct';
  readonly cases: readonly FunctCase<T>[];
}
interface FunctCase<T> {
  readonly funct: number;
  readonly value: T;
  /** The mnemonic `format` prints. */
  readonly name: string;
}
/** Fixed bits that tell kinds sharing a funct apart (CONFIG's rs1[1:0]). */
interface Tag {
  readonly reg: Reg;
  readonly hi: number;
  readonly lo: number;
  readonly value: number;
}

/** A location inside rs1 or rs2. */
type RegLoc = BitsLoc | FlagLoc | OperandLoc | RawLoc;
type AnyLoc = RegLoc | FunctLoc<unknown>;
type Loc<T> = [T] extends [boolean]
  ? FlagLoc | FunctLoc<T>
  : [T] extends [number]
    ? BitsLoc | FunctLoc<T>
    : [T] extends [bigint]
      ? RawLoc
      : [T] extends [Operand]
        ? OperandLoc
        : never;
/** Where every field of `I` (but `kind`) lives; the type makes the layout complete. */
type Layout<I> = { readonly [K in Exclude<keyof I, 'kind'>]: Loc<I[K]> };

interface KindSpec<I extends Instr> {
  readonly kind: I['kind'];
  /** The funct and mnemonic of a single-funct kind; other kinds have a `funct` field instead. */
  readonly op?: FunctCase<undefined>;
  readonly tag?: Tag;
  readonly layout: Layout<I>;
}

function bits(reg: Reg, hi: number, lo: number, show: Show = 'dec'): BitsLoc {
  return { type: 'bits', reg, hi, lo, show };
}
function flag(reg: Reg, bit: number): FlagLoc {
  return { type: 'flag', reg, bit };
}
function dram(reg: Reg): BitsLoc {
  return bits(reg, 63, 0, 'dram');
}
function operand(reg: Reg): OperandLoc {
  return { type: 'operand', reg };
}
function raw(reg: Reg): RawLoc {
  return { type: 'raw', reg };
}
function op(funct: number, name: string): FunctCase<undefined> {
  return { funct, value: undefined, name };
}
/** CONFIG (funct 0) is split by rs1[1:0]: 0 EX, 1 LD, 2 ST, 3 NORM. */
function configTag(value: number): Tag {
  return { reg: 'rs1', hi: 1, lo: 0, value };
}

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);
const word64 = 1n << 64n;

/** The value of bits [hi:lo] of `reg`. */
function getField(reg: bigint, hi: number, lo: number): bigint {
  return (reg >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);
}

/** `value` placed at bits [hi:lo]; throws unless it is an integer that fits (and below 2^53). */
function putField(value: unknown, hi: number, lo: number, where: string): bigint {
  const width = hi - lo + 1;
  const limit = 2 ** Math.min(width, 53);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= limit) {
    const range = `[0, 2^${Math.min(width, 53)})`;
    const text = String(value);
    throw new Error(`${where}: ${text} is not an integer in ${range} (${width}-bit field)`);
  }
  return BigInt(value) << BigInt(lo);
}

function putFlag(value: unknown, bit: number, where: string): bigint {
  if (typeof value !== 'boolean') throw new Error(`${where}: ${String(value)} is not a boolean`);
  return value ? 1n << BigInt(bit) : 0n;
}

function putRaw(value: unknown, where: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= word64) {
    throw new Error(`${where}: ${String(value)} is not a bigint in [0, 2^64) (64-bit register)`);
  }
  return value;
}

function putOperand(value: unknown, where: string): bigint {
  if (typeof value !== 'object' || value === null) {
    throw new Error(`${where}: ${String(value)} is not an operand {addr, cols, rows}`);
  }
  let reg = 0n;
  for (const { key, hi, lo } of operandFields) {
    reg |= putField(Reflect.get(value, key), hi, lo, `${where}.${key}`);
  }
  return reg;
}

/** The bits a field contributes to its register, after checking its type and width. */
function putLoc(loc: RegLoc, value: unknown, where: string): bigint {
  switch (loc.type) {
    case 'bits':
      return putField(value, loc.hi, loc.lo, where);
    case 'flag':
      return putFlag(value, loc.bit, where);
    case 'operand':
      return putOperand(value, where);
    case 'raw':
      return putRaw(value, where);
  }
}

/** A field's value read from its register. */
function getLoc(loc: RegLoc, reg: bigint, where: string): unknown {
  switch (loc.type) {
    case 'bits':
      return getNumber(reg, loc.hi, loc.lo, where);
    case 'flag':
      return getField(reg, loc.bit, loc.bit) === 1n;
    case 'operand':
      return getOperand(reg, where);
    case 'raw':
      return reg;
  }
}

/** Bits [hi:lo] as a number; throws when they exceed 2^53 - 1. */
function getNumber(reg: bigint, hi: number, lo: number, where: string): number {
  const value = getField(reg, hi, lo);
  if (value > maxSafe) {
    throw new Error(`${where}: 0x${value.toString(16)} exceeds 2^53 - 1 and cannot be a number`);
  }
  return Number(value);
}

function getOperand(reg: bigint, where: string): Operand {
  const [addr, cols, rows] = operandFields.map(({ key, hi, lo }) =>
    getNumber(reg, hi, lo, `${where}.${key}`),
  );
  return { addr, cols, rows };
}

function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}

function f32Text(bitPattern: number): string {
  const value = new Float32Array(new Uint32Array([bitPattern]).buffer)[0];
  return Number.isNaN(value) ? hex(bitPattern) : String(value);
}

/** `key=value` for `format`, or '' for a zero/false field that is not worth printing. */
function formatField(key: string, loc: AnyLoc, value: unknown): string {
  switch (loc.type) {
    case 'flag':
      return value === true ? key : '';
    case 'bits':
      if (typeof value !== 'number') return `${key}=${String(value)}`;
      if (loc.show === 'dram') return `${key}=${hex(value)}`;
      if (value === 0) return '';
      if (loc.show === 'hex') return `${key}=${hex(value)}`;
      if (loc.show === 'f32') return `${key.replace(/Bits$/, '')}=${f32Text(value)}`;
      return `${key}=${value}`;
    case 'operand': {
      const field = (name: string): unknown => Reflect.get(Object(value), name);
      const addr = field('addr');
      const where = typeof addr === 'number' ? formatAddr(addr) : String(addr);
      return `${key}=${where} rows=${field('rows')} cols=${field('cols')}`;
    }
    case 'raw':
      return `${key}=${typeof value === 'bigint' ? hex(value) : value}`;
    case 'funct':
      return '';
  }
}

/** Where one field's bits go, as target-neutral data (operands as their three fields). */
function wordFields(key: string, loc: RegLoc): WordField[] {
  switch (loc.type) {
    case 'bits':
      return [{ path: [key], reg: loc.reg, hi: loc.hi, lo: loc.lo, flag: false }];
    case 'flag':
      return [{ path: [key], reg: loc.reg, hi: loc.bit, lo: loc.bit, flag: true }];
    case 'operand':
      return operandFields.map(({ key: sub, hi, lo }) => ({
        path: [key, sub],
        reg: loc.reg,
        hi,
        lo,
        flag: false,
      }));
    case 'raw':
      return [{ path: [key], reg: loc.reg, hi: 63, lo: 0, flag: false }];
  }
}

/** A kind's layout as the C emitter reads it (src/target/isa.ts): the same table as `codec`'s. */
function wordLayout<I extends Instr>(spec: KindSpec<I>): WordLayout {
  const entries: readonly (readonly [string, AnyLoc])[] = Object.entries(spec.layout);
  let funct: WordFunct | undefined = spec.op && { kind: 'fixed', funct: spec.op.funct };
  const fields: WordField[] = [];
  for (const [key, loc] of entries) {
    if (loc.type !== 'funct') {
      fields.push(...wordFields(key, loc));
      continue;
    }
    const cases = loc.cases.map(({ funct, value }) => {
      if (typeof value !== 'number' && typeof value !== 'boolean') {
        throw new Error(`encoding of ${spec.kind}.${key}: case ${String(value)} is not a value`);
      }
      return { funct, value };
    });
    funct = { kind: 'field', field: key, cases };
  }
  if (funct === undefined) throw new Error(`encoding of ${spec.kind}: no funct`);
  const fixed = spec.tag ? [spec.tag] : [];
  return { funct, fixed, fields };
}

/** The encoder, decoder and formatter of one kind, driven by its layout, and the layout as data. */
function codec<I extends Instr>(spec: KindSpec<I>): InstrEncoding<I> & { word: WordLayout } {
  const fields: readonly (readonly [string, AnyLoc])[] = Object.entries(spec.layout);
  const selector = fields.find(
    (field): field is readonly [string, FunctLoc<unknown>] => field[1].type === 'funct',
  );
  const cases: readonly FunctCase<unknown>[] = selector?.[1].cases ?? (spec.op ? [spec.op] : []);
  if (cases.length === 0) throw new Error(`encoding of ${spec.kind}: no funct`);
  const caseOf = (instr: I): FunctCase<unknown> | undefined => {
    if (selector === undefined) return cases[0];
    return cases.find((c) => c.value === Reflect.get(instr, selector[0]));
  };

  return {
    functs: cases.map((c) => c.funct),
    word: wordLayout(spec),

    encode(instr) {
      const found = caseOf(instr);
      if (found === undefined) {
        const key = selector?.[0] ?? '';
        const allowed = cases.map((c) => String(c.value)).join(', ');
        const value = String(Reflect.get(instr, key));
        throw new Error(`encode ${spec.kind}.${key}: ${value} is not one of ${allowed}`);
      }
      const regs = { rs1: 0n, rs2: 0n };
      if (spec.tag) regs[spec.tag.reg] |= BigInt(spec.tag.value) << BigInt(spec.tag.lo);
      for (const [key, loc] of fields) {
        const value: unknown = Reflect.get(instr, key);
        if (loc.type !== 'funct') regs[loc.reg] |= putLoc(loc, value, `encode ${spec.kind}.${key}`);
      }
      return { funct: found.funct, rs1: regs.rs1, rs2: regs.rs2 };
    },

    decode(word) {
      const found = cases.find((c) => c.funct === word.funct);
      if (found === undefined) return undefined;
      const at = `decode ${spec.kind} (funct ${word.funct})`;
      for (const reg of ['rs1', 'rs2'] as const) {
        const value = word[reg];
        if (value < 0n || value >= word64) {
          throw new Error(`${at}: ${reg} = ${value} is not a 64-bit unsigned value`);
        }
      }
      const tag = spec.tag;
      if (tag && getField(word[tag.reg], tag.hi, tag.lo) !== BigInt(tag.value)) return undefined;
      const out: Record<string, unknown> = { kind: spec.kind };
      for (const [key, loc] of fields) {
        out[key] = loc.type === 'funct' ? found.value : getLoc(loc, word[loc.reg], `${at}.${key}`);
      }
      // The layout names every field of I with a location of its type, so `out` is an I.
      return out as I;
    },

    format(instr) {
      const name = caseOf(instr)?.name ?? spec.kind;
      const parts = fields.map(([key, loc]) => formatField(key, loc, Reflect.get(instr, key)));
      return [name, ...parts.filter((part) => part !== '')].join(' ');
    },
  };
}

type Encodings = {
  readonly [K in InstrKind]: InstrEncoding<InstrOf<K>> & { readonly word: WordLayout };
};

/**
 * One entry per instruction kind; bit positions as in docs/gemmini.md §3. `word` is the layout as data,
 * for the C emitter (c_header.ts).
 */
export const encodings: Encodings = {
  configEx: codec<InstrOf<'configEx'>>({
    kind: 'configEx',
    op: op(0, 'config_ex'),
    tag: configTag(0),
    layout: {
      dataflow: bits('rs1', 2, 2),
      activation: bits('rs1', 4, 3),
      setOnlyStrides: flag('rs1', 7),
      aTranspose: flag('rs1', 8),
      bTranspose: flag('rs1', 9),
      aStride: bits('rs1', 31, 16),
      accScaleBits: bits('rs1', 63, 32, 'f32'),
      sysShift: bits('rs2', 31, 0),
      cStride: bits('rs2', 63, 48),
    },
  }),
  configLd: codec<InstrOf<'configLd'>>({
    kind: 'configLd',
    op: op(0, 'config_ld'),
    tag: configTag(1),
    layout: {
      shrink: flag('rs1', 2),
      slot: bits('rs1', 4, 3),
      pixelRepeats: bits('rs1', 15, 8),
      blockStride: bits('rs1', 31, 16),
      scaleBits: bits('rs1', 63, 32, 'f32'),
      dramStride: bits('rs2', 63, 0),
    },
  }),
  configSt: codec<InstrOf<'configSt'>>({
    kind: 'configSt',
    op: op(0, 'config_st'),
    tag: configTag(2),
    layout: {
      activation: bits('rs1', 3, 2),
      poolStride: bits('rs1', 5, 4),
      poolSize: bits('rs1', 7, 6),
      upad: bits('rs1', 9, 8),
      lpad: bits('rs1', 11, 10),
      poolOutDim: bits('rs1', 31, 24),
      porows: bits('rs1', 39, 32),
      pocols: bits('rs1', 47, 40),
      orows: bits('rs1', 55, 48),
      ocols: bits('rs1', 63, 56),
      dramStride: bits('rs2', 31, 0),
      scaleBits: bits('rs2', 63, 32, 'f32'),
    },
  }),
  configNorm: codec<InstrOf<'configNorm'>>({
    kind: 'configNorm',
    op: op(0, 'config_norm'),
    tag: configTag(3),
    layout: {
      statId: bits('rs1', 15, 8),
      actMsb: flag('rs1', 16),
      setStatIdOnly: flag('rs1', 17),
      constType: flag('rs1', 18),
      constant: bits('rs1', 63, 32),
      qb: bits('rs2', 31, 0),
      qc: bits('rs2', 63, 32),
    },
  }),
  mvin: codec<InstrOf<'mvin'>>({
    kind: 'mvin',
    layout: {
      slot: {
        type: 'funct',
        cases: [
          { funct: 2, value: 0, name: 'mvin' },
          { funct: 1, value: 1, name: 'mvin2' },
          { funct: 14, value: 2, name: 'mvin3' },
        ],
      },
      dram: dram('rs1'),
      dst: operand('rs2'),
    },
  }),
  mvout: codec<InstrOf<'mvout'>>({
    kind: 'mvout',
    op: op(3, 'mvout'),
    layout: { dram: dram('rs1'), src: operand('rs2') },
  }),
  preload: codec<InstrOf<'preload'>>({
    kind: 'preload',
    op: op(6, 'preload'),
    layout: { bd: operand('rs1'), c: operand('rs2') },
  }),
  compute: codec<InstrOf<'compute'>>({
    kind: 'compute',
    layout: {
      accumulated: {
        type: 'funct',
        cases: [
          { funct: 4, value: false, name: 'compute_preloaded' },
          { funct: 5, value: true, name: 'compute_accumulated' },
        ],
      },
      a: operand('rs1'),
      bd: operand('rs2'),
    },
  }),
  flush: codec<InstrOf<'flush'>>({
    kind: 'flush',
    op: op(7, 'flush'),
    layout: { skip: flag('rs1', 0) },
  }),
  loopWsConfigBounds: codec<InstrOf<'loopWsConfigBounds'>>({
    kind: 'loopWsConfigBounds',
    op: op(9, 'loop_ws_config_bounds'),
    layout: {
      padI: bits('rs1', 15, 0),
      padJ: bits('rs1', 31, 16),
      padK: bits('rs1', 47, 32),
      i: bits('rs2', 15, 0),
      j: bits('rs2', 31, 16),
      k: bits('rs2', 47, 32),
    },
  }),
  loopWsConfigAddrsAB: codec<InstrOf<'loopWsConfigAddrsAB'>>({
    kind: 'loopWsConfigAddrsAB',
    op: op(10, 'loop_ws_config_addrs_ab'),
    layout: { a: dram('rs1'), b: dram('rs2') },
  }),
  loopWsConfigAddrsDC: codec<InstrOf<'loopWsConfigAddrsDC'>>({
    kind: 'loopWsConfigAddrsDC',
    op: op(11, 'loop_ws_config_addrs_dc'),
    layout: { d: dram('rs1'), c: dram('rs2') },
  }),
  loopWsConfigStridesAB: codec<InstrOf<'loopWsConfigStridesAB'>>({
    kind: 'loopWsConfigStridesAB',
    op: op(12, 'loop_ws_config_strides_ab'),
    layout: { a: bits('rs1', 63, 0), b: bits('rs2', 63, 0) },
  }),
  loopWsConfigStridesDC: codec<InstrOf<'loopWsConfigStridesDC'>>({
    kind: 'loopWsConfigStridesDC',
    op: op(13, 'loop_ws_config_strides_dc'),
    layout: { d: bits('rs1', 63, 0), c: bits('rs2', 63, 0) },
  }),
  loopWs: codec<InstrOf<'loopWs'>>({
    kind: 'loopWs',
    op: op(8, 'loop_ws'),
    layout: {
      exAccumulate: flag('rs1', 0),
      fullC: flag('rs1', 1),
      lowD: flag('rs1', 2),
      activation: bits('rs1', 10, 8),
      bSpadId: bits('rs1', 17, 16),
      aSpadId: bits('rs1', 19, 18),
      aTranspose: flag('rs2', 0),
      bTranspose: flag('rs2', 1),
      isResadd: flag('rs2', 2),
      skip: bits('rs2', 7, 3, 'hex'),
      incAccAddr: flag('rs2', 8),
      spadOnly: flag('rs2', 9),
      cSpadAddr: bits('rs2', 63, 32, 'hex'),
    },
  }),
  loopConvWsConfig1: codec<InstrOf<'loopConvWsConfig1'>>({
    kind: 'loopConvWsConfig1',
    op: op(16, 'loop_conv_ws_config_1'),
    layout: {
      batchSize: bits('rs1', 15, 0),
      inRowDim: bits('rs1', 31, 16),
      inChannels: bits('rs1', 47, 32),
      outChannels: bits('rs1', 63, 48),
      outRowDim: bits('rs2', 15, 0),
      poolOutRowDim: bits('rs2', 31, 16),
      outColDim: bits('rs2', 47, 32),
      stride: bits('rs2', 55, 48),
      padding: bits('rs2', 63, 56),
    },
  }),
  loopConvWsConfig2: codec<InstrOf<'loopConvWsConfig2'>>({
    kind: 'loopConvWsConfig2',
    op: op(17, 'loop_conv_ws_config_2'),
    layout: {
      poolPadding: bits('rs1', 7, 0),
      poolStride: bits('rs1', 15, 8),
      poolSize: bits('rs1', 31, 16),
      poolOutColDim: bits('rs1', 47, 32),
      kernelDim: bits('rs1', 63, 48),
      pochs: bits('rs2', 15, 0),
      pocols: bits('rs2', 31, 16),
      porows: bits('rs2', 47, 32),
      batches: bits('rs2', 63, 48),
    },
  }),
  loopConvWsConfig3: codec<InstrOf<'loopConvWsConfig3'>>({
    kind: 'loopConvWsConfig3',
    op: op(18, 'loop_conv_ws_config_3'),
    layout: {
      lpad: bits('rs1', 15, 0),
      kchs: bits('rs1', 31, 16),
      kcols: bits('rs1', 47, 32),
      krows: bits('rs1', 63, 48),
      inColDim: bits('rs2', 15, 0),
      plpad: bits('rs2', 23, 16),
      dpad: bits('rs2', 31, 24),
      upad: bits('rs2', 47, 32),
      rpad: bits('rs2', 63, 48),
    },
  }),
  loopConvWsConfig4: codec<InstrOf<'loopConvWsConfig4'>>({
    kind: 'loopConvWsConfig4',
    op: op(19, 'loop_conv_ws_config_4'),
    layout: {
      kernelDilation: bits('rs1', 9, 0),
      pdpad: bits('rs1', 20, 10),
      pupad: bits('rs1', 31, 21),
      prpad: bits('rs1', 47, 32),
      orows: bits('rs1', 63, 48),
      ocols: bits('rs2', 15, 0),
      outStride: bits('rs2', 31, 16),
      weightStride: bits('rs2', 47, 32),
      inStride: bits('rs2', 63, 48),
    },
  }),
  loopConvWsConfig5: codec<InstrOf<'loopConvWsConfig5'>>({
    kind: 'loopConvWsConfig5',
    op: op(20, 'loop_conv_ws_config_5'),
    layout: { weights: dram('rs1'), output: dram('rs2') },
  }),
  loopConvWsConfig6: codec<InstrOf<'loopConvWsConfig6'>>({
    kind: 'loopConvWsConfig6',
    op: op(21, 'loop_conv_ws_config_6'),
    layout: { bias: dram('rs1'), input: dram('rs2') },
  }),
  loopConvWs: codec<InstrOf<'loopConvWs'>>({
    kind: 'loopConvWs',
    op: op(15, 'loop_conv_ws'),
    layout: {
      noBias: flag('rs1', 0),
      wrot180: flag('rs1', 1),
      transOutput1203: flag('rs1', 2),
      transWeight1203: flag('rs1', 3),
      transWeight0132: flag('rs1', 4),
      transInput3120: flag('rs1', 5),
      dw: flag('rs1', 6),
      maxPixelsPerRow: bits('rs1', 15, 8),
      bSpadId: bits('rs1', 17, 16),
      aSpadId: bits('rs1', 19, 18),
      noPool: flag('rs2', 0),
      downsample: flag('rs2', 1),
      inputDilated: flag('rs2', 2),
      activation: bits('rs2', 4, 3),
    },
  }),
  counter: codec<InstrOf<'counter'>>({
    kind: 'counter',
    op: op(126, 'counter'),
    layout: {
      reset: flag('rs1', 0),
      snapshotReset: flag('rs1', 1),
      takeSnapshot: flag('rs1', 2),
      configure: flag('rs1', 3),
      index: bits('rs1', 6, 4),
      event: bits('rs1', 17, 12),
      external: flag('rs1', 31),
    },
  }),
  rtlOnly: codec<InstrOf<'rtlOnly'>>({
    kind: 'rtlOnly',
    layout: {
      funct: {
        type: 'funct',
        cases: [
          { funct: 22, value: 22, name: 'clkgate_en' },
          { funct: 23, value: 23, name: 'store_spad' },
          { funct: 24, value: 24, name: 'loop_ws_config_spad_ab' },
          { funct: 25, value: 25, name: 'loop_ws_config_spad_c' },
        ],
      },
      rs1: raw('rs1'),
      rs2: raw('rs2'),
    },
  }),
};

/** The kinds that own each funct (several for CONFIG), in table order. */
const ownersByFunct: ReadonlyMap<number, readonly InstrEncoding<Instr>[]> = (() => {
  const owners = new Map<number, InstrEncoding<Instr>[]>();
  for (const entry of Object.values<InstrEncoding<Instr>>(encodings)) {
    for (const funct of entry.functs) owners.set(funct, [...(owners.get(funct) ?? []), entry]);
  }
  return owners;
})();

export function encodeInstr(instr: Instr): Encoded {
  const entry: InstrEncoding<Instr> = encodings[instr.kind];
  return entry.encode(instr);
}

/** The instruction a word holds; throws for an unowned funct or a field too wide for a number. */
export function decodeInstr(word: Encoded): Instr {
  const owners = ownersByFunct.get(word.funct);
  if (owners === undefined) {
    throw new Error(`decodeInstr: funct ${word.funct} is not a Gemmini instruction`);
  }
  for (const owner of owners) {
    const instr = owner.decode(word);
    if (instr !== undefined) return instr;
  }
  const rs1 = hex(word.rs1);
  throw new Error(`decodeInstr: funct ${word.funct}: no instruction kind accepts rs1=${rs1}`);
}

/** A one-line form of any instruction, e.g. `mvin2 dram=0x1000 dst=sp[12] rows=16 cols=16`. */
export function formatInstr(instr: Instr): string {
  const entry: InstrEncoding<Instr> = encodings[instr.kind];
  return entry.format(instr);
}

/** The RISC-V major opcode of every Gemmini instruction: custom-3. */
export const opcodeCustom3 = 0x7b;

/** funct3 of every instruction but COUNTER (rd = x0), and of COUNTER (returns rd). */
export const funct3Default = 0b011;
export const funct3Counter = 0b111;

/**
 * The 32-bit R-type word `funct<<25 | rs2<<20 | rs1<<15 | funct3<<12 | rd<<7 | 0x7B` (custom-3)
 * as an unsigned number; registers are x0..x31. MVIN a0, a1 is riscvWord(2, 10, 11) = 0x04B5307B.
 */
export function riscvWord(
  funct: number,
  rs1Reg: number,
  rs2Reg: number,
  rdReg = 0,
  funct3 = funct3Default,
): number {
  const fields = [
    ['funct', funct, 7, 25],
    ['rs2', rs2Reg, 5, 20],
    ['rs1', rs1Reg, 5, 15],
    ['funct3', funct3, 3, 12],
    ['rd', rdReg, 5, 7],
  ] as const;
  let word = opcodeCustom3;
  for (const [name, value, width, lo] of fields) {
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** width) {
      throw new Error(`riscvWord: ${name} = ${value} is not an integer in [0, 2^${width})`);
    }
    word += value * 2 ** lo;
  }
  return word;
}
