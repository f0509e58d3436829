import { InternalError } from '../errors.js';
import { weightedSumToInt8 } from '../numeric/numeric.js';
import type { VectorWorkload } from '../workload/vector.js';

/**
 * The integer reference of a vector op (src/workload/vector.ts): what every accelerator program for
 * it must equal bit for bit. `inputs` are the op's int8 operands in its DRAM layout.
 */
export function vectorReference(w: VectorWorkload, inputs: readonly Int8Array[]): Int8Array {
  const n = w.elements;
  if (inputs.length !== 2 || inputs.some((x) => x.length !== n)) {
    throw new InternalError(`resadd ${w.name}: wants two inputs of ${n} elements`);
  }
  const [a, b] = inputs;
  const relu = w.activation === 'relu';
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) out[i] = weightedSumToInt8(a[i], b[i], w, relu);
  return out;
}
