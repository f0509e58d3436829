import { InputError } from '../errors.js';
import { stridesOf } from './host_tensor.js';

/** The numpy broadcast of two shapes, or throws. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new InputError(`shapes [${a}] and [${b}] do not broadcast`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides of `shape` read as `outShape` (right-aligned): 0 on broadcast dimensions. Indexing the
 * source with these strides and the output's multi-index reads the broadcast element.
 */
export function broadcastStrides(
  shape: readonly number[],
  outShape: readonly number[],
): Int32Array {
  const own = stridesOf(shape);
  const rank = outShape.length;
  const s = new Int32Array(rank);
  for (let i = 0; i < rank; i++) {
    const j = shape.length - rank + i;
    s[i] = j < 0 || shape[j] === 1 ? 0 : own[j];
  }
  return s;
}
