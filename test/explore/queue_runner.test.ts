import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explore, type ExploreRun } from '../../src/explore/explore.js';
import { openJobCache } from '../../src/explore/job_cache.js';
import { layerJob } from '../../src/explore/layer_job.js';
import { queueRunner } from '../../src/explore/queue_runner.js';
import { parseRedisUrl } from '../../src/explore/redis_client.js';
import { parseSweep } from '../../src/explore/sweep.js';
import { inlineRunner } from '../../src/explore/thread_pool.js';
import { targetByName } from '../../src/targets/index.js';
import { parseGemm } from '../../src/workload/parse.js';
import { hasRedisServer, killGroup, printed, startRedis } from '../fixtures/local_redis.js';

/**
 * explore --queue against a real Redis (Debian's redis-server, `make test` installs it) on a free
 * local port, started here and stopped after, with `gemmforge worker` processes.
 */
const root = join(import.meta.dirname, '..', '..');
const hasRedis = hasRedisServer();
const hasClient = (() => {
  try {
    createRequire(import.meta.url).resolve('ioredis');
    return true;
  } catch {
    return false;
  }
})();
const skip = !hasRedis || !hasClient;
if (skip) {
  console.warn(
    `notice: ${hasRedis ? 'the ioredis package is not installed' : 'redis-server is not installed (make test installs it)'}; ` +
      'the job-queue tests are skipped',
  );
}

const sweep = parseSweep(
  {
    base: 'gemmini',
    models: [{ network: 'mobilenet_v2', layers: ['features.17.conv.2', 'classifier.1'] }],
    parameters: {
      'memories.scratchpad.capacityBytes': [131072, 262144],
      'dram.bytesPerCycle': [4, 8, 16],
    },
    scheduler: 'baseline',
  },
  'queue.json',
  root,
);

const results = (run: ExploreRun): string =>
  JSON.stringify({ base: run.base, points: run.points, pareto: run.pareto });

describe.skipIf(skip)('explore on a BullMQ queue with gemmforge workers', () => {
  let redis: { readonly url: string; stop(): void } | undefined;
  let url: string;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    url = redis.url;
  }, 30_000);

  afterAll(async () => {
    for (const w of workers) killGroup(w.pid, 'SIGKILL');
    redis?.stop();
  });

  function startWorker(): ChildProcess {
    const w = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'worker', '--queue', url],
      { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    workers.push(w);
    return w;
  }

  it('3 workers, one killed mid-run: every point once, the same results as one thread', async () => {
    const reference = await explore(sweep, { runner: inlineRunner(), cache: openJobCache(null) });
    const started = [startWorker(), startWorker(), startWorker()];
    await Promise.all(started.map((w) => printed(w, 'worker: processing')));
    const runner = await queueRunner(parseRedisUrl(url, '--queue'));
    let killed = false;
    const run = await explore(sweep, {
      runner,
      cache: openJobCache(null),
      onProgress: (done) => {
        if (!killed && done >= 2 && started[0].pid !== undefined) {
          killed = true;
          // The worker and its sandboxed processes, as a machine dying would take them.
          killGroup(started[0].pid, 'SIGKILL');
        }
      },
    }).finally(() => runner.close());
    expect(killed).toBe(true);
    expect(run.interrupted).toBe(false);
    expect(run.points.map((p) => [p.index, p.status])).toEqual(
      reference.points.map((p) => [p.index, 'ok']),
    );
    expect(run.jobs.computed).toBe(reference.jobs.computed);
    expect(results(run)).toBe(results(reference));
  }, 240_000);

  it('a job that fails on every try is reported as a failed outcome, not dropped', async () => {
    const runner = await queueRunner(parseRedisUrl(url, '--queue'));
    try {
      // No spec: the worker throws (a broken job, not a layer's outcome), and BullMQ retries it.
      const job = layerJob(targetByName('gemmini').spec, parseGemm('4,4,4'), 1, {
        scheduler: 'baseline',
        seed: 0,
        timeLimitSeconds: 5,
        timing: 'simulated',
      });
      const broken = { ...job, spec: null as never };
      const outcome = await runner.run('broken-job', broken);
      expect(outcome).toMatchObject({ ok: false, transient: true });
      expect(outcome?.ok === false && outcome.error).toMatch(/failed after 3 tries/);
    } finally {
      await runner.close();
    }
  }, 120_000);
});
