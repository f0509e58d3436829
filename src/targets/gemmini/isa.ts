import {
  cEncoding as cEncodingOf,
  decodeWord,
  flag,
  isaTable,
  raw,
  selector,
  uint,
  type Encoded,
  type FieldDecls,
  type InstrDecl,
  type InstrEncoding,
  type IsaDecls,
  type Reg,
  type RecordDecl,
  type WordFixedBits,
} from '../../contract/isa.js';
import type { Instr, Operand } from './instr.js';
import { formatAddr } from './local_addr.js';
import type { GemminiMachine } from './machine.js';
import * as semantics from './semantics.js';
import * as timing from './timing.js';
import * as unrollers from './unroller.js';

/**
 * Gemmini's instructions (docs/gemmini.md §3), each declared once: its fields and their bits in
 * (funct, rs1, rs2), its C macro, its mnemonic, its semantics (semantics.ts) and its timing
 * (timing.ts). The codec, the ISA table and the C emitter's word layouts are derived from these
 * declarations (src/contract/isa.ts). Fields are range-checked on encode (nothing is truncated);
 * `number` fields wider than 53 bits hold integers in [0, 2^53), and decode refuses words whose
 * value would not fit. Decode ignores reserved bits.
 */

type Decl<K extends Instr['kind']> = InstrDecl<Extract<Instr, { kind: K }>, GemminiMachine>;

/** The operand format: [31:0] local address, [47:32] cols, [63:48] rows. */
function operand(reg: Reg): RecordDecl<Operand> {
  const fields: FieldDecls<Operand> = {
    addr: uint(reg, 31, 0),
    cols: uint(reg, 47, 32),
    rows: uint(reg, 63, 48),
  };
  const show = (o: Operand): string => {
    const where = typeof o.addr === 'number' ? formatAddr(o.addr) : String(o.addr);
    return `${where} rows=${o.rows} cols=${o.cols}`;
  };
  return { type: 'record', fields, show };
}

/** A DRAM byte address: a whole register, always printed in hex. */
const dram = (reg: Reg) => uint(reg, 63, 0, 'address');

/** A kind with one funct; its C macro is `gf_` and its mnemonic. */
function single<K extends Instr['kind']>(
  funct: number,
  name: string,
  decl: Omit<Decl<K>, 'cName' | 'op'>,
): Decl<K> {
  return { cName: `gf_${name}`, op: { funct, name }, ...decl };
}

/** CONFIG (funct 0) is split by rs1[1:0]: 0 EX, 1 LD, 2 ST, 3 NORM. */
function configTag(value: number): WordFixedBits[] {
  return [{ reg: 'rs1', hi: 1, lo: 0, value }];
}

/** A loop unroller's configuration word (§3.2): recorded for the LOOP instruction that follows. */
function unroller<K extends Instr['kind']>(
  funct: number,
  name: string,
  fields: Decl<K>['fields'],
  execute: Decl<K>['execute'] = unrollers.configure,
  cost: Decl<K>['timing'] = timing.issueOnly,
): Decl<K> {
  return single(funct, name, { fields, execute, timing: cost });
}

const decls: IsaDecls<Instr, GemminiMachine> = {
  configEx: single(0, 'config_ex', {
    fixed: configTag(0),
    fields: {
      dataflow: uint('rs1', 2, 2),
      activation: uint('rs1', 4, 3),
      setOnlyStrides: flag('rs1', 7),
      aTranspose: flag('rs1', 8),
      bTranspose: flag('rs1', 9),
      aStride: uint('rs1', 31, 16),
      accScaleBits: uint('rs1', 63, 32, 'f32'),
      sysShift: uint('rs2', 31, 0),
      cStride: uint('rs2', 63, 48),
    },
    execute: semantics.configEx,
    timing: timing.configEx,
  }),
  configLd: single(0, 'config_ld', {
    fixed: configTag(1),
    fields: {
      shrink: flag('rs1', 2),
      slot: uint('rs1', 4, 3),
      pixelRepeats: uint('rs1', 15, 8),
      blockStride: uint('rs1', 31, 16),
      scaleBits: uint('rs1', 63, 32, 'f32'),
      dramStride: uint('rs2', 63, 0),
    },
    execute: semantics.configLd,
    timing: timing.issueOnly,
  }),
  configSt: single(0, 'config_st', {
    fixed: configTag(2),
    fields: {
      activation: uint('rs1', 3, 2),
      poolStride: uint('rs1', 5, 4),
      poolSize: uint('rs1', 7, 6),
      upad: uint('rs1', 9, 8),
      lpad: uint('rs1', 11, 10),
      poolOutDim: uint('rs1', 31, 24),
      porows: uint('rs1', 39, 32),
      pocols: uint('rs1', 47, 40),
      orows: uint('rs1', 55, 48),
      ocols: uint('rs1', 63, 56),
      dramStride: uint('rs2', 31, 0),
      scaleBits: uint('rs2', 63, 32, 'f32'),
    },
    execute: semantics.configSt,
    timing: timing.issueOnly,
  }),
  configNorm: single<'configNorm'>(0, 'config_norm', {
    fixed: configTag(3),
    fields: {
      statId: uint('rs1', 15, 8),
      actMsb: flag('rs1', 16),
      setStatIdOnly: flag('rs1', 17),
      constType: flag('rs1', 18),
      constant: uint('rs1', 63, 32),
      qb: uint('rs2', 31, 0),
      qc: uint('rs2', 63, 32),
    },
    execute: semantics.unsupported(
      'CONFIG_NORM needs normalizations, absent in this configuration',
    ),
    timing: timing.issueOnly,
  }),
  mvin: {
    cName: 'gf_mvin',
    fields: {
      slot: selector([2, 0, 'mvin'], [1, 1, 'mvin2'], [14, 2, 'mvin3']),
      dram: dram('rs1'),
      dst: operand('rs2'),
    },
    execute: semantics.mvin,
    timing: timing.mvin,
  },
  mvout: single(3, 'mvout', {
    fields: { dram: dram('rs1'), src: operand('rs2') },
    execute: semantics.mvout,
    timing: timing.mvout,
  }),
  preload: single(6, 'preload', {
    fields: { bd: operand('rs1'), c: operand('rs2') },
    execute: semantics.preload,
    timing: timing.preload,
  }),
  compute: {
    cName: 'gf_compute',
    fields: {
      accumulated: selector([4, false, 'compute_preloaded'], [5, true, 'compute_accumulated']),
      a: operand('rs1'),
      bd: operand('rs2'),
    },
    execute: semantics.compute,
    timing: timing.compute,
  },
  flush: single(7, 'flush', {
    fields: { skip: flag('rs1', 0) },
    execute: semantics.noEffect,
    timing: timing.issueOnly,
  }),
  loopWsConfigBounds: unroller<'loopWsConfigBounds'>(
    9,
    'loop_ws_config_bounds',
    {
      padI: uint('rs1', 15, 0),
      padJ: uint('rs1', 31, 16),
      padK: uint('rs1', 47, 32),
      i: uint('rs2', 15, 0),
      j: uint('rs2', 31, 16),
      k: uint('rs2', 47, 32),
    },
    unrollers.configure,
    timing.tileSetup,
  ),
  loopWsConfigAddrsAB: unroller(10, 'loop_ws_config_addrs_ab', { a: dram('rs1'), b: dram('rs2') }),
  loopWsConfigAddrsDC: unroller(11, 'loop_ws_config_addrs_dc', { d: dram('rs1'), c: dram('rs2') }),
  loopWsConfigStridesAB: unroller(12, 'loop_ws_config_strides_ab', {
    a: uint('rs1', 63, 0),
    b: uint('rs2', 63, 0),
  }),
  loopWsConfigStridesDC: unroller(13, 'loop_ws_config_strides_dc', {
    d: uint('rs1', 63, 0),
    c: uint('rs2', 63, 0),
  }),
  loopWs: unroller(
    8,
    'loop_ws',
    {
      exAccumulate: flag('rs1', 0),
      fullC: flag('rs1', 1),
      lowD: flag('rs1', 2),
      activation: uint('rs1', 10, 8),
      bSpadId: uint('rs1', 17, 16),
      aSpadId: uint('rs1', 19, 18),
      aTranspose: flag('rs2', 0),
      bTranspose: flag('rs2', 1),
      isResadd: flag('rs2', 2),
      skip: uint('rs2', 7, 3, 'hex'),
      incAccAddr: flag('rs2', 8),
      spadOnly: flag('rs2', 9),
      cSpadAddr: uint('rs2', 63, 32, 'hex'),
    },
    unrollers.loopWs,
  ),
  loopConvWsConfig1: unroller<'loopConvWsConfig1'>(
    16,
    'loop_conv_ws_config_1',
    {
      batchSize: uint('rs1', 15, 0),
      inRowDim: uint('rs1', 31, 16),
      inChannels: uint('rs1', 47, 32),
      outChannels: uint('rs1', 63, 48),
      outRowDim: uint('rs2', 15, 0),
      poolOutRowDim: uint('rs2', 31, 16),
      outColDim: uint('rs2', 47, 32),
      stride: uint('rs2', 55, 48),
      padding: uint('rs2', 63, 56),
    },
    unrollers.configure,
    timing.tileSetup,
  ),
  loopConvWsConfig2: unroller(17, 'loop_conv_ws_config_2', {
    poolPadding: uint('rs1', 7, 0),
    poolStride: uint('rs1', 15, 8),
    poolSize: uint('rs1', 31, 16),
    poolOutColDim: uint('rs1', 47, 32),
    kernelDim: uint('rs1', 63, 48),
    pochs: uint('rs2', 15, 0),
    pocols: uint('rs2', 31, 16),
    porows: uint('rs2', 47, 32),
    batches: uint('rs2', 63, 48),
  }),
  loopConvWsConfig3: unroller(18, 'loop_conv_ws_config_3', {
    lpad: uint('rs1', 15, 0),
    kchs: uint('rs1', 31, 16),
    kcols: uint('rs1', 47, 32),
    krows: uint('rs1', 63, 48),
    inColDim: uint('rs2', 15, 0),
    plpad: uint('rs2', 23, 16),
    dpad: uint('rs2', 31, 24),
    upad: uint('rs2', 47, 32),
    rpad: uint('rs2', 63, 48),
  }),
  loopConvWsConfig4: unroller(19, 'loop_conv_ws_config_4', {
    kernelDilation: uint('rs1', 9, 0),
    pdpad: uint('rs1', 20, 10),
    pupad: uint('rs1', 31, 21),
    prpad: uint('rs1', 47, 32),
    orows: uint('rs1', 63, 48),
    ocols: uint('rs2', 15, 0),
    outStride: uint('rs2', 31, 16),
    weightStride: uint('rs2', 47, 32),
    inStride: uint('rs2', 63, 48),
  }),
  loopConvWsConfig5: unroller(20, 'loop_conv_ws_config_5', {
    weights: dram('rs1'),
    output: dram('rs2'),
  }),
  loopConvWsConfig6: unroller(21, 'loop_conv_ws_config_6', {
    bias: dram('rs1'),
    input: dram('rs2'),
  }),
  loopConvWs: unroller(
    15,
    'loop_conv_ws',
    {
      noBias: flag('rs1', 0),
      wrot180: flag('rs1', 1),
      transOutput1203: flag('rs1', 2),
      transWeight1203: flag('rs1', 3),
      transWeight0132: flag('rs1', 4),
      transInput3120: flag('rs1', 5),
      dw: flag('rs1', 6),
      maxPixelsPerRow: uint('rs1', 15, 8),
      bSpadId: uint('rs1', 17, 16),
      aSpadId: uint('rs1', 19, 18),
      noPool: flag('rs2', 0),
      downsample: flag('rs2', 1),
      inputDilated: flag('rs2', 2),
      activation: uint('rs2', 4, 3),
    },
    unrollers.loopConvWs,
  ),
  counter: single(126, 'counter', {
    fields: {
      reset: flag('rs1', 0),
      snapshotReset: flag('rs1', 1),
      takeSnapshot: flag('rs1', 2),
      configure: flag('rs1', 3),
      index: uint('rs1', 6, 4),
      event: uint('rs1', 17, 12),
      external: flag('rs1', 31),
    },
    execute: semantics.noEffect,
    timing: timing.issueOnly,
  }),
  rtlOnly: {
    cName: 'gf_rocc_raw',
    fields: {
      funct: selector(
        [22, 22, 'clkgate_en'],
        [23, 23, 'store_spad'],
        [24, 24, 'loop_ws_config_spad_ab'],
        [25, 25, 'loop_ws_config_spad_c'],
      ),
      rs1: raw('rs1'),
      rs2: raw('rs2'),
    },
    execute: semantics.rtlOnly,
    timing: timing.issueOnly,
  },
};

/** Gemmini's ISA table: encoding, C name, semantics and timing of every instruction kind. */
export const isa = isaTable(decls);

/** Every kind's C macro and word layout, for the C emitter (c_header.ts defines the macros). */
export const cEncoding = cEncodingOf(decls);

export function encodeInstr(instr: Instr): Encoded {
  const entry: InstrEncoding<Instr> = isa[instr.kind];
  return entry.encode(instr);
}

/** The instruction a word holds; throws for an unowned funct or a field too wide for a number. */
export function decodeInstr(word: Encoded): Instr {
  return decodeWord(isa, word, 'Gemmini');
}

/** A one-line form of any instruction, e.g. `mvin2 dram=0x1000 dst=sp[12] rows=16 cols=16`. */
export function formatInstr(instr: Instr): string {
  const entry: InstrEncoding<Instr> = isa[instr.kind];
  return entry.format(instr);
}
