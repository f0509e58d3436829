import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explore, type ExploreRun } from '../../src/explore/explore.js';
import { openJobCache } from '../../src/explore/job_cache.js';
import { parseSweep } from '../../src/explore/sweep.js';
import { inlineRunner, threadPool } from '../../src/explore/thread_pool.js';

const dir = mkdtempSync(join(tmpdir(), 'gf-explore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Four points sharing a base, two small layers: 3 specs × 2 layers distinct jobs (one spec twice). */
const sweep = parseSweep(
  {
    base: 'gemmini',
    models: [{ network: 'mobilenet_v2', layers: ['features.17.conv.2', 'classifier.1'] }],
    parameters: {
      'memories.scratchpad.capacityBytes': [131072, 262144],
      'dram.bytesPerCycle': [8, 16],
    },
    scheduler: 'baseline',
  },
  'test.json',
  dir,
);

/** What a run reports that must not depend on where or in which order jobs ran. */
function results(run: ExploreRun) {
  return JSON.stringify({ base: run.base, points: run.points, pareto: run.pareto });
}

describe('explore', () => {
  let first: ExploreRun;

  it('computes each distinct layer job once and reports every point', async () => {
    const cacheFile = join(dir, 'cache.jsonl');
    const seen: number[] = [];
    first = await explore(sweep, {
      runner: inlineRunner(),
      cache: openJobCache(cacheFile),
      onPoint: (p) => seen.push(p.index),
    });
    expect(first.interrupted).toBe(false);
    expect(first.points.map((p) => [p.index, p.status])).toEqual([
      [0, 'ok'],
      [1, 'ok'],
      [2, 'ok'],
      [3, 'ok'],
    ]);
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    // Point 3 (256 KiB, 16 B/cycle) is the base target: 4 specs, 2 layers each.
    expect(first.jobs).toEqual({ computed: 8, cached: 0, requests: 10 });
    expect(first.base.models[0].cycles).toBe(first.points[3].models[0].cycles);
    expect(readFileSync(cacheFile, 'utf8').trim().split('\n')).toHaveLength(8);
    // Halving the bandwidth does not make a point faster.
    expect(first.points[0].models[0].cycles).toBeGreaterThanOrEqual(
      first.points[1].models[0].cycles,
    );
  });

  it('a second run over the same cache computes nothing and gives the same results', async () => {
    const again = await explore(sweep, {
      runner: inlineRunner(),
      cache: openJobCache(join(dir, 'cache.jsonl')),
    });
    expect(again.jobs).toEqual({ computed: 0, cached: 8, requests: 10 });
    expect(results(again)).toBe(results(first));
  });

  it('a line cut short in the cache file is computed again', async () => {
    const file = join(dir, 'cut.jsonl');
    const lines = readFileSync(join(dir, 'cache.jsonl'), 'utf8').trim().split('\n');
    writeFileSync(file, [...lines.slice(0, 7), lines[7].slice(0, 40)].join('\n'));
    const run = await explore(sweep, { runner: inlineRunner(), cache: openJobCache(file) });
    expect(run.jobs).toEqual({ computed: 1, cached: 7, requests: 10 });
    expect(results(run)).toBe(results(first));
  });

  it('two worker threads give the same results as one thread', async () => {
    const pool = threadPool(2);
    try {
      const run = await explore(sweep, { runner: pool, cache: openJobCache(null) });
      expect(run.jobs.computed).toBe(8);
      expect(results(run)).toBe(results(first));
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('fast mode: every point by the fast pass, the best re-scheduled by the full one', async () => {
    const fast = parseSweep(
      {
        base: 'gemmini',
        models: [{ network: 'mobilenet_v2', layers: ['classifier.1'] }],
        parameters: { 'dram.bytesPerCycle': [8, 16] },
        scheduler: 'baseline',
        fast: { scheduler: 'baseline', rescheduleTop: 1 },
      },
      'fast.json',
      dir,
    );
    const run = await explore(fast, { runner: inlineRunner(), cache: openJobCache(null) });
    const passes = run.points.map((p) => [p.pass.timing, p.fast?.pass.timing ?? null]);
    // Point 1 (16 B/cycle) is the fastest: re-scheduled and simulated; point 0 keeps its prediction.
    expect(passes).toEqual([
      ['predicted', null],
      ['simulated', 'predicted'],
    ]);
    expect(run.base.pass.timing).toBe('simulated');
    expect(run.base.models[0].cycles).toBe(run.points[1].models[0].cycles);
  });

  it('a stopped runner ends the run as interrupted, with the points finished before', async () => {
    const runner = inlineRunner();
    let n = 0;
    const run = await explore(sweep, {
      runner: {
        ...runner,
        run: async (key, job) => {
          const o = await runner.run(key, job);
          if (++n === 2) await runner.stop();
          return o;
        },
      },
      cache: openJobCache(null),
    });
    expect(run.interrupted).toBe(true);
    expect(run.points.length).toBeLessThan(4);
    expect(run.jobs.computed).toBe(2);
  });
});
