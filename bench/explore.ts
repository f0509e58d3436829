/**
 * The design-space exploration benchmark (issue 15): a sweep of 48 Gemmini points (array 8/16/32,
 * four scratchpad and two accumulator sizes, two DRAM bandwidths) over the layers of ResNet-50,
 * MobileNetV2 and BERT-base, in the fast mode (every point by the baseline and the cost model, the
 * most promising re-scheduled by cosa and simulated).
 *
 *   npm run build && npx tsx bench/explore.ts [--reschedule N] [--models a,b]   → bench/results/explore.md
 *
 * It measures: the cost of one ResNet-50 point in the fast mode with a cold cache (CPU seconds of
 * this process); the sweep's wall time with 1 and with 2 worker threads (each from a cold cache) and
 * whether both give the same results; the cache: the jobs the points ask for against the distinct
 * ones, and a re-run over the warm cache; the Pareto front; per model the best point at no more
 * SRAM than the default, with its gain.
 */
import { writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { explore, type ExploreRun } from '../dist/explore/explore.js';
import { openJobCache } from '../dist/explore/job_cache.js';
import { jobKey, layerJob, runLayerJob } from '../dist/explore/layer_job.js';
import type { PointResult } from '../dist/explore/point_result.js';
import { parseSweep, type Sweep } from '../dist/explore/sweep.js';
import { threadPool } from '../dist/explore/thread_pool.js';
import { targetByName } from '../dist/targets/index.js';
import { loadNetwork, networks } from '../dist/workload/networks.js';
import { machineLine } from './stats.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const reschedule = Number(arg('reschedule') ?? '4');
const modelNames = (arg('models') ?? networks.join(',')).split(',');
const command = `npx tsx bench/explore.ts${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}`;

/** Array sizes with the fields that go with them (the gemmini-8 / gemmini / gemmini-32 presets). */
function arraySet(name: string) {
  const s = targetByName(name).spec;
  return {
    'array.rows': s.array.rows,
    'array.cols': s.array.cols,
    'array.partialSumBits': s.array.partialSumBits,
    'array.pipelineLatencyCycles': s.array.pipelineLatencyCycles,
    'memories.scratchpad.rowBytes': s.memories.scratchpad.rowBytes,
    'memories.accumulator.rowBytes': s.memories.accumulator.rowBytes,
    'dram.maxTransferBytes': s.dram.maxTransferBytes,
  };
}

const sweep: Sweep = parseSweep(
  {
    base: 'gemmini',
    models: modelNames.map((network) => ({ network })),
    parameters: {
      array: { set: ['gemmini-8', 'gemmini', 'gemmini-32'].map(arraySet) },
      'memories.scratchpad.capacityBytes': [65536, 131072, 262144, 524288],
      'memories.accumulator.capacityBytes': [32768, 65536],
      'dram.bytesPerCycle': [8, 16],
    },
    scheduler: 'cosa',
    fast: { scheduler: 'baseline', rescheduleTop: reschedule },
    objectives: ['cycles', 'sramBytes'],
  },
  'bench/explore.ts',
  process.cwd(),
);

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1e6;
}

/** One ResNet-50 point in the fast mode, cold: every distinct layer scheduled and predicted once. */
function fastPointCost(): { seconds: number; layers: number } {
  const spec = targetByName('gemmini').spec;
  const start = process.cpuUsage();
  const layers = loadNetwork('resnet50').layers;
  for (const l of layers) {
    const job = layerJob(spec, l.workload, 1, {
      scheduler: 'baseline',
      seed: 0,
      timeLimitSeconds: 30,
      timing: 'predicted',
    });
    jobKey(job);
    runLayerJob(job);
  }
  return { seconds: cpuSeconds(start), layers: layers.length };
}

async function timedRun(workers: number, cacheFile: string | null) {
  const pool = threadPool(workers);
  const cache = openJobCache(cacheFile);
  const start = performance.now();
  try {
    const run = await explore(sweep, { runner: pool, cache });
    return { run, wall: (performance.now() - start) / 1000 };
  } finally {
    await pool.close();
  }
}

const results = (run: ExploreRun): string =>
  JSON.stringify({ base: run.base, points: run.points, pareto: run.pareto });

function valuesText(p: PointResult): string {
  const v = p.spec;
  return (
    `${v.array.rows}×${v.array.cols}, sp ${v.memories.scratchpad.capacityBytes / 1024} KiB, ` +
    `acc ${v.memories.accumulator.capacityBytes / 1024} KiB, ${v.dram.bytesPerCycle} B/cycle`
  );
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const pointCost = fastPointCost();
const load0 = loadavg()[0];
const tmp = join(tmpdir(), `gemmforge-explore-bench-${process.pid}.jsonl`);
writeFileSync(tmp, '');
const one = await timedRun(1, null);
const two = await timedRun(2, tmp);
const warm = await timedRun(2, tmp);
const load1 = loadavg()[0];
const run = two.run;
const byIndex = new Map(run.points.map((p) => [p.index, p]));
const rescheduled = run.points.filter((p) => p.fast !== undefined);

const lines = [
  '# Design-space exploration (`gemmforge explore`)',
  '',
  `\`npm run build && ${command}\` · ${machineLine()} · load average ${load0.toFixed(1)} before, ` +
    `${load1.toFixed(1)} after (the machine is shared: wall times depend on its load)`,
  '',
  `Sweep: base \`gemmini\`, ${run.total} points (array 8×8 / 16×16 / 32×32 with the fields of the ` +
    'gemmini-8 / gemmini / gemmini-32 presets; scratchpad 64/128/256/512 KiB; accumulator 32/64 KiB; ' +
    `DRAM 8/16 B/cycle), models ${run.models.join(', ')} (every distinct layer of each table, ` +
    'weighted by its count). Fast mode: every point by `baseline` with cycles from the cost model, ' +
    `then the base and the ${reschedule} most promising points re-scheduled by \`cosa\` and simulated.`,
  '',
  '## Cost',
  '',
  '| what | figure |',
  '|---|---:|',
  `| one ResNet-50 point in the fast mode, cold cache (${pointCost.layers} layers; CPU of one core) | ${pointCost.seconds.toFixed(3)} s |`,
  `| the sweep, 1 worker thread, cold cache | ${one.wall.toFixed(1)} s |`,
  `| the sweep, 2 worker threads, cold cache | ${two.wall.toFixed(1)} s |`,
  `| speedup, 2 threads over 1 | ${(one.wall / two.wall).toFixed(2)}× |`,
  `| same results with 1 and 2 threads | ${results(one.run) === results(two.run) ? 'yes' : 'NO'} |`,
  `| layer jobs the points asked for | ${fmt(run.jobs.requests)} |`,
  `| distinct layer jobs computed | ${fmt(run.jobs.computed)} |`,
  `| shared within the sweep (hit rate of the first run) | ${((1 - run.jobs.computed / run.jobs.requests) * 100).toFixed(1)}% |`,
  `| re-run over the warm cache: computed / from the cache | ${warm.run.jobs.computed} / ${fmt(warm.run.jobs.cached)} |`,
  `| re-run wall time (${((warm.wall / two.wall) * 100).toFixed(1)}% of the first) | ${warm.wall.toFixed(1)} s |`,
  '',
  '## Pareto front (geomean cycles over the models, on-chip bytes)',
  '',
  '| point | configuration | on-chip | area (fitted) | ' +
    run.models.map((m) => `${m} cycles`).join(' | ') +
    ' | scheduled by |',
  '|---|---|---:|---:|' + run.models.map(() => '---:|').join('') + '---|',
  ...run.pareto.front.map((i) => {
    const p = byIndex.get(i) as PointResult;
    return (
      `| #${i} | ${valuesText(p)} | ${p.sramBytes / 1024} KiB | ${p.areaFitted.toFixed(3)} | ` +
      p.models.map((m) => fmt(m.cycles)).join(' | ') +
      ` | ${p.pass.scheduler} (${p.pass.timing}) |`
    );
  }),
  '',
  `The base (\`gemmini\`, ${run.base.sramBytes / 1024} KiB on chip, ${run.base.pass.scheduler} ` +
    `${run.base.pass.timing}): ` +
    run.base.models.map((m) => `${m.model} ${fmt(m.cycles)}`).join(', ') +
    ' cycles.',
  '',
  '## Best configuration at no more SRAM than the default, per model',
  '',
  '| model | base cycles | best point | configuration | cycles | gain | scheduled by |',
  '|---|---:|---|---|---:|---:|---|',
  ...run.pareto.models.map((m) => {
    const b = m.bestWithinBaseSram;
    if (b === null) return `| ${m.model} | ${fmt(m.baseCycles ?? 0)} | none | | | | |`;
    const p = byIndex.get(b.index) as PointResult;
    return (
      `| ${m.model} | ${fmt(m.baseCycles ?? 0)} | #${b.index} | ${valuesText(p)} | ${fmt(b.cycles)} | ` +
      `${b.gain === null ? '—' : b.gain.toFixed(2) + '×'} | ${p.pass.scheduler} (${p.pass.timing}) |`
    );
  }),
  '',
  `Re-scheduled by cosa and simulated: ${rescheduled.map((p) => `#${p.index}`).join(', ')} and the ` +
    'base. Gains of a point still in the fast pass compare a cost-model prediction of the baseline ' +
    "mapping with the base's cosa simulation, and say only where to look.",
  '',
];
writeFileSync(join(import.meta.dirname, 'results', 'explore.md'), lines.join('\n'));
process.stdout.write(lines.join('\n'));
