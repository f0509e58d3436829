import { InternalError } from '../errors.js';
import type { AnyTarget } from '../contract/target.js';
import type { VectorWorkload } from '../workload/vector.js';
import { runProgram, type ProgramRun } from './run_program.js';

/**
 * Runs a vector op on a target's simulator, lowered with the target's own tiling; `inputs` are its
 * operands A and B in the op's layout, or null for a timing-only run.
 */
export function runVector(
  target: AnyTarget,
  w: VectorWorkload,
  inputs: readonly Int8Array[] | null,
): ProgramRun {
  if (target.lowerVector === undefined) {
    throw new InternalError(`${target.name} has no lowering for a ${w.kind} op`);
  }
  const program = target.lowerVector(w);
  const operands: Record<string, number> = { A: 0, B: 1 };
  const fill = (b: { readonly name: string }) =>
    inputs === null || !(b.name in operands) ? null : inputs[operands[b.name]];
  return runProgram(target, program, inputs === null ? null : fill);
}
