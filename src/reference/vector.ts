import { InternalError } from '../errors.js';
import { weightedSumToInt8 } from '../numeric/numeric.js';
import { vectorSizes, type MaxPoolWorkload, type VectorWorkload } from '../workload/vector.js';

/**
 * The integer reference of a vector op (src/workload/vector.ts): what every accelerator program for
 * it must equal bit for bit. `inputs` are the op's int8 operands in its DRAM layout.
 */
export function vectorReference(w: VectorWorkload, inputs: readonly Int8Array[]): Int8Array {
  const sizes = vectorSizes(w);
  if (
    inputs.length !== sizes.inputs.length ||
    inputs.some((x, i) => x.length !== sizes.inputs[i])
  ) {
    throw new InternalError(`${w.kind} ${w.name}: wants inputs of [${sizes.inputs}] elements`);
  }
  if (w.kind === 'maxpool') return maxPoolReference(w, inputs[0]);
  const [a, b] = inputs;
  const relu = w.activation === 'relu';
  const out = new Int8Array(w.elements);
  for (let i = 0; i < w.elements; i++) out[i] = weightedSumToInt8(a[i], b[i], w, relu);
  return out;
}

/** The window maximum on NHWC int8 values, positions outside the image skipped. */
function maxPoolReference(w: MaxPoolWorkload, x: Int8Array): Int8Array {
  const out = new Int8Array(w.N * w.P * w.Q * w.C);
  for (let n = 0; n < w.N; n++) {
    for (let p = 0; p < w.P; p++) {
      for (let q = 0; q < w.Q; q++) {
        const at = ((n * w.P + p) * w.Q + q) * w.C;
        for (let c = 0; c < w.C; c++) {
          let best = -Infinity;
          for (let r = 0; r < w.size; r++) {
            const h = p * w.stride - w.padTop + r;
            if (h < 0 || h >= w.H) continue;
            for (let s = 0; s < w.size; s++) {
              const col = q * w.stride - w.padLeft + s;
              if (col < 0 || col >= w.W) continue;
              best = Math.max(best, x[((n * w.H + h) * w.W + col) * w.C + c]);
            }
          }
          out[at + c] = best;
        }
      }
    }
  }
  return out;
}
