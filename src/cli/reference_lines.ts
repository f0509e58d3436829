import type { RunSummary } from '../results/run_summary.js';

/** A fraction of rows, as "99/100 (99.0%)". */
function rowsText(n: number, rows: number): string {
  return `${n}/${rows} (${((100 * n) / rows).toFixed(1)}%)`;
}

/**
 * What `run` and `compile --verify` print about correctness: the comparison with the reference
 * (cosine and the within-one-step share; `full` adds SQNR and the largest error) with the top-1
 * agreement of class-score outputs, and the top-1 accuracy against `--labels`.
 */
export function referenceLines(s: RunSummary, full: boolean): string[] {
  const lines: string[] = [];
  const r = s.reference;
  if (r !== null) {
    const errors = full
      ? `SQNR ${r.sqnrDb.toFixed(1)} dB, max |error| ${r.maxAbsError.toPrecision(3)}, `
      : '';
    const top1 =
      r.top1 === undefined
        ? ''
        : `; top-1 class the same on ${rowsText(r.top1.agree, r.top1.rows)} rows`;
    lines.push(
      `against ${r.against ?? 'onnxruntime'}: cosine ${r.cosine.toFixed(5)}, ${errors}` +
        `${(100 * r.withinOneStep).toFixed(2)}% within one step${top1}`,
    );
  }
  const a = s.accuracy;
  if (a !== undefined && a !== null) {
    const ref =
      a.referenceCorrect === null ? '' : `, onnxruntime ${rowsText(a.referenceCorrect, a.rows)}`;
    lines.push(
      `top-1 accuracy against ${a.labels} (output ${a.output}): ` +
        `${s.target} ${rowsText(a.correct, a.rows)}${ref}`,
    );
  }
  return lines;
}
