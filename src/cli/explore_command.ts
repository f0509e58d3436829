import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { explore, type ExploreRun } from '../explore/explore.js';
import { renderExploreHtml } from '../explore/explore_html.js';
import { openJobCache } from '../explore/job_cache.js';
import { loadSweep } from '../explore/sweep.js';
import { queueRunner } from '../explore/queue_runner.js';
import { checkReachable, parseRedisUrl } from '../explore/redis_client.js';
import { threadPool, type JobRunner } from '../explore/thread_pool.js';
import { openExploreDir } from './explore_dir.js';
import { makeDirectory } from './output_files.js';
import { parsePositiveInteger } from './options.js';
import { progressReporter } from './progress.js';

interface ExploreFlags {
  out?: string;
  workers?: string;
  cache?: string;
  queue?: string;
  resume?: boolean;
  json?: boolean;
}

/** The exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
const interruptedStatus = 130;

/** What `--json` prints. */
function jsonSummary(run: ExploreRun, wallSeconds: number) {
  return {
    points: run.total,
    completed: run.points.filter((p) => p.status === 'ok').length,
    failed: run.points.filter((p) => p.status !== 'ok').length,
    pareto: run.pareto.front,
    wallSeconds,
    layerJobs: run.jobs,
    interrupted: run.interrupted,
  };
}

function textSummary(run: ExploreRun, wallSeconds: number, dir: string): string {
  const s = jsonSummary(run, wallSeconds);
  const lines = [
    `${s.points} points: ${s.completed} completed, ${s.failed} failed or refused` +
      (run.interrupted ? `, ${s.points - run.points.length} not run (interrupted)` : ''),
    `layer jobs: ${run.jobs.computed} computed, ${run.jobs.cached} from the cache; ` +
      `${wallSeconds.toFixed(1)} s`,
    `Pareto front (${run.pareto.objectives.join(', ')}): ` +
      (s.pareto.length === 0 ? 'none' : s.pareto.map((i) => `#${i}`).join(' ')),
    ...run.pareto.models.map((m) => {
      const b = m.bestWithinBaseSram;
      const gain = b?.gain === null || b === null ? '' : ` (${b.gain.toFixed(2)}× the base)`;
      return `${m.model}: fastest at no more SRAM than the base: ${b === null ? 'none' : `#${b.index}${gain}`}`;
    }),
    ...run.points
      .filter((p) => p.status !== 'ok')
      .map((p) => `point #${p.index} ${p.status}: ${p.reason ?? ''}`),
    `wrote ${dir}/: points.jsonl, pareto.json, explore.html (area and energy are fitted estimates)`,
  ];
  if (run.interrupted) lines.push(`interrupted: continue with --resume --out ${dir}`);
  return lines.join('\n') + '\n';
}

export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description(
      'design-space exploration: every point of a sweep (spec fields varied over a base target) ' +
        'with every model scheduled and timed; writes points.jsonl, pareto.json and explore.html',
    )
    .argument('<sweep>', 'a sweep file (JSON; docs/explore.md)')
    .option('--out <dir>', 'the directory to write (empty or new; default: <sweep name>.explore)')
    .option('--workers <n>', 'worker threads running layer jobs (default: the number of cores)')
    .option('--cache <dir>', 'keep the layer-job cache in this directory (default: the --out one)')
    .option(
      '--queue <url>',
      'put the layer jobs on a BullMQ queue in Redis (redis://HOST:PORT) for `gemmforge worker` ' +
        'processes instead of running them on threads here',
    )
    .option('--resume', 'continue the sweep an interrupted run left in --out')
    .option('--json', 'print {points, completed, failed, pareto, wallSeconds} as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  gemmforge explore examples/explore/small.json --out out/small\n' +
        '  gemmforge explore sweep.json --out out/sweep --workers 2 --json\n' +
        '  gemmforge explore sweep.json --out out/sweep --resume\n' +
        '  gemmforge explore sweep.json --out out/sweep --queue redis://localhost:6379',
    )
    .action(async (file: string, f: ExploreFlags) => {
      const start = performance.now();
      const sweep = loadSweep(file);
      const address = f.queue === undefined ? null : parseRedisUrl(f.queue, '--queue');
      // Before anything is written: an unreachable server is bad input, not a half-made DIR.
      if (address !== null) await checkReachable(address);
      const workers =
        f.workers === undefined
          ? availableParallelism()
          : parsePositiveInteger(f.workers, '--workers', 256);
      const dir = (f.out ?? `${basename(file).replace(/\.json$/, '')}.explore`).replace(
        /(.)[\\/]+$/,
        '$1',
      );
      const out = openExploreDir(dir, sweep, f.resume === true);
      let cacheFile = out.cacheFile;
      if (f.cache !== undefined) {
        makeDirectory(f.cache, '--cache');
        cacheFile = join(f.cache, 'cache.jsonl');
      }
      const cache = openJobCache(cacheFile);
      const progress = progressReporter(f.json === true);
      const runner: JobRunner = address === null ? threadPool(workers) : await queueRunner(address);
      const onInterrupt = (): void => {
        void runner.stop();
      };
      process.once('SIGINT', onInterrupt);
      let run: ExploreRun;
      try {
        run = await explore(sweep, {
          runner,
          cache,
          onPoint: (p) => out.appendPoint(p),
          onProgress: (done, total) => progress(done, total, 'layer jobs'),
        });
      } finally {
        process.removeListener('SIGINT', onInterrupt);
        progress.done();
        await runner.close();
      }
      out.finish(run, renderExploreHtml(run, basename(file)));
      const wallSeconds = (performance.now() - start) / 1000;
      process.stdout.write(
        f.json === true
          ? JSON.stringify(jsonSummary(run, wallSeconds), null, 2) + '\n'
          : textSummary(run, wallSeconds, dir),
      );
      if (run.interrupted) process.exitCode = interruptedStatus;
    });
}
