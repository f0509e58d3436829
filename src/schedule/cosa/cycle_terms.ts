import { addRow, addVar, type Milp } from './milp.js';

/**
 * Cycle variables of a log-linear term (docs/scheduling.md §5): ℓ = c + Σ a·x is a log2 of cycles (in
 * units of ideal MAC cycles); X ≥ 2^ℓ through tangents of 2^x every `tangentStep` (each ≤ 1.5% under),
 * via an auxiliary lg = ℓ so every tangent row has two nonzeros. Tangents cover [max(lo, −8),
 * min(hi, 12)] of ℓ's range: terms below 2^−8 do not matter, mappings 2^12 times the ideal are never
 * chosen. The range comes from the variables' bounds, with one-hot groups (a dim's tile choice, a
 * tensor's refetch or panel variables per dim) contributing one member each.
 */
export interface Expr {
  readonly constant: number;
  readonly terms: readonly (readonly [string, number])[];
}

export interface TermGroups {
  readonly groupOf: Map<string, string>;
  readonly groupSize: Map<string, number>;
}

const tangentStep = 0.5;
const maxTangents = 48;
const lowest = -8;
const highest = 12;

export function createTermGroups(): TermGroups {
  return { groupOf: new Map(), groupSize: new Map() };
}

/**
 * Puts a variable in a group for range computations; `exactlyOne` groups (keys starting with `y`)
 * always have one member at 1, the others at most one.
 */
export function group(g: TermGroups, name: string, key: string): string {
  g.groupOf.set(name, key);
  g.groupSize.set(key, (g.groupSize.get(key) ?? 0) + 1);
  return name;
}

function range(m: Milp, g: TermGroups, e: Expr): [number, number] {
  let lo = e.constant;
  let hi = e.constant;
  const groups = new Map<string, number[]>();
  for (const [n, c] of e.terms) {
    const key = g.groupOf.get(n);
    if (key !== undefined) {
      groups.set(key, [...(groups.get(key) ?? []), c]);
      continue;
    }
    const v = m.vars.get(n);
    const l = v?.lower ?? 0;
    const u = v?.upper ?? 1;
    lo += Math.min(c * l, c * u);
    hi += Math.max(c * l, c * u);
  }
  for (const [key, cs] of groups) {
    // Members of w and z groups may all be 0; a y group always has one member at 1.
    const all = cs.length < (g.groupSize.get(key) ?? 0) || !key.startsWith('y') ? [...cs, 0] : cs;
    lo += Math.min(...all);
    hi += Math.max(...all);
  }
  return [lo, hi];
}

/** Adds `lg_<name>`, `X_<name>` ≥ 2^ℓ and their rows; returns X's name. */
export function cycleVariable(m: Milp, g: TermGroups, name: string, e: Expr): string {
  const [lo, rawHi] = range(m, g, e);
  const hi = Math.min(rawHi, highest);
  const lg = addVar(m, `lg_${name}`, 'continuous', lo - 1, Math.max(rawHi, lo) + 1);
  addRow(
    m,
    `def_${name}`,
    [[lg, 1], ...e.terms.map(([n, c]) => [n, -c] as [string, number])],
    '=',
    e.constant,
  );
  const x = addVar(m, `X_${name}`, 'continuous', 0, 2 ** (hi + 0.5));
  const from = Math.max(lo, lowest);
  const step = Math.max(tangentStep, (hi - from) / maxTangents);
  for (let x0 = hi, k = 0; x0 >= from - 1e-9; x0 -= step, k++) {
    // X ≥ 2^x0·(1 + ln2·(lg − x0))
    const p = Math.pow(2, x0);
    addRow(
      m,
      `tan_${name}_${k}`,
      [
        [x, 1],
        [lg, -p * Math.LN2],
      ],
      '>=',
      p * (1 - Math.LN2 * x0),
    );
  }
  return x;
}
