import { describe, expect, it } from 'vitest';
import { jobKey, layerJob, runLayerJob } from '../../src/explore/layer_job.js';
import { threadPool } from '../../src/explore/thread_pool.js';
import { targetByName } from '../../src/targets/index.js';
import { parseGemm } from '../../src/workload/parse.js';

/** Layer jobs of different sizes on gemmini, scheduled by the baseline and predicted (milliseconds each). */
const jobs = [16, 32, 48, 64, 80, 96, 112].map((m) =>
  layerJob(targetByName('gemmini').spec, parseGemm(`${m},64,32`), 1, {
    scheduler: 'baseline',
    seed: 0,
    timeLimitSeconds: 30,
    timing: 'predicted',
  }),
);

describe('the worker-thread pool', () => {
  it('answers every job with the outcome this thread computes, two threads with two jobs ahead each', async () => {
    const pool = threadPool(2);
    try {
      const outcomes = await Promise.all(jobs.map((j) => pool.run(jobKey(j), j)));
      // Each job's cycles differ, so an outcome answered to the wrong job shows.
      const cycles = outcomes.map((o) => (o?.ok === true ? o.cycles : null));
      expect(new Set(cycles).size).toBe(jobs.length);
      expect(cycles).not.toContain(null);
      const strip = (o: unknown) => JSON.stringify({ ...(o as object), seconds: 0 });
      expect(outcomes.map(strip)).toEqual(jobs.map((j) => strip(runLayerJob(j))));
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('starts a thread only when every running one is busy: 3 jobs on a pool of 64 start 3 at most', async () => {
    const pool = threadPool(64);
    try {
      const outcomes = await Promise.all(jobs.slice(0, 3).map((j) => pool.run(jobKey(j), j)));
      expect(outcomes.every((o) => o?.ok === true)).toBe(true);
      expect(pool.threadsStarted()).toBeGreaterThanOrEqual(1);
      expect(pool.threadsStarted()).toBeLessThanOrEqual(3);
      // One job at a time: the thread is free again before the next arrives.
      for (const j of jobs) await pool.run(jobKey(j), j);
      expect(pool.threadsStarted()).toBeLessThanOrEqual(3);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('stop: jobs sent or waiting resolve with null, and so does a job run after', async () => {
    const pool = threadPool(1);
    const pending = jobs.map((j) => pool.run(jobKey(j), j));
    await pool.stop();
    expect(await Promise.all(pending)).toEqual(jobs.map(() => null));
    expect(await pool.run(jobKey(jobs[0]), jobs[0])).toBeNull();
  }, 60_000);
});
