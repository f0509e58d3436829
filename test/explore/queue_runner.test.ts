import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
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

/**
 * explore --queue against a real Redis (Debian's redis-server, `make test` installs it) on a free
 * local port, started here and stopped after, with `gemmforge worker` processes.
 */
const root = join(import.meta.dirname, '..', '..');
const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
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

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when the child prints `text` (or rejects when it exits first). */
function printed(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      if (out.includes(text)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before "${text}": ${out}`)));
  });
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

/** SIGKILL to a process and its children (its group); a group already gone is fine. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

const results = (run: ExploreRun): string =>
  JSON.stringify({ base: run.base, points: run.points, pareto: run.pareto });

describe.skipIf(skip)('explore on a BullMQ queue with gemmforge workers', () => {
  let redis: ChildProcess;
  let url: string;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no']);
    await printed(redis, 'Ready to accept connections');
  }, 30_000);

  afterAll(async () => {
    for (const w of workers) if (w.pid !== undefined) killGroup(w.pid);
    redis?.kill('SIGTERM');
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
          killGroup(started[0].pid);
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
