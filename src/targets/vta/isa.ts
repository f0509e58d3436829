import type { IsaTable } from '../../contract/isa.js';
import type { Spec } from '../../spec/spec.js';
import { encoding, vtaConfig, type Instr, type Kind } from './instr.js';
import { dispatch, type VtaMachine } from './machine.js';
import { vtaTiming } from './timing.js';

/**
 * VTA's ISA table for one configuration (its field widths follow the spec): encoding, C name,
 * semantics (enqueue on the instruction's module, run the modules; machine.ts) and timing.
 */
export function vtaIsa(spec: Spec): IsaTable<Instr, VtaMachine> {
  const cfg = vtaConfig(spec);
  const entry = <K extends Kind>(kind: K) => ({
    ...encoding(cfg, kind),
    cName: `vta_${kind}`,
    execute: (i: Instr, m: VtaMachine) => dispatch(m, i),
    timing: vtaTiming,
  });
  return {
    load: entry('load'),
    store: entry('store'),
    gemm: entry('gemm'),
    alu: entry('alu'),
    finish: entry('finish'),
  };
}
