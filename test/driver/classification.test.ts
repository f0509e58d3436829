import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countCorrect,
  isClassScores,
  top1Agreement,
  topClasses,
} from '../../src/driver/classification.js';

const scores = (rows: number[][]) => ({
  data: Float32Array.from(rows.flat()),
  shape: [rows.length, rows[0].length],
});

describe('top-1 figures of class scores', () => {
  it('a row’s class is its largest score, the first one on ties', () => {
    const s = scores([
      [0.1, 0.7, 0.2],
      [5, 5, -1],
      [-3, -2, -1],
    ]);
    expect(Array.from(topClasses(s))).toEqual([1, 0, 2]);
    expect(countCorrect(s, [1, 1, 2])).toBe(2);
  });

  it('only [rows, classes] outputs with two classes or more hold class scores', () => {
    expect(isClassScores([100, 10])).toBe(true);
    expect(isClassScores([1, 1000])).toBe(true);
    expect(isClassScores([4, 1])).toBe(false);
    expect(isClassScores([1, 16, 128])).toBe(false);
    expect(isClassScores([10])).toBe(false);
  });

  it('agreement counts the rows whose classes match, over every class-score output', () => {
    const got = scores([
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
    const ref = scores([
      [2, 1],
      [3, 1],
      [0.5, 0.4],
    ]);
    const features = { data: new Float32Array(8), shape: [1, 2, 4] };
    expect(top1Agreement([{ got, ref }])).toEqual({ agree: 2, rows: 3 });
    expect(top1Agreement([{ got: features, ref: features }])).toBeNull();
    expect(
      top1Agreement([
        { got, ref },
        { got: features, ref: features },
        { got: ref, ref },
      ]),
    ).toEqual({ agree: 5, rows: 6 });
  });

  it('scores compared with themselves agree on every row; labels from them are all correct', () => {
    const rows = fc.integer({ min: 1, max: 6 }).chain((n) =>
      fc.integer({ min: 2, max: 7 }).chain((c) =>
        fc.array(
          fc.array(fc.float({ min: -1e6, max: 1e6, noNaN: true }), {
            minLength: c,
            maxLength: c,
          }),
          { minLength: n, maxLength: n },
        ),
      ),
    );
    fc.assert(
      fc.property(rows, (r) => {
        const s = scores(r);
        expect(top1Agreement([{ got: s, ref: s }])).toEqual({ agree: r.length, rows: r.length });
        expect(countCorrect(s, topClasses(s))).toBe(r.length);
        // Doubling every score (exact in float32) keeps every row's class.
        const shifted = { ...s, data: s.data.map((v) => 2 * v) };
        expect(Array.from(topClasses(shifted))).toEqual(Array.from(topClasses(s)));
      }),
    );
  });
});
