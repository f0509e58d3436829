/**
 * The design-space exploration benchmark (issue 15): a sweep of 48 Gemmini points (array 8/16/32,
 * four scratchpad and two accumulator sizes, two DRAM bandwidths) over the layers of ResNet-50,
 * MobileNetV2 and BERT-base, in the fast mode (every point by the baseline and the cost model, the
 * most promising re-scheduled by cosa and simulated).
 *
 *   npm run build && npx tsx bench/explore.ts [--reschedule N] [--models a,b]   → bench/results/explore.md
 *
 * It measures: the cost of one ResNet-50 point in the fast mode with a cold cache (CPU seconds of
 * this process); the fast pass over every point with 1 and with 2 worker threads (each from a cold
 * cache) and whether both give the same results; the same fast pass through Redis with 3
 * `gemmforge worker` processes, one killed with SIGKILL mid-run (when redis-server and ioredis are
 * there); the whole sweep (fast pass from the cache, then the N most promising points re-scheduled
 * by cosa and simulated); a re-run over the warm cache; the Pareto front; per model the best point
 * at no more SRAM than the default among those simulated, with its gain.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { explore, type ExploreRun } from '../dist/explore/explore.js';
import { openJobCache } from '../dist/explore/job_cache.js';
import { jobKey, layerJob, runLayerJob } from '../dist/explore/layer_job.js';
import type { PointResult } from '../dist/explore/point_result.js';
import { parseSweep, type Sweep } from '../dist/explore/sweep.js';
import { queueRunner } from '../dist/explore/queue_runner.js';
import { parseRedisUrl } from '../dist/explore/redis_client.js';
import { threadPool, type JobRunner } from '../dist/explore/thread_pool.js';
import { targetByName } from '../dist/targets/index.js';
import { loadNetwork, networks } from '../dist/workload/networks.js';
import { hasRedisServer, killGroup, printed, startRedis } from '../test/fixtures/local_redis.js';
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

/** The sweep, re-scheduling the `rescheduleTop` most promising points (0: the fast pass alone). */
function sweepWith(rescheduleTop: number): Sweep {
  return parseSweep(
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
      fast: { scheduler: 'baseline', rescheduleTop },
      objectives: ['cycles', 'sramBytes'],
    },
    'bench/explore.ts',
    process.cwd(),
  );
}

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

async function timedRun(sweep: Sweep, runner: JobRunner, cacheFile: string | null) {
  const cache = openJobCache(cacheFile);
  const start = performance.now();
  const cpu = process.cpuUsage();
  try {
    const run = await explore(sweep, { runner, cache });
    // CPU of the whole process: this thread and the worker threads.
    return { run, wall: (performance.now() - start) / 1000, cpu: cpuSeconds(cpu) };
  } finally {
    await runner.close();
  }
}

/**
 * The fast pass through Redis: a redis-server on a free port, 3 workers (the built CLI), the first
 * killed with SIGKILL (with its sandboxed processes) once `killAfter` jobs are done. Null when
 * redis-server or ioredis is missing.
 */
async function queueRun(sweep: Sweep, killAfter: number) {
  if (!hasRedisServer()) return null;
  const redis = await startRedis();
  const url = redis.url;
  const workers: ChildProcess[] = [];
  try {
    const runner = await queueRunner(parseRedisUrl(url, '--queue'));
    for (let i = 0; i < 3; i++) {
      workers.push(
        spawn(
          process.execPath,
          ['dist/cli/main.js', 'worker', '--queue', url, '--lock-seconds', '5'],
          {
            detached: true,
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        ),
      );
    }
    await Promise.all(workers.map((w) => printed(w, 'worker: processing')));
    let killed = false;
    const start = performance.now();
    const run = await explore(sweep, {
      runner,
      cache: openJobCache(null),
      onProgress: (done) => {
        if (!killed && done >= killAfter) {
          killed = true;
          killGroup(workers[0].pid, 'SIGKILL');
        }
      },
    }).finally(() => runner.close());
    return { run, wall: (performance.now() - start) / 1000, killed };
  } catch (e) {
    if (/ioredis/.test((e as Error).message)) return null;
    throw e;
  } finally {
    for (const w of workers) killGroup(w.pid, 'SIGKILL');
    redis.stop();
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
// Both timed fast passes write a cache file of their own (the cost of a real run), cold.
const tmp = join(tmpdir(), `gemmforge-explore-bench-${process.pid}.jsonl`);
const tmpOne = join(tmpdir(), `gemmforge-explore-bench-${process.pid}-one.jsonl`);
writeFileSync(tmp, '');
writeFileSync(tmpOne, '');
const fastSweep = sweepWith(0);
const one = await timedRun(fastSweep, threadPool(1), tmpOne);
const two = await timedRun(fastSweep, threadPool(2), tmp);
const queued = await queueRun(fastSweep, 200);
// The re-scheduling by cosa (jobs of seconds), each from its own cache of the fast pass.
const fullOne = await timedRun(sweepWith(reschedule), threadPool(1), tmpOne);
const full = await timedRun(sweepWith(reschedule), threadPool(2), tmp);
const warm = await timedRun(sweepWith(reschedule), threadPool(2), tmp);
const load1 = loadavg()[0];
for (const f of [tmp, tmpOne]) rmSync(f);
const run = full.run;
const byIndex = new Map(run.points.map((p) => [p.index, p]));
const rescheduled = run.points.filter((p) => p.fast !== undefined);
const sameQueued =
  queued === null
    ? 'not run (redis-server or ioredis missing)'
    : `${queued.run.points.length} of ${queued.run.total} points, each once; ` +
      `${results(queued.run) === results(one.run) ? 'results identical to the 1-thread run' : 'RESULTS DIFFER'}` +
      `; a worker killed: ${queued.killed ? 'yes' : 'no'}`;

/** Per model: the fastest simulated point at no more SRAM than the base, against the base. */
const bestSimulated = run.models.map((model) => {
  const baseCycles = run.base.models.find((m) => m.model === model)?.cycles ?? NaN;
  const candidates = run.points.filter(
    (p) => p.status === 'ok' && p.pass.timing === 'simulated' && p.sramBytes <= run.base.sramBytes,
  );
  const cycles = (p: PointResult) => p.models.find((m) => m.model === model)?.cycles ?? Infinity;
  const best = candidates.reduce<PointResult | null>(
    (b, p) => (b === null || cycles(p) < cycles(b) ? p : b),
    null,
  );
  return { model, baseCycles, best, cycles: best === null ? NaN : cycles(best) };
});

const lines = [
  '# Design-space exploration (`gemmforge explore`)',
  '',
  `\`npm run build && ${command}\` · ${machineLine()} · load average ${load0.toFixed(1)} before, ` +
    `${load1.toFixed(1)} after (the machine is shared with other work: wall times depend on its load)`,
  '',
  `Sweep: base \`gemmini\`, ${run.total} points (array 8×8 / 16×16 / 32×32 with the fields of the ` +
    'gemmini-8 / gemmini / gemmini-32 presets; scratchpad 64/128/256/512 KiB; accumulator 32/64 KiB; ' +
    `DRAM 8/16 B/cycle), models ${run.models.join(', ')} (every distinct layer of each table, ` +
    'weighted by its count). Fast mode: every point by `baseline` with cycles from the cost model; ' +
    `then the base and the ${reschedule} most promising points re-scheduled by \`cosa\` and simulated.`,
  '',
  '## Cost',
  '',
  '| what | figure |',
  '|---|---:|',
  `| one ResNet-50 point in the fast mode, cold cache (${pointCost.layers} layers; CPU of one core) | ${pointCost.seconds.toFixed(3)} s |`,
  `| fast pass over the ${one.run.total} points, 1 worker thread, cold cache | ${one.wall.toFixed(1)} s |`,
  `| the same, 2 worker threads, cold cache | ${two.wall.toFixed(1)} s |`,
  `| speedup, 2 threads over 1 | ${(one.wall / two.wall).toFixed(2)}× |`,
  `| CPU of the process (all threads), 1 thread / 2 threads | ${one.cpu.toFixed(1)} s / ${two.cpu.toFixed(1)} s |`,
  `| same results with 1 and 2 threads | ${results(one.run) === results(two.run) ? 'yes' : 'NO'} |`,
  `| layer jobs the points asked for (fast pass) | ${fmt(one.run.jobs.requests)} |`,
  `| distinct layer jobs computed (fast pass) | ${fmt(one.run.jobs.computed)} |`,
  `| asked-for jobs served without computing, first run | ${((1 - one.run.jobs.computed / one.run.jobs.requests) * 100).toFixed(1)}% |`,
  `| fast pass through Redis, 3 workers, one SIGKILLed after 200 jobs | ${queued === null ? 'not run' : queued.wall.toFixed(1) + ' s'} |`,
  `| its points | ${sameQueued} |`,
  `| whole sweep (fast pass from the cache, ${reschedule} points and the base by cosa), 1 thread | ${fullOne.wall.toFixed(1)} s (CPU ${fullOne.cpu.toFixed(1)} s); ${fmt(fullOne.run.jobs.computed)} jobs computed, ${fmt(fullOne.run.jobs.cached)} from the cache |`,
  `| the same, 2 threads | ${full.wall.toFixed(1)} s (CPU ${full.cpu.toFixed(1)} s); ${fmt(run.jobs.computed)} jobs computed, ${fmt(run.jobs.cached)} from the cache |`,
  `| speedup of the cosa pass, 2 threads over 1; same results | ${(fullOne.wall / full.wall).toFixed(2)}×; ${results(fullOne.run) === results(full.run) ? 'yes' : 'NO'} |`,
  `| re-run over the warm cache: computed / from the cache | ${warm.run.jobs.computed} / ${fmt(warm.run.jobs.cached)} |`,
  `| re-run wall time | ${warm.wall.toFixed(1)} s (${((warm.wall / (two.wall + full.wall)) * 100).toFixed(1)}% of the first run's) |`,
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
    ' cycles. The front mixes the two passes: points still in the fast pass carry the cost ' +
    "model's prediction of the baseline mapping.",
  '',
  '## Best configuration at no more SRAM than the default, per model (cosa, simulated)',
  '',
  '| model | base cycles | best point | configuration | cycles | gain over the base |',
  '|---|---:|---|---|---:|---:|',
  ...bestSimulated.map((b) =>
    b.best === null
      ? `| ${b.model} | ${fmt(b.baseCycles)} | none simulated | | | |`
      : `| ${b.model} | ${fmt(b.baseCycles)} | #${b.best.index} | ${valuesText(b.best)} | ` +
        `${fmt(b.cycles)} | ${(b.baseCycles / b.cycles).toFixed(2)}× |`,
  ),
  '',
  `Re-scheduled by cosa and simulated: ${rescheduled.map((p) => `#${p.index}`).join(', ')} and the ` +
    "base (each model's fastest point and fastest at no more SRAM than the base by the fast pass, " +
    'then the front). Best point per model by the fast pass alone (baseline, predicted): ' +
    run.models
      .map((model) => {
        const best = one.run.pareto.models.find((m) => m.model === model)?.bestWithinBaseSram;
        return best === null || best === undefined ? `${model} none` : `${model} #${best.index}`;
      })
      .join(', ') +
    '.',
  '',
];
writeFileSync(join(import.meta.dirname, 'results', 'explore.md'), lines.join('\n'));
process.stdout.write(lines.join('\n'));
