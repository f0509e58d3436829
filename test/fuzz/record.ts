/**
 * The record of the long fuzz run (bench/results/fuzz.md): outcome counts per kind of case and
 * the runs that made them. A run may continue an earlier one of the same seed (`--from`): the
 * counts are read back from the earlier file's table and added to the new cases'.
 */
import type { CaseResult, Outcome } from './fuzz.js';

export const outcomes: readonly Outcome[] = [
  'ok',
  'refused',
  'stack-trace',
  'bad-exit',
  'no-message',
  'hang',
];

/** Outcome counts per kind of case. */
export type Counts = ReadonlyMap<string, Readonly<Record<Outcome, number>>>;

/** One run's share of the cases. */
export interface RunPart {
  readonly from: number;
  readonly to: number;
  readonly parallel: number;
  readonly minutes: number;
  readonly slowestSeconds: number;
}

/** What an earlier record says: its seed, its cases, its runs and its counts. */
export interface FuzzRecord {
  readonly seed: number;
  readonly cases: number;
  readonly findings: number;
  readonly parts: readonly RunPart[];
  readonly counts: Counts;
}

const zero = (): Record<Outcome, number> =>
  Object.fromEntries(outcomes.map((o) => [o, 0])) as Record<Outcome, number>;

export function countOutcomes(results: readonly CaseResult[]): Counts {
  const counts = new Map<string, Record<Outcome, number>>();
  for (const r of results) {
    const row = counts.get(r.case.kind) ?? zero();
    row[r.outcome]++;
    counts.set(r.case.kind, row);
  }
  return counts;
}

export function addCounts(a: Counts, b: Counts): Counts {
  const sum = new Map<string, Record<Outcome, number>>();
  for (const counts of [a, b]) {
    for (const [kind, row] of counts) {
      const acc = sum.get(kind) ?? zero();
      for (const o of outcomes) acc[o] += row[o];
      sum.set(kind, acc);
    }
  }
  return sum;
}

export function countsTable(counts: Counts): string[] {
  const kinds = [...counts.keys()].sort();
  const all = zero();
  for (const row of counts.values()) for (const o of outcomes) all[o] += row[o];
  const line = (name: string, row: Record<Outcome, number>) =>
    `| ${name} | ${outcomes.reduce((n, o) => n + row[o], 0)} | ${outcomes.map((o) => row[o]).join(' | ')} |`;
  return [
    `| case kind | cases | ${outcomes.join(' | ')} |`,
    `|---|---:|${outcomes.map(() => '---:').join('|')}|`,
    ...kinds.map((k) => line(k, counts.get(k) ?? zero())),
    line('**all**', all),
  ];
}

export function partLine(p: RunPart): string {
  return (
    `- cases ${p.from}–${p.to - 1}: ${p.parallel} at a time, ${p.minutes.toFixed(1)} min, ` +
    `slowest case ${p.slowestSeconds.toFixed(1)} s`
  );
}

/** The record's line that names the seed and the number of cases (read back by readRecord). */
export function totalLine(
  cases: number,
  seed: number,
  capSeconds: number,
  parts: readonly RunPart[],
): string {
  return (
    `${cases} cases of seed ${seed}, each capped at ${capSeconds} s (a case that reaches the cap runs again ` +
    `with ${3 * capSeconds} s before it counts as a hang), ` +
    `${parts.reduce((m, p) => m + p.minutes, 0).toFixed(1)} min in all:`
  );
}

const partPattern =
  /^- cases (\d+)–(\d+): (\d+) at a time, ([\d.]+) min, slowest case ([\d.]+) s$/gm;
/** The one-run header of records written before runs could continue. */
const singleRunPattern =
  /^(\d+) cases, seed (\d+), (\d+) at a time, .* ([\d.]+) min in all; the slowest case took ([\d.]+) s\.$/m;
const totalPattern = /^(\d+) cases of seed (\d+),/m;

/** Reads an earlier record back; undefined when the text is not one. */
export function readRecord(markdown: string): FuzzRecord | undefined {
  let seed: number;
  let cases: number;
  let parts: RunPart[];
  const single = singleRunPattern.exec(markdown);
  const total = totalPattern.exec(markdown);
  if (single) {
    cases = Number(single[1]);
    seed = Number(single[2]);
    parts = [
      {
        from: 0,
        to: cases,
        parallel: Number(single[3]),
        minutes: Number(single[4]),
        slowestSeconds: Number(single[5]),
      },
    ];
  } else if (total) {
    cases = Number(total[1]);
    seed = Number(total[2]);
    parts = [...markdown.matchAll(partPattern)].map((m) => ({
      from: Number(m[1]),
      to: Number(m[2]) + 1,
      parallel: Number(m[3]),
      minutes: Number(m[4]),
      slowestSeconds: Number(m[5]),
    }));
  } else {
    return undefined;
  }
  const counts = new Map<string, Record<Outcome, number>>();
  const rowPattern = new RegExp(
    `^\\| (\\S+) \\| (\\d+)${' \\| (\\d+)'.repeat(outcomes.length)} \\|$`,
    'gm',
  );
  for (const m of markdown.matchAll(rowPattern)) {
    if (m[1] === '**all**') continue;
    const row = zero();
    outcomes.forEach((o, i) => (row[o] = Number(m[i + 3])));
    counts.set(m[1] ?? '', row);
  }
  const counted = [...counts.values()].reduce(
    (n, row) => n + outcomes.reduce((s, o) => s + row[o], 0),
    0,
  );
  if (counted !== cases) return undefined;
  const findings = [...counts.values()].reduce(
    (n, row) =>
      n + outcomes.filter((o) => o !== 'ok' && o !== 'refused').reduce((s, o) => s + row[o], 0),
    0,
  );
  return { seed, cases, findings, parts, counts };
}
