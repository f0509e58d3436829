import type { ReferenceComparison } from '../results/run_summary.js';

/** SQNR reported for outputs identical to the reference (no noise): the cap, not infinity. */
export const identicalSqnrDb = 200;

/**
 * How close outputs are to a reference, over all elements of all outputs together: cosine similarity,
 * the largest absolute error, the fraction of elements within one quantization step (`steps`, one
 * per element group: the output's scale) and the signal-to-quantization-noise ratio in dB (capped at
 * `identicalSqnrDb` when equal).
 */
export function compareOutputs(
  pairs: readonly {
    readonly got: ArrayLike<number>;
    readonly ref: ArrayLike<number>;
    readonly step: number;
  }[],
): ReferenceComparison {
  let dot = 0;
  let gg = 0;
  let rr = 0;
  let noise = 0;
  let maxAbsError = 0;
  let within = 0;
  let count = 0;
  for (const { got, ref, step } of pairs) {
    for (let i = 0; i < ref.length; i++) {
      const g = got[i];
      const r = ref[i];
      const e = Math.abs(g - r);
      dot += g * r;
      gg += g * g;
      rr += r * r;
      noise += e * e;
      if (e > maxAbsError) maxAbsError = e;
      // float32 outputs carry rounding of their own: a step is a step within 1%.
      if (e <= step * 1.01) within++;
      count++;
    }
  }
  const cosine = gg === 0 && rr === 0 ? 1 : gg === 0 || rr === 0 ? 0 : dot / Math.sqrt(gg * rr);
  const sqnrDb =
    noise === 0 ? identicalSqnrDb : Math.min(identicalSqnrDb, 10 * Math.log10(rr / noise));
  return { cosine, maxAbsError, withinOneStep: count === 0 ? 1 : within / count, sqnrDb };
}
