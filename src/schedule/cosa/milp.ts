import { InternalError } from '../../errors.js';

/**
 * A mixed-integer linear program as plain data, and its CPLEX LP text (what HiGHS reads). Variables
 * and rows keep the order they were added in, so the same model always prints the same text.
 * Names follow docs/scheduling.md §6: `[A-Za-z][A-Za-z0-9_]*` with a type prefix.
 */
export type VarKind = 'binary' | 'continuous';
export type Sense = '<=' | '>=' | '=';

export interface MilpVar {
  readonly name: string;
  readonly kind: VarKind;
  readonly lower: number;
  readonly upper: number;
}

export interface MilpRow {
  readonly name: string;
  readonly terms: ReadonlyMap<string, number>;
  readonly sense: Sense;
  readonly rhs: number;
}

export interface Milp {
  readonly vars: Map<string, MilpVar>;
  readonly rows: MilpRow[];
  readonly objective: Map<string, number>;
}

export function createMilp(): Milp {
  return { vars: new Map(), rows: [], objective: new Map() };
}

const namePattern = /^[A-Za-z][A-Za-z0-9_]*$/;

export function addVar(m: Milp, name: string, kind: VarKind, lower = 0, upper = 1): string {
  if (!namePattern.test(name)) throw new InternalError(`bad MILP variable name "${name}"`);
  if (m.vars.has(name)) throw new InternalError(`MILP variable "${name}" defined twice`);
  m.vars.set(name, { name, kind, lower, upper });
  return name;
}

/** Adds a row; duplicate terms are merged, zero coefficients dropped. */
export function addRow(
  m: Milp,
  name: string,
  terms: readonly (readonly [string, number])[],
  sense: Sense,
  rhs: number,
): void {
  if (!namePattern.test(name)) throw new InternalError(`bad MILP row name "${name}"`);
  const merged = new Map<string, number>();
  for (const [v, c] of terms) {
    if (!m.vars.has(v)) throw new InternalError(`row ${name} uses the undefined variable "${v}"`);
    merged.set(v, (merged.get(v) ?? 0) + c);
  }
  for (const [v, c] of merged) if (Math.abs(c) < 1e-12) merged.delete(v);
  m.rows.push({ name, terms: merged, sense, rhs });
}

export function addObjective(m: Milp, v: string, c: number): void {
  m.objective.set(v, (m.objective.get(v) ?? 0) + c);
}

function num(x: number): string {
  return Number(x.toPrecision(12)).toString();
}

function linear(terms: ReadonlyMap<string, number>): string {
  const parts: string[] = [];
  for (const [v, c] of terms) {
    const sign = c < 0 ? '-' : '+';
    parts.push(`${sign} ${num(Math.abs(c))} ${v}`);
  }
  if (parts.length === 0) return '0';
  const text = parts.join(' ');
  return text.startsWith('+ ') ? text.slice(2) : text;
}

/** The model as CPLEX LP text, lines wrapped so no line grows too long for the reader. */
export function lpText(m: Milp): string {
  const out: string[] = ['Minimize'];
  const objective = new Map([...m.objective].filter(([, c]) => Math.abs(c) >= 1e-12));
  out.push(` obj: ${wrap(linear(objective))}`);
  out.push('Subject To');
  for (const r of m.rows) {
    out.push(` ${r.name}: ${wrap(linear(r.terms))} ${r.sense} ${num(r.rhs)}`);
  }
  out.push('Bounds');
  for (const v of m.vars.values()) out.push(` ${num(v.lower)} <= ${v.name} <= ${num(v.upper)}`);
  const binaries = [...m.vars.values()].filter((v) => v.kind === 'binary').map((v) => v.name);
  if (binaries.length > 0) {
    out.push('Binaries');
    for (let i = 0; i < binaries.length; i += 8) out.push(` ${binaries.slice(i, i + 8).join(' ')}`);
  }
  out.push('End');
  return out.join('\n') + '\n';
}

function wrap(text: string): string {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length + w.length > 200 && (w === '+' || w === '-')) {
      lines.push(line);
      line = '';
    }
    line = line.length === 0 ? w : `${line} ${w}`;
  }
  lines.push(line);
  return lines.join('\n  ');
}

/** Row activity of a solution (for checks and decoding). */
export function rowValue(r: MilpRow, values: ReadonlyMap<string, number>): number {
  let s = 0;
  for (const [v, c] of r.terms) s += c * (values.get(v) ?? 0);
  return s;
}
