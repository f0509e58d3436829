import type { Command } from 'commander';
import { InputError } from '../errors.js';
import {
  parsePositiveInteger,
  parseSeconds,
  parseSeed,
  parseVerifyData,
  timeLimitDefaults,
} from './options.js';
import { layerReport } from '../driver/layer_report.js';
import type { LayerReport } from '../results/layer_report.js';
import { schedule, schedulerNames } from '../schedule/schedulers.js';
import { defaultTargetName, resolveTarget } from '../targets/index.js';
import { canonicalWorkload } from '../workload/canonical.js';
import { parseConv, parseGemm } from '../workload/parse.js';
import type { Workload } from '../workload/workload.js';
import { formatBytes, formatTable } from './table.js';
import { simulatedCycles } from '../runtime/run_layer.js';
import type { VerifyDataKind } from '../runtime/layer_data.js';
import { candidateBudgets } from '../schedule/exhaustive.js';

interface ScheduleFlags {
  target: string;
  gemm?: string;
  conv?: string;
  scheduler: string;
  verify?: boolean;
  data: string;
  json?: boolean;
  seed: string;
  timeLimit?: string;
  budget?: string;
  refine?: string;
  relu?: boolean;
  bias: boolean;
}

function workloadOf(f: ScheduleFlags): Workload {
  const opts = { bias: f.bias, activation: f.relu ? ('relu' as const) : ('none' as const) };
  if ((f.gemm === undefined) === (f.conv === undefined)) {
    throw new InputError(
      'give exactly one shape: --gemm M,N,K or --conv N=..,H=..,W=..,C=..,K=..,R=..,S=..',
    );
  }
  return f.gemm !== undefined ? parseGemm(f.gemm, opts) : parseConv(f.conv as string, opts);
}

const verifyDataWords: Readonly<Record<VerifyDataKind, string>> = {
  random: 'seeded random data',
  extreme: 'worst-case data',
};

const limitDescriptions: Readonly<Record<NonNullable<LayerReport['limitHit']>, string>> = {
  time: 'the wall-clock safety net (--time-limit): the result may depend on the machine',
  nodes: 'its MIP node limit (deterministic)',
  solutions: 'its limit on improving MIP solutions (deterministic)',
  candidates: 'its candidate budget (--budget, deterministic)',
};

function printReport(r: LayerReport): void {
  const m = r.mapping;
  const out: string[] = [];
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  out.push(
    `${r.workload.name} on ${r.target}, scheduler ${r.scheduler}` +
      ` (${r.mappingsTried} mapping${r.mappingsTried === 1 ? '' : 's'}, ${r.solveSeconds.toFixed(2)} s)`,
  );
  if (r.fallback !== null) out.push(`  fallback: ${r.fallback.reason}`);
  if (r.limitHit !== null) out.push(`  the search stopped at ${limitDescriptions[r.limitHit]}`);
  out.push('');
  out.push(`mapping: ${m.dataflow}, array rows ← ${m.spatial.rows}, columns ← ${m.spatial.cols}`);
  const dims = m.order;
  out.push(
    formatTable(
      ['', ...dims],
      [
        ['tile', ...dims.map((d) => String(m.tile[d] ?? '-'))],
        ['trips', ...dims.map((d) => String(r.trips[d] ?? 1))],
      ],
    ),
  );
  out.push(`DRAM loop order (outer → inner): ${dims.join(' ')}`);
  const db = Object.entries(m.doubleBuffer)
    .filter(([, on]) => on)
    .map(([t]) => t);
  out.push(`double-buffered: ${db.length > 0 ? db.join(', ') : 'none'}`);
  const resident = Object.entries(m.resident).filter(([, ds]) => ds.length > 0);
  if (resident.length > 0)
    out.push(`resident: ${resident.map(([t, ds]) => `${t} over ${ds.join(',')}`).join('; ')}`);
  out.push('');
  out.push(
    formatTable(
      ['memory', 'used', 'of capacity'],
      Object.entries(r.occupancy).map(([name, o]) => [name, formatBytes(o.bytes), pct(o.fraction)]),
    ),
  );
  out.push('');
  out.push(
    formatTable(
      ['cycles', ''],
      [
        ['predicted (cost model)', String(r.predictedCycles)],
        ['simulated', String(r.simulatedCycles)],
        ['roofline bound', String(r.rooflineCycles)],
      ],
    ),
  );
  out.push(
    `time ${(r.seconds * 1e6).toFixed(1)} µs; utilization ${pct(r.utilization)}; ` +
      `${pct(r.rooflineCycles / r.simulatedCycles)} of the roofline`,
  );
  out.push(
    `MACs ${r.macs}; instructions ${r.instructions}; DRAM read ${formatBytes(r.dramBytes.read)}, ` +
      `written ${formatBytes(r.dramBytes.write)}`,
  );
  out.push(
    `busy: load ${Math.round(r.busyCycles.load)}, execute ${Math.round(r.busyCycles.execute)}, ` +
      `store ${Math.round(r.busyCycles.store)} cycles`,
  );
  for (const c of r.checks ?? []) {
    out.push(
      c.mismatches === 0
        ? `verify (${verifyDataWords[c.data]}): bit-exact against the integer reference`
        : `verify (${verifyDataWords[c.data]}): ${c.mismatches} outputs differ from the integer reference`,
    );
  }
  process.stdout.write(out.join('\n') + '\n');
}

export function registerSchedule(program: Command): void {
  program
    .command('schedule')
    .description('schedule one GEMM or conv layer on a target, simulate it, and report')
    .option('--target <name|file.json>', 'a built-in target or a spec file', defaultTargetName)
    .option('--gemm <M,N,K>', 'a GEMM: A[M×K] · B[K×N]')
    .option(
      '--conv <spec>',
      'a conv: N=1,H=56,W=56,C=64,K=64,R=3,S=3,stride=1,pad=1[,dilation=1][,groups=1]',
    )
    .option('--scheduler <name>', `one of ${schedulerNames().join(', ')}`, 'cosa')
    .option(
      '--verify',
      'simulate on seeded random data and compare every output with the integer reference',
    )
    .option(
      '--data <kind>',
      '--verify on random (seeded), extreme (operands at the ends of the int8 range, every ' +
        'partial sum at its largest magnitude) or both',
      'both',
    )
    .option('--seed <n>', 'seed of the random data for --verify', '0')
    .option(
      '--time-limit <seconds>',
      'wall-clock safety net of searching schedulers, which stop at deterministic work limits ' +
        `first: per MIP for cosa and cosa-even (default ${timeLimitDefaults.mip}), the whole ` +
        `search for exhaustive (default ${timeLimitDefaults.exhaustiveLayer})`,
    )
    .option(
      '--budget <n>',
      `exhaustive: candidate mappings it evaluates (default ${candidateBudgets.layer})`,
    )
    .option(
      '--refine <n>',
      'cosa, cosa-even: keep the n best solutions of each MIP and simulate them, keeping the fastest',
    )
    .option('--relu', 'apply ReLU on the output')
    .option('--no-bias', 'no bias')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  gemmforge schedule --gemm 128,768,768\n' +
        '  gemmforge schedule --conv N=1,H=56,W=56,C=64,K=64,R=3,S=3,stride=1,pad=1 --scheduler exhaustive --verify\n' +
        '  gemmforge schedule --target my_accel.json --gemm 49,1000,64 --json',
    )
    .action((f: ScheduleFlags) => {
      const target = resolveTarget(f.target);
      const w = canonicalWorkload(workloadOf(f));
      const seed = parseSeed(f.seed);
      const mip = f.scheduler.startsWith('cosa');
      const timeLimitSeconds =
        f.timeLimit === undefined
          ? mip
            ? timeLimitDefaults.mip
            : timeLimitDefaults.exhaustiveLayer
          : parseSeconds(f.timeLimit, '--time-limit');
      const refine =
        f.refine === undefined ? undefined : parsePositiveInteger(f.refine, '--refine');
      const budget =
        f.budget === undefined ? undefined : parsePositiveInteger(f.budget, '--budget');
      const result = schedule(f.scheduler, w, target, {
        evaluate: simulatedCycles,
        seed,
        timeLimitSeconds,
        ...(refine === undefined ? {} : { refine }),
        ...(budget === undefined ? {} : { candidateBudget: budget }),
      });
      if (result.limitHit === 'time' && !f.json) {
        process.stderr.write(
          `gemmforge: warning: ${result.scheduler}: the search stopped at the wall-clock safety net ` +
            '(--time-limit); the result may differ on a faster or idler machine\n',
        );
      }
      if (result.fallback !== null && !f.json) {
        process.stderr.write(
          `gemmforge: warning: ${result.scheduler}: ${result.fallback.reason}\n`,
        );
      }
      const report = layerReport(w, target, result, {
        verify: f.verify === true,
        seed,
        data: parseVerifyData(f.data),
      });
      if (f.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else printReport(report);
      if (report.verified === false) process.exitCode = 1;
    });
}
