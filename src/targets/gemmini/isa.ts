import type { IsaTable } from '../../contract/isa.js';
import { encodings } from './encoding.js';
import type { Instr } from './instr.js';
import type { GemminiMachine } from './machine.js';
import { semantics } from './semantics.js';
import { timing } from './timing.js';

/** C names of the instructions, as the emitted runtime header defines them. */
const cNames: { readonly [K in Instr['kind']]: string } = {
  configEx: 'gf_config_ex',
  configLd: 'gf_config_ld',
  configSt: 'gf_config_st',
  configNorm: 'gf_config_norm',
  mvin: 'gf_mvin',
  mvout: 'gf_mvout',
  preload: 'gf_preload',
  compute: 'gf_compute',
  flush: 'gf_flush',
  loopWsConfigBounds: 'gf_loop_ws_config_bounds',
  loopWsConfigAddrsAB: 'gf_loop_ws_config_addrs_ab',
  loopWsConfigAddrsDC: 'gf_loop_ws_config_addrs_dc',
  loopWsConfigStridesAB: 'gf_loop_ws_config_strides_ab',
  loopWsConfigStridesDC: 'gf_loop_ws_config_strides_dc',
  loopWs: 'gf_loop_ws',
  loopConvWsConfig1: 'gf_loop_conv_ws_config_1',
  loopConvWsConfig2: 'gf_loop_conv_ws_config_2',
  loopConvWsConfig3: 'gf_loop_conv_ws_config_3',
  loopConvWsConfig4: 'gf_loop_conv_ws_config_4',
  loopConvWsConfig5: 'gf_loop_conv_ws_config_5',
  loopConvWsConfig6: 'gf_loop_conv_ws_config_6',
  loopConvWs: 'gf_loop_conv_ws',
  counter: 'gf_counter',
  rtlOnly: 'gf_rocc_raw',
};

function entry<K extends Instr['kind']>(kind: K): IsaTable<Instr, GemminiMachine>[K] {
  const enc = encodings[kind];
  return {
    functs: enc.functs,
    encode: enc.encode,
    decode: enc.decode,
    format: enc.format,
    cName: cNames[kind],
    execute: semantics[kind],
    timing: timing[kind],
  } as IsaTable<Instr, GemminiMachine>[K];
}

const kinds = Object.keys(cNames) as Instr['kind'][];

/** Gemmini's ISA table: encoding, C name, semantics and timing of every instruction kind. */
export const isa = Object.fromEntries(kinds.map((k) => [k, entry(k)])) as IsaTable<
  Instr,
  GemminiMachine
>;
