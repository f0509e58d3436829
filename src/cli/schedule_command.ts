import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { AnyTarget } from '../contract/target.js';
import { InputError } from '../errors.js';
import { parseMappingText } from '../mapping/mapping_json.js';
import { parseTimeloopMapping } from '../mapping/timeloop.js';
import type { ScheduleResult } from '../schedule/scheduler.js';
import { partialSumOverflow } from '../schedule/partial_sums.js';
import {
  maxRefine,
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
import { checkLayerWork } from '../driver/work_limit.js';
import { maxMacsOption } from './model_options.js';
import type { VerifyDataKind } from '../runtime/layer_data.js';
import { progressReporter } from './progress.js';
import { candidateBudgets } from '../schedule/exhaustive.js';
import { limitingFactor } from '../report/limits.js';
import type { Spec } from '../spec/spec.js';

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
  maxMacs: string;
  mapping?: string;
  mappingTimeloop?: string;
  keepConv?: boolean;
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

/**
 * The layer as it runs: a 1×1 stride-1 conv becomes the GEMM over the same bytes unless --keep-conv.
 * A Timeloop mapping names a conv's loops, so it needs the conv kept (docs/mappings.md §3).
 */
function runnableWorkload(f: ScheduleFlags): Workload {
  const shape = workloadOf(f);
  if (f.keepConv === true) return shape;
  const w = canonicalWorkload(shape);
  if (f.mappingTimeloop !== undefined && shape.kind === 'conv' && w.kind === 'gemm') {
    throw new InputError(
      '--mapping-timeloop: this 1×1 stride-1 conv would run as a GEMM, whose loops the ' +
        'notation does not name: add --keep-conv to run it as a convolution, or give it as ' +
        '--gemm M,N,K (M = N·H·W pixels; the letters P, C, K then name M, K, N)',
    );
  }
  return w;
}

/** The user's mapping (--mapping or --mapping-timeloop) as a schedule result, or null. */
function userMapping(f: ScheduleFlags, w: Workload, target: AnyTarget): ScheduleResult | null {
  if (f.mapping !== undefined && f.mappingTimeloop !== undefined) {
    throw new InputError('give at most one of --mapping and --mapping-timeloop');
  }
  let mapping;
  if (f.mapping !== undefined) {
    let text: string;
    try {
      text = readFileSync(f.mapping, 'utf8');
    } catch (e) {
      throw new InputError(`${f.mapping}: cannot be read: ${(e as Error).message}`);
    }
    mapping = parseMappingText(text, f.mapping);
  } else if (f.mappingTimeloop !== undefined) {
    mapping = parseTimeloopMapping(f.mappingTimeloop, w, target.spec);
  } else {
    return null;
  }
  return {
    scheduler: 'user',
    mapping,
    solveSeconds: 0,
    mappingsTried: 1,
    complete: true,
    fallback: null,
    limitHit: null,
  };
}

function printReport(r: LayerReport, spec: Spec): void {
  const m = r.mapping;
  const out: string[] = [];
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  out.push(
    r.mappingSource === 'user'
      ? `${r.workload.name} on ${r.target}, the user's mapping`
      : `${r.workload.name} on ${r.target}, scheduler ${r.scheduler}` +
          ` (${r.mappingsTried} mapping${r.mappingsTried === 1 ? '' : 's'}, ` +
          `${r.solveSeconds.toFixed(2)} s)`,
  );
  if (r.fallback !== null) out.push(`  fallback: ${r.fallback.reason}`);
  if (r.limitHit !== null) out.push(`  the search stopped at ${limitDescriptions[r.limitHit]}`);
  out.push('');
  out.push(
    `mapping: ${m.dataflow}, array rows ← ${m.spatial.rows}` +
      `${m.foldKernelColumns === true ? ' (kernel columns folded in)' : ''}, ` +
      `columns ← ${m.spatial.cols}`,
  );
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
      `store ${Math.round(r.busyCycles.store)} cycles; host issuing ${Math.round(r.hostCycles ?? 0)}` +
      (r.generatedInstructions
        ? ` (the loop unroller generated ${r.generatedInstructions} instructions)`
        : '') +
      (r.translationStallCycles
        ? `; address-translation stalls ${Math.round(r.translationStallCycles)}`
        : ''),
  );
  const limit = limitingFactor(r, spec);
  out.push(`bound: ${limit.kind}. ${limit.explanation}`);
  if (r.librarySearchCycles !== undefined && r.librarySearchCycles > 0) {
    out.push(
      `the vendor library, tiling at run time, would also spend ${r.librarySearchCycles} host cycles ` +
        'searching for these tiles (hostCyclesPerTilingCheck per candidate it checks); ' +
        'the programs gemmforge emits have them fixed',
    );
  }
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
    .option(
      '--mapping <file.json>',
      'run this mapping (JSON, docs/mappings.md) instead of scheduling',
    )
    .option(
      '--mapping-timeloop <text>',
      "run a mapping in Timeloop notation, e.g. 'L3[WIO] K12 - L2[WI] N1 K16X - L1[O] K4 C48 P4 C16X - L0[W] P32'",
    )
    .option(
      '--keep-conv',
      'run a 1×1 stride-1 conv as a convolution, not as the GEMM over its bytes',
    )
    .option('--relu', 'apply ReLU on the output')
    .option('--no-bias', 'no bias')
    .option('--json', 'print the report as JSON')
    .option(...maxMacsOption)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  gemmforge schedule --gemm 128,768,768\n' +
        '  gemmforge schedule --conv N=1,H=56,W=56,C=64,K=64,R=3,S=3,stride=1,pad=1 --scheduler exhaustive --verify\n' +
        '  gemmforge schedule --target my_accel.json --gemm 49,1000,64 --json\n' +
        '  gemmforge schedule --gemm 128,768,768 --mapping-timeloop ' +
        "'L3[WIO] K12 - L2[WI] N1 K16X - L1[O] K4 C48 P4 C16X - L0[W] P32' --verify",
    )
    .action((f: ScheduleFlags, cmd: Command) => {
      const target = resolveTarget(f.target);
      const w = runnableWorkload(f);
      checkLayerWork(w, target.spec, parsePositiveInteger(f.maxMacs, '--max-macs'));
      const seed = parseSeed(f.seed);
      const user = userMapping(f, w, target);
      if (user !== null) {
        const given = ['scheduler', 'refine', 'timeLimit', 'budget'].filter(
          (o) => cmd.getOptionValueSource(o) === 'cli',
        );
        if (given.length > 0) {
          throw new InputError(
            `a given mapping is not scheduled: drop --${given.map(kebab).join(', --')}`,
          );
        }
      }
      const result = user ?? scheduleLayer(f, w, target, seed);
      if (result.fallback !== null && !f.json) {
        process.stderr.write(
          `gemmforge: warning: ${result.scheduler}: ${result.fallback.reason}\n`,
        );
      }
      const overflow = partialSumOverflow(w, result.mapping, target.spec);
      if (overflow !== null && !f.json) {
        process.stderr.write(
          `gemmforge: warning: ${result.scheduler}'s mapping can overflow: ${overflow.message}\n`,
        );
      }
      const report = layerReport(w, target, result, {
        verify: f.verify === true,
        seed,
        data: parseVerifyData(f.data),
        mappingSource: user === null ? 'scheduler' : 'user',
      });
      if (f.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else printReport(report, target.spec);
      if (report.verified === false) process.exitCode = 1;
    });
}

function scheduleLayer(
  f: ScheduleFlags,
  w: Workload,
  target: AnyTarget,
  seed: number,
): ScheduleResult {
  const mip = f.scheduler.startsWith('cosa');
  const timeLimitSeconds =
    f.timeLimit === undefined
      ? mip
        ? timeLimitDefaults.mip
        : timeLimitDefaults.exhaustiveLayer
      : parseSeconds(f.timeLimit, '--time-limit');
  const refine =
    f.refine === undefined ? undefined : parsePositiveInteger(f.refine, '--refine', maxRefine);
  const budget = f.budget === undefined ? undefined : parsePositiveInteger(f.budget, '--budget');
  const progress = progressReporter(f.json === true);
  const result = schedule(f.scheduler, w, target, {
    evaluate: simulatedCycles,
    seed,
    timeLimitSeconds,
    ...(refine === undefined ? {} : { refine }),
    ...(budget === undefined ? {} : { candidateBudget: budget }),
    onProgress: (done, total) => progress(done, total, 'candidate mappings (the budget)'),
  });
  progress.done();
  if (result.limitHit === 'time' && !f.json) {
    process.stderr.write(
      `gemmforge: warning: ${result.scheduler}: the search stopped at the wall-clock safety net ` +
        '(--time-limit); the result may differ on a faster or idler machine\n',
    );
  }
  return result;
}

function kebab(option: string): string {
  return option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
