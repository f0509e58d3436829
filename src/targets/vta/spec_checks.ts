import { memoryProblems, squareInt8ArrayProblems } from '../../contract/array_checks.js';
import type { Problem } from '../../contract/target.js';
import type { Spec } from '../../spec/spec.js';
import { vtaConfig, type BitField } from './instr.js';

/**
 * What VTA's code needs from a spec beyond the shared schema: a BLOCK×BLOCK int8 core (BATCH 1), the
 * buffers `inp`, `wgt`, `acc` and `uop` with VTA's entry shapes and power-of-two depths, bit layouts
 * that fit 128-bit instructions and 32-bit micro-ops, DRAM aligned to every entry, and shift-only
 * requantization.
 */
export function checkVtaSpec(spec: Spec): readonly Problem[] {
  const problems: Problem[] = squareInt8ArrayProblems(spec);
  const b = spec.array.rows;
  const need = (ok: boolean, path: string, message: string): void => {
    if (!ok) problems.push({ path, message });
  };
  const buffers = [
    ['inp', b, 'int8', ['input']],
    ['wgt', b * b, 'int8', ['weight']],
    ['acc', 4 * b, 'int32', ['output']],
    ['uop', 4, 'int32', []],
  ] as const;
  for (const [name, rowBytes, elementType, holds] of buffers) {
    const needs = { why: 'a VTA buffer', rowBytes, elementType, holds, maxLog2Rows: 16 };
    problems.push(...memoryProblems(spec, name, needs));
  }
  if (problems.length === 0) {
    const cfg = vtaConfig(spec);
    const end = (fs: readonly BitField[]): number => Math.max(...fs.map((f) => f.lo + f.bits));
    need(end(cfg.uop) <= 32, 'memories', `micro-op indices need ${end(cfg.uop)} bits (of 32)`);
    for (const [kind, fields] of Object.entries(cfg.insn)) {
      need(end(fields) <= 128, 'memories', `${kind} fields need ${end(fields)} bits (of 128)`);
    }
  }
  need(
    spec.dram.alignmentBytes % (b * b) === 0,
    'dram.alignmentBytes',
    `must be a multiple of a weight entry (${b * b} bytes) (got ${spec.dram.alignmentBytes})`,
  );
  need(
    spec.requantization.scale === 'power-of-two-shift' && !spec.requantization.perChannel,
    'requantization',
    'must be a per-tensor power-of-two-shift (VTA requantizes with ALU shifts)',
  );
  return problems;
}
