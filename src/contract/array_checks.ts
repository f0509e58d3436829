import type { ElementType, Spec, TensorRole } from '../spec/spec.js';
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

/** What a target's code needs of one of the spec's memories. */
export interface MemoryNeeds {
  /** Why the target needs it, for the message when it is missing. */
  readonly why: string;
  readonly rowBytes: number;
  readonly elementType: ElementType;
  /** The tensors it holds, exactly these in this order. */
  readonly holds: readonly TensorRole[];
  /** Its rows: a power of two, at most 2^maxLog2Rows (a hardware index width). */
  readonly maxLog2Rows: number;
}

/**
 * Problems with memory `name` for a target whose instructions address it directly from DRAM: it must
 * exist, sit directly below DRAM, and have the row size, element type, tensors and row count `needs`
 * gives.
 */
export function memoryProblems(spec: Spec, name: string, needs: MemoryNeeds): Problem[] {
  const m = spec.memories[name];
  const at = `memories.${name}`;
  if (m === undefined) return [{ path: at, message: `is required (${needs.why})` }];
  const problems: Problem[] = [];
  const need = (ok: boolean, path: string, message: string): void => {
    if (!ok) problems.push({ path: `${at}.${path}`, message });
  };
  need(m.rowBytes === needs.rowBytes, 'rowBytes', `must be ${needs.rowBytes} (got ${m.rowBytes})`);
  need(m.elementType === needs.elementType, 'elementType', `must be ${needs.elementType}`);
  need(m.parent === 'dram', 'parent', 'must be "dram"');
  const holds = needs.holds.join(', ');
  need(m.holds.join(', ') === holds, 'holds', `must be [${holds}]`);
  const log = Math.log2(m.capacityBytes / m.rowBytes);
  const max = needs.maxLog2Rows;
  need(Number.isInteger(log) && log <= max, 'capacityBytes', `must hold 2^n entries, n ≤ ${max}`);
  return problems;
}
