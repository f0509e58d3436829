import { describe, expect, it } from 'vitest';
import {
  addObjective,
  addRow,
  addVar,
  createMilp,
  lpText,
} from '../../../src/schedule/cosa/milp.js';
import { highsSolver } from '../../../src/schedule/cosa/solve.js';
import { InternalError } from '../../../src/errors.js';

function knapsack() {
  const m = createMilp();
  addVar(m, 'b_a', 'binary');
  addVar(m, 'b_b', 'binary');
  addVar(m, 'x_c', 'continuous', 0, 2.5);
  addRow(
    m,
    'cap',
    [
      ['b_a', 3],
      ['b_b', 4],
      ['x_c', 1],
      ['b_a', 1],
    ],
    '<=',
    6,
  );
  addObjective(m, 'b_a', -5);
  addObjective(m, 'b_b', -4);
  addObjective(m, 'x_c', -1);
  return m;
}

const work = { maxNodes: 100, maxImprovingSolutions: null, presolve: true };

describe('MILP as data and LP text', () => {
  it('prints deterministic LP text, duplicate terms merged', () => {
    const text = lpText(knapsack());
    expect(text).toBe(lpText(knapsack()));
    expect(text).toContain(' cap: 4 b_a + 4 b_b + 1 x_c <= 6');
    expect(text).toContain('Binaries\n b_a b_b\nEnd');
  });

  it('HiGHS solves it', () => {
    const r = highsSolver(lpText(knapsack()), {
      timeLimitSeconds: 5,
      mipRelGap: 1e-6,
      work,
    });
    expect(r.kind).toBe('solution');
    if (r.kind !== 'solution') return;
    expect(r.limit).toBeNull();
    // b_a (4 units, value 5) + x_c = 2: −7 beats b_b + x_c (−6.0) and b_a alone.
    expect(r.objective).toBeCloseTo(-7, 6);
    expect(r.values.get('b_a')).toBeCloseTo(1);
    expect(r.values.get('x_c')).toBeCloseTo(2);
  });

  it('an infeasible model is a no-solution outcome, not a throw', () => {
    const m = createMilp();
    addVar(m, 'x', 'continuous', 0, 1);
    addRow(m, 'c', [['x', 1]], '>=', 2);
    addObjective(m, 'x', 1);
    const r = highsSolver(lpText(m), { timeLimitSeconds: 1, mipRelGap: 1e-3, work });
    expect(r.kind).toBe('no-solution');
  });

  it('rejects bad names and undefined variables', () => {
    const m = createMilp();
    expect(() => addVar(m, 'x[1]', 'binary')).toThrow(InternalError);
    expect(() => addRow(m, 'r', [['nope', 1]], '<=', 1)).toThrow(InternalError);
  });
});
