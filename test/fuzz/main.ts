/**
 * The long fuzz run: `make fuzz [FUZZ_CASES=n] [FUZZ_SEED=s]`, i.e.
 *
 *   npm run build && npx tsx test/fuzz/main.ts --cases 10000 --seed 1 [--parallel 2] [--cap 60]
 *
 * Runs the seeded cases (test/fuzz/cases.ts) through the built CLI and writes bench/results/fuzz.md:
 * the outcomes by kind of case, and every finding with its arguments. Exits 1 on any finding.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { fuzz, type CaseResult, type Outcome } from './fuzz.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`fuzz: --${name} must be a non-negative integer\n`);
    process.exit(2);
  }
  return n;
}

const outcomes: readonly Outcome[] = [
  'ok',
  'refused',
  'stack-trace',
  'bad-exit',
  'no-message',
  'hang',
];
const allowed: ReadonlySet<Outcome> = new Set(['ok', 'refused']);

function table(results: readonly CaseResult[]): string[] {
  const kinds = [...new Set(results.map((r) => r.case.kind))].sort();
  const count = (kind: string | null, o: Outcome) =>
    results.filter((r) => (kind === null || r.case.kind === kind) && r.outcome === o).length;
  return [
    `| case kind | cases | ${outcomes.join(' | ')} |`,
    `|---|---:|${outcomes.map(() => '---:').join('|')}|`,
    ...[...kinds, null].map((k) => {
      const n = results.filter((r) => k === null || r.case.kind === k).length;
      return `| ${k ?? '**all**'} | ${n} | ${outcomes.map((o) => count(k, o)).join(' | ')} |`;
    }),
  ];
}

async function main(): Promise<void> {
  const seed = flag('seed', 1);
  const cases = flag('cases', 200);
  const parallel = flag('parallel', 2);
  const capSeconds = flag('cap', 60);
  const start = performance.now();
  let done = 0;
  const results = await fuzz({
    seed,
    cases,
    parallel,
    capSeconds,
    onResult: (r) => {
      done++;
      if (!allowed.has(r.outcome)) {
        process.stderr.write(
          `\nfinding: case ${r.case.index} ${r.outcome}: ${r.case.args.join(' ')}\n`,
        );
      }
      if (process.stderr.isTTY) process.stderr.write(`\rfuzz: ${done}/${cases} cases`);
    },
  });
  const minutes = (performance.now() - start) / 60_000;
  const findings = results.filter((r) => !allowed.has(r.outcome));
  const slowest = [...results].sort((a, b) => b.seconds - a.seconds)[0];
  const lines = [
    '# Fuzzing the CLI',
    '',
    `\`npm run build && npx tsx test/fuzz/main.ts --cases ${cases} --seed ${seed}\` (\`make fuzz FUZZ_CASES=${cases} FUZZ_SEED=${seed}\`)`,
    '',
    `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    `${cases} cases, seed ${seed}, ${parallel} at a time, each capped at ${capSeconds} s (a case that reaches the cap runs again with ${3 * capSeconds} s before it counts as a hang): ` +
      `${minutes.toFixed(1)} min in all; the slowest case took ${slowest?.seconds.toFixed(1) ?? '0'} s.`,
    'Cases (test/fuzz/cases.ts): structure-aware mutants of models/lenet.onnx (run) and ' +
      'models/q_resnet18.onnx (compile --explain), of the gemmini spec (targets --spec, schedule), ' +
      'schedule arguments, .npy inputs, input shapes and output paths of a lenet run, and of a ' +
      'two-point sweep file (explore).',
    'Allowed outcomes: exit 0, or exit 2 with a message (`refused`); anything else is a finding.',
    '',
    ...table(results),
    '',
    findings.length === 0 ? 'No findings.' : `${findings.length} findings:`,
    ...findings.map(
      (r) =>
        `- case ${r.case.index} (${r.case.kind}: ${r.case.what}), ${r.outcome}, exit ${r.status}: ` +
        `\`gemmforge ${r.case.args.join(' ')}\`\n\n  \`\`\`\n  ${r.stderr.split('\n').join('\n  ')}\n  \`\`\``,
    ),
    '',
  ];
  const file = join(import.meta.dirname, '..', '..', 'bench', 'results', 'fuzz.md');
  writeFileSync(file, lines.join('\n'));
  process.stderr.write(`\nwrote ${file}: ${findings.length} findings\n`);
  process.exitCode = findings.length === 0 ? 0 : 1;
}

await main();
