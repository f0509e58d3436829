/**
 * cosa against DOSA's mappings on the layers of bench/data/firesim-gemmini, each on its row's
 * scratchpad and accumulator sizes, all three timed by our simulator (timing only): the row's DOSA
 * mapping as the data ran it (bench/firesim.ts), gemmini.h's own tiling (the baseline) and cosa's
 * mapping. DOSA mappings the library ran unchecked (tiles beyond what the loop instructions may
 * use, see bench/firesim.ts) are compared as they ran, and summarised apart.
 *
 *   npm run build && npx tsx bench/cosa-vs-dosa.ts [--rows all|small]
 *
 * Writes bench/results/cosa-vs-dosa.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { simulatedCycles } from '../dist/runtime/run_layer.js';
import { schedule } from '../dist/schedule/schedulers.js';
import { targetByName } from '../dist/targets/index.js';
import { macs } from '../dist/workload/shape.js';
import { loadFiresimRows, targetsForRows } from './firesim-data.js';
import { evaluateRowsOn, type RowResult } from './firesim.js';
import { geomean, machineLine } from './stats.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

interface Compared {
  readonly r: RowResult;
  readonly cosa: number;
  readonly solveSeconds: number;
}

function summary(label: string, rows: readonly Compared[]): string {
  if (rows.length === 0) return `| ${label} | 0 | – | – | – |`;
  const vsDosa = rows.map((c) => c.cosa / c.r.mappedOurs!);
  const vsAuto = rows.map((c) => c.cosa / c.r.autoOurs);
  const atLeast = vsDosa.filter((x) => x <= 1).length;
  return (
    `| ${label} | ${rows.length} | ${atLeast} (${((100 * atLeast) / rows.length).toFixed(0)}%) | ` +
    `${geomean(vsDosa).toFixed(3)} | ${geomean(vsAuto).toFixed(3)} |`
  );
}

function main(): void {
  const small = (arg('rows') ?? 'all') === 'small';
  const spec = targetByName('gemmini').spec;
  const rows = loadFiresimRows().filter((r) => !small || macs(r.workload) <= 2e8);
  const started = performance.now();
  const results = evaluateRowsOn(spec, rows);
  const targetOf = targetsForRows(spec, rows);
  const compared: Compared[] = [];
  for (const r of results) {
    if (r.mappedOurs === null) continue;
    const target = targetOf(r.row);
    const s = schedule('cosa', r.row.workload, target, {
      evaluate: simulatedCycles,
      seed: 0,
      timeLimitSeconds: 60,
    });
    compared.push({
      r,
      cosa: simulatedCycles(target, r.row.workload, s.mapping),
      solveSeconds: s.solveSeconds,
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const checked = compared.filter((c) => !c.r.mappedUnchecked);
  const unchecked = compared.filter((c) => c.r.mappedUnchecked);
  const lines = [
    "# cosa against DOSA's mappings, on the FireSim data's layers",
    '',
    `\`npm run build && npx tsx bench/cosa-vs-dosa.ts${small ? ' --rows small' : ''}\``,
    '',
    machineLine(),
    `${rows.length} rows${small ? ' (--rows small: at most 2·10^8 MACs)' : ''} of bench/data/firesim-gemmini, ` +
      `each on its own scratchpad/accumulator sizes; ${compared.length} have a DOSA mapping we run. ` +
      `Every figure is our simulator's (timing only; the model bench/results/firesim.md measures ` +
      `against FireSim). ${seconds.toFixed(0)} s in all.`,
    '',
    '| DOSA mappings | rows | cosa at least as fast | geomean cosa/DOSA | geomean cosa/baseline |',
    '|---|---:|---:|---:|---:|',
    summary("within the loop instructions' rules", checked),
    summary('run unchecked by the library (bench/firesim.ts)', unchecked),
    summary('all', compared),
    '',
    'Goals (issue 14): cosa at least as fast on ≥ 90% of the layers, geomean cosa/DOSA ≤ 0.95.',
    '',
    "The baseline is gemmini.h's tiling for the default buffer sizes, timed on the row's sizes where " +
      'its tiles fit and on the default ones where they do not (as in bench/firesim.ts).',
    '',
    '## Every row',
    '',
    '| data | sp/acc rows | DOSA | baseline | cosa | cosa/DOSA | cosa solve s |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...compared.map(
      (c) =>
        `| ${c.r.row.folder}/${c.r.row.network}#${c.r.row.index} | ${c.r.row.spRows}/${c.r.row.accRows} | ` +
        `${c.r.mappedOurs}${c.r.mappedUnchecked ? ' (u)' : ''} | ${c.r.autoOurs} | ${c.cosa} | ` +
        `${(c.cosa / c.r.mappedOurs!).toFixed(2)} | ${c.solveSeconds.toFixed(2)} |`,
    ),
  ];
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/cosa-vs-dosa.md', lines.join('\n') + '\n');
  console.log(lines.slice(0, 16).join('\n'));
}

main();
