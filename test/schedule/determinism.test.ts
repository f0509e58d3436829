import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatedCycles } from '../../src/runtime/run_layer.js';
import { schedule } from '../../src/schedule/schedulers.js';
import type { ScheduleResult } from '../../src/schedule/scheduler.js';
import { targetByName } from '../../src/targets/index.js';
import { parseConv, parseGemm } from '../../src/workload/parse.js';

/**
 * Issue 14: the same command gives the same mapping on an idle and on a loaded machine. Every search
 * stops at a deterministic work limit; the wall-clock safety net (generous here) never decides.
 */
const target = targetByName('gemmini');
const options = { evaluate: simulatedCycles, seed: 0, timeLimitSeconds: 120 };
const runs = [
  { scheduler: 'cosa', w: parseGemm('197,197,64') },
  { scheduler: 'cosa', w: parseConv('H=14,W=14,C=32,K=48,R=3,S=3,pad=1') },
  { scheduler: 'cosa-even', w: parseGemm('100,72,130') },
  { scheduler: 'cosa-even', w: parseConv('H=10,W=10,C=24,K=32,R=3,S=3,pad=1') },
  // A space larger than the budget: the budget, not the clock, ends the search.
  {
    scheduler: 'exhaustive',
    w: parseConv('H=28,W=28,C=64,K=64,R=3,S=3,pad=1'),
    candidateBudget: 3000,
  },
] as const;

function scheduleAll(): ScheduleResult[] {
  return runs.map((r) =>
    schedule(r.scheduler, r.w, target, {
      ...options,
      ...('candidateBudget' in r ? { candidateBudget: r.candidateBudget } : {}),
    }),
  );
}

describe('scheduling is deterministic under load', () => {
  let idle: ScheduleResult[] = [];
  const burners: ChildProcess[] = [];

  beforeAll(() => {
    idle = scheduleAll();
    // Two busy loops: on a two-core machine the schedulers now get a fraction of a core.
    for (let i = 0; i < 2; i++) {
      burners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    }
  }, 300_000);

  afterAll(() => {
    for (const b of burners) b.kill('SIGKILL');
  });

  it('gives the same mappings with CPU-burning neighbours', () => {
    expect(burners.every((b) => b.exitCode === null && b.pid !== undefined)).toBe(true);
    const loaded = scheduleAll();
    expect(loaded.map((r) => r.mapping)).toEqual(idle.map((r) => r.mapping));
    expect(loaded.map((r) => r.limitHit)).toEqual(idle.map((r) => r.limitHit));
    expect(idle.map((r) => r.limitHit).includes('time')).toBe(false);
    expect(idle[4].limitHit).toBe('candidates');
  }, 600_000);
});
