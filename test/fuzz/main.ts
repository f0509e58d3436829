/**
 * The long fuzz run: `make fuzz [FUZZ_CASES=n] [FUZZ_SEED=s]`, i.e.
 *
 *   npm run build && npx tsx test/fuzz/main.ts --cases 10000 --seed 1 [--from 0] [--parallel 2] [--cap 60]
 *
 * Runs the seeded cases (test/fuzz/cases.ts) through the built CLI and writes bench/results/fuzz.md:
 * the outcomes by kind of case, and every finding with its arguments. Exits 1 on any finding.
 * `--from F` continues a finding-free record of cases 0 … F−1 of the same seed (test/fuzz/record.ts).
 * `--only i,j,…` runs just those cases of the seed on this build and prints their outcomes (to
 * recheck findings after a fix); the record is left as it is.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { fuzz, type Outcome } from './fuzz.js';
import {
  addCounts,
  countOutcomes,
  countsTable,
  partLine,
  readRecord,
  totalLine,
  type RunPart,
} from './record.js';

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

const allowed: ReadonlySet<Outcome> = new Set(['ok', 'refused']);

const file = join(import.meta.dirname, '..', '..', 'bench', 'results', 'fuzz.md');

function fail(message: string): never {
  process.stderr.write(`fuzz: ${message}\n`);
  process.exit(2);
}

/** `--only i,j,…`: the listed cases, each run as in a full run, their outcomes printed. */
async function only(seed: number, list: string, capSeconds: number): Promise<void> {
  const indices = list.split(',').map(Number);
  if (!indices.every((i) => Number.isInteger(i) && i >= 0)) fail(`--only ${list}: case numbers`);
  let findings = 0;
  for (const i of indices) {
    const [r] = await fuzz({ seed, cases: i + 1, from: i, parallel: 1, capSeconds });
    if (!allowed.has(r.outcome)) findings++;
    const first = r.stderr.split('\n')[0] ?? '';
    process.stdout.write(`case ${i} (${r.case.kind}): ${r.outcome}, exit ${r.status}: ${first}\n`);
  }
  process.exitCode = findings === 0 ? 0 : 1;
}

async function main(): Promise<void> {
  const seed = flag('seed', 1);
  const onlyAt = process.argv.indexOf('--only');
  if (onlyAt >= 0) return only(seed, process.argv[onlyAt + 1] ?? '', flag('cap', 60));
  const cases = flag('cases', 200);
  const from = flag('from', 0);
  const parallel = flag('parallel', 2);
  const capSeconds = flag('cap', 60);
  if (from >= cases) fail(`--from ${from} must be below --cases ${cases}`);
  const earlier = from > 0 && existsSync(file) ? readRecord(readFileSync(file, 'utf8')) : undefined;
  if (from > 0) {
    if (!earlier) fail(`--from ${from}: ${file} holds no record to continue`);
    if (earlier.seed !== seed || earlier.cases !== from) {
      fail(`--from ${from}: ${file} records cases 0–${earlier.cases - 1} of seed ${earlier.seed}`);
    }
    if (earlier.findings > 0) fail(`--from ${from}: the earlier run has findings; fix them first`);
  }
  const start = performance.now();
  let done = 0;
  const results = await fuzz({
    seed,
    cases,
    from,
    parallel,
    capSeconds,
    onResult: (r) => {
      done++;
      if (!allowed.has(r.outcome)) {
        process.stderr.write(
          `\nfinding: case ${r.case.index} ${r.outcome}: ${r.case.args.join(' ')}\n`,
        );
      }
      if (process.stderr.isTTY) process.stderr.write(`\rfuzz: ${done}/${cases - from} cases`);
    },
  });
  const findings = results.filter((r) => !allowed.has(r.outcome));
  const part: RunPart = {
    from,
    to: cases,
    parallel,
    minutes: (performance.now() - start) / 60_000,
    slowestSeconds: Math.max(0, ...results.map((r) => r.seconds)),
  };
  const parts = [...(earlier?.parts ?? []), part];
  const counts = earlier
    ? addCounts(earlier.counts, countOutcomes(results))
    : countOutcomes(results);
  const lines = [
    '# Fuzzing the CLI',
    '',
    `\`npm run build && npx tsx test/fuzz/main.ts --cases ${cases} --seed ${seed}\` (\`make fuzz FUZZ_CASES=${cases} FUZZ_SEED=${seed}\`)` +
      (parts.length > 1
        ? `, in ${parts.length} runs (\`--from F\` continues a record of cases 0 … F−1)`
        : ''),
    '',
    `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    totalLine(cases, seed, capSeconds, parts),
    ...parts.map(partLine),
    '',
    'Cases (test/fuzz/cases.ts): structure-aware mutants of models/lenet.onnx (run) and ' +
      'models/q_resnet18.onnx (compile --explain), of the gemmini spec (targets --spec, schedule), ' +
      'schedule arguments, .npy inputs, input shapes and output paths of a lenet run, and of a ' +
      'two-point sweep file (explore).',
    'Allowed outcomes: exit 0, or exit 2 with a message (`refused`); anything else is a finding.',
    '',
    ...countsTable(counts),
    '',
    findings.length === 0 ? 'No findings.' : `${findings.length} findings:`,
    ...findings.map(
      (r) =>
        `- case ${r.case.index} (${r.case.kind}: ${r.case.what}), ${r.outcome}, exit ${r.status}: ` +
        `\`gemmforge ${r.case.args.join(' ')}\`\n\n  \`\`\`\n  ${r.stderr.split('\n').join('\n  ')}\n  \`\`\``,
    ),
    '',
  ];
  writeFileSync(file, lines.join('\n'));
  process.stderr.write(`\nwrote ${file}: ${findings.length} findings\n`);
  process.exitCode = findings.length === 0 ? 0 : 1;
}

await main();
