import {
  cEncoding as cEncodingOf,
  isaTable,
  type CEncoding,
  type InstrDecl,
  type IsaDecls,
  type IsaTable,
} from '../../contract/isa.js';
import type { TimingDesc } from '../../sim/timing_desc.js';
import type { Spec } from '../../spec/spec.js';
import { vtaConfig, type Instr, type InstrOf, type Kind, type VtaConfig } from './instr.js';
import { dispatch, type VtaMachine } from './machine.js';
import * as semantics from './semantics.js';
import * as timing from './timing.js';

/**
 * VTA's instructions, each declared once for a configuration (its field widths follow the spec): the
 * fields placed by instr.ts, the opcode (docs/vta.md §3.1: the funct, and bits 2:0 of every word),
 * the C name, what the instruction does when its module runs it (semantics.ts) and its timing
 * (timing.ts). `execute` enqueues it on its module and runs the modules (machine.ts). The ISA table
 * is derived from these declarations (src/contract/isa.ts); decode refuses words with bits outside
 * the fields.
 */
function declare<K extends Kind>(
  cfg: VtaConfig,
  kind: K,
  opcode: number,
  run: (i: InstrOf<K>, m: VtaMachine) => void,
  cost: (i: InstrOf<K>, m: VtaMachine, d: TimingDesc) => void,
): InstrDecl<InstrOf<K>, VtaMachine> {
  const bits = cfg.insn[kind][0];
  return {
    cName: `vta_${kind}`,
    op: { funct: opcode, name: kind },
    fixed: [{ reg: 'rs1', hi: bits.lo + bits.bits - 1, lo: bits.lo, value: opcode }],
    fields: cfg.fields[kind],
    unusedBits: 'zero',
    execute: (i, m) => dispatch(m, i, run as (i: Instr, m: VtaMachine) => void),
    timing: cost,
  };
}

function declarations(spec: Spec): IsaDecls<Instr, VtaMachine> {
  const cfg = vtaConfig(spec);
  return {
    load: declare(cfg, 'load', 0, semantics.load, timing.dma),
    store: declare(cfg, 'store', 1, semantics.store, timing.dma),
    gemm: declare(cfg, 'gemm', 2, semantics.loops, timing.gemm),
    alu: declare(cfg, 'alu', 4, semantics.loops, timing.alu),
    finish: declare(cfg, 'finish', 3, semantics.finish, timing.none),
  };
}

export function vtaIsa(spec: Spec): IsaTable<Instr, VtaMachine> {
  return isaTable(declarations(spec));
}

/** The C names and word layouts of a configuration's instructions (c_header.ts defines the names). */
export function vtaCEncoding(spec: Spec): CEncoding {
  return cEncodingOf(declarations(spec));
}
