/**
 * Top-1 figures of a classifier's outputs: an output of shape [rows, classes] (at least two
 * classes) holds one score vector per input row, and a row's class is the index of its largest
 * score (the first on ties, as NumPy's argmax).
 */

/** An output's flat data and shape. */
export interface Scores {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** How many rows two runs put in the same class, of how many. */
export interface Top1Agreement {
  readonly agree: number;
  readonly rows: number;
}

/** Whether an output of this shape holds class scores: [rows, classes] with classes ≥ 2. */
export function isClassScores(shape: readonly number[]): boolean {
  return shape.length === 2 && shape[0] >= 1 && shape[1] >= 2;
}

/** The class of every row of an [rows, classes] output. */
export function topClasses(scores: Scores): Int32Array {
  const [rows, classes] = scores.shape;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (scores.data[r * classes + c] > scores.data[r * classes + best]) best = c;
    }
    out[r] = best;
  }
  return out;
}

/**
 * Over every class-score output (by isClassScores), the rows whose class in `got` is the class in
 * `ref`; null when no output holds class scores.
 */
export function top1Agreement(
  pairs: readonly { readonly got: Scores; readonly ref: Scores }[],
): Top1Agreement | null {
  let agree = 0;
  let rows = 0;
  for (const { got, ref } of pairs) {
    if (!isClassScores(ref.shape)) continue;
    const a = topClasses(got);
    const b = topClasses(ref);
    for (let r = 0; r < a.length; r++) if (a[r] === b[r]) agree++;
    rows += a.length;
  }
  return rows === 0 ? null : { agree, rows };
}

/** How many rows of an [rows, classes] output are in the class their label names. */
export function countCorrect(scores: Scores, labels: ArrayLike<number>): number {
  const classes = topClasses(scores);
  let correct = 0;
  for (let r = 0; r < classes.length; r++) if (classes[r] === labels[r]) correct++;
  return correct;
}

/** The labels of `--labels`: the file, the output they score, one class per row. */
export interface Labels {
  readonly file: string;
  readonly output: string;
  readonly classes: ArrayLike<number>;
}
