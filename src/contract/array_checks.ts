import type { Spec } from '../spec/spec.js';
import type { Problem } from './target.js';

/**
 * Problems with the array for a target whose code needs it square with int8 operands, int32 sums
 * and int8 outputs (most int8 GEMM engines): for the targets' own `checkSpec`.
 */
export function squareInt8ArrayProblems(spec: Spec): Problem[] {
  const problems: Problem[] = [];
  if (spec.array.cols !== spec.array.rows) {
    problems.push({
      path: 'array.cols',
      message: `must equal array.rows (${spec.array.rows}) (got ${spec.array.cols})`,
    });
  }
  for (const [field, want] of [
    ['inputType', 'int8'],
    ['weightType', 'int8'],
    ['accType', 'int32'],
    ['outputType', 'int8'],
  ] as const) {
    if (spec.array[field] !== want) {
      problems.push({
        path: `array.${field}`,
        message: `must be ${want} (got ${spec.array[field]})`,
      });
    }
  }
  return problems;
}
