import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import type { RunSummary } from '../../src/results/run_summary.js';
import { parseRunSummary, stoppedSearchWarnings } from '../../src/results/run_summary.js';
import { realisticRunSummary } from '../report/fixture.js';

let summary: RunSummary;
/** The summary as `gemmforge run --json` would print it. */
let json: Record<string, unknown>;

beforeAll(() => {
  summary = realisticRunSummary();
  json = JSON.parse(JSON.stringify(summary)) as Record<string, unknown>;
}, 120_000);

/** A deep copy of the JSON with one change made by `edit`. */
function edited(edit: (j: any) => void): unknown {
  const copy = structuredClone(json);
  edit(copy);
  return copy;
}

function problems(input: unknown): string {
  try {
    parseRunSummary(input, 'run.json');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).exitCode).toBe(2);
    return (e as InputError).message;
  }
  throw new Error('expected parseRunSummary to refuse the input');
}

describe('RunSummary from real layers', () => {
  it('has accelerator layers built from LayerReports and host layers with their reasons', () => {
    expect(summary.layers.map((l) => l.placement)).toEqual([
      'host',
      'accelerator',
      'accelerator',
      'accelerator',
      'accelerator',
      'host',
      'accelerator',
      'host',
    ]);
    for (const l of summary.layers) {
      if (l.placement === 'host') {
        expect(l.cycles).toBeGreaterThan(0);
        expect(l.detail).toBeNull();
        expect(l.reason).not.toBeNull();
        continue;
      }
      const d = l.detail!;
      expect(l.cycles).toBe(d.simulatedCycles);
      expect(l.utilization).toBe(d.utilization);
      expect(l.macs).toBe(d.macs);
      expect(l.reason).toBeNull();
      if (l.schedulers.length > 0) {
        expect(l.schedulers.map((s) => s.scheduler)).toEqual(['baseline', 'exhaustive']);
        // The run keeps the fastest schedule.
        expect(d.simulatedCycles).toBe(Math.min(...l.schedulers.map((s) => s.cycles)));
      }
    }
    const on = (where: string) =>
      summary.layers.reduce((sum, l) => sum + (l.placement === where ? (l.cycles ?? 0) : 0), 0);
    expect(summary.acceleratorCycles).toBe(on('accelerator'));
    expect(summary.hostCycles).toBe(on('host'));
    expect(summary.totalCycles).toBe(on('accelerator') + on('host'));
  });

  it('survives JSON: what run --json prints, report reads back unchanged', () => {
    expect(parseRunSummary(json, 'run.json')).toEqual(json);
  });

  it('keeps top-1 agreement and accuracy against labels', () => {
    const scored = {
      ...json,
      reference: { ...(json.reference as object), top1: { agree: 9, rows: 10 } },
      accuracy: { labels: 'l.npy', output: 'y', rows: 10, correct: 8, referenceCorrect: null },
    };
    expect(parseRunSummary(scored, 'run.json')).toEqual(scored);
  });
});

describe('parseRunSummary refuses bad input, naming each bad field', () => {
  const cases: readonly [string, (j: any) => void, readonly string[]][] = [
    [
      'a string for cycles',
      (j) => (j.layers[2].cycles = 'many'),
      ['layers[2].cycles: Invalid input: expected number, received string'],
    ],
    ['negative host cycles', (j) => (j.hostCycles = -5), ['hostCycles: Too small']],
    [
      'a host layer without its reason',
      (j) => (j.layers[5].reason = null),
      ['layers[5].reason: a host layer must say why it is not accelerated'],
    ],
    [
      'an accelerator layer without cycles',
      (j) => (j.layers[1].cycles = null),
      ['layers[1].cycles: an accelerator layer must have its simulated cycles'],
    ],
    ['a bad spec field', (j) => (j.spec.dram.bytesPerCycle = 0), ['spec.dram.bytesPerCycle:']],
    [
      'a tile over an unknown dim',
      (j) => (j.layers[1].detail.mapping.tile.X = 4),
      ['layers[1].detail.mapping.tile: Unrecognized key: "X"'],
    ],
    [
      'negative busy cycles',
      (j) => (j.layers[4].detail.busyCycles.load = -1),
      ['layers[4].detail.busyCycles.load:'],
    ],
    [
      'a fraction above one',
      (j) => (j.reference.withinOneStep = 1.5),
      ['reference.withinOneStep:'],
    ],
    [
      'more correct rows than rows',
      (j) =>
        (j.accuracy = { labels: 'l.npy', output: 'y', rows: 4, correct: 5, referenceCorrect: 4 }),
      ['accuracy: correct rows cannot outnumber the rows'],
    ],
    [
      'a fractional top-1 count',
      (j) => (j.reference.top1 = { agree: 1.5, rows: 2 }),
      ['reference.top1.agree:'],
    ],
    ['a misspelt field', (j) => (j.modle = 'x'), ['(top level): Unrecognized key: "modle"']],
    [
      'two problems at once',
      (j) => {
        j.totalCycles = -3;
        j.outputs[0].shape = [1, 'a'];
      },
      ['totalCycles:', 'outputs[0].shape[1]:'],
    ],
  ];
  for (const [what, edit, want] of cases) {
    it(what, () => {
      const message = problems(edited(edit));
      expect(message).toMatch(/^run\.json: not a run summary\n/);
      for (const w of want) expect(message).toContain(w);
    });
  }

  it('a bad workload, through the workload parser', () => {
    const message = problems(edited((j) => (j.layers[6].detail.workload.M = 'x')));
    expect(message).toContain('run.json: layers[6].detail.workload: M:');
  });

  it('not an object at all', () => {
    expect(problems([1, 2])).toContain('(top level): Invalid input: expected object');
  });
});

describe('stoppedSearchWarnings', () => {
  it('one warning per scheduler whose search stopped, naming the layers', () => {
    expect(stoppedSearchWarnings(summary.layers)).toEqual([]);
    // The stem compares schedulers (exhaustive among them); /features/2/Conv ran baseline alone.
    const stopped = summary.layers.map((l) => {
      if (l.name === '/features/0/Conv') {
        return {
          ...l,
          schedulers: l.schedulers.map((s) =>
            s.scheduler === 'exhaustive'
              ? { ...s, complete: false, limitHit: 'candidates' as const }
              : s,
          ),
        };
      }
      if (l.name === '/features/2/Conv' && l.detail !== null) {
        return { ...l, detail: { ...l.detail, searchComplete: false, limitHit: 'time' as const } };
      }
      return l;
    });
    const best = 'there its mapping is the best it found, not its optimum; raise';
    expect(stoppedSearchWarnings(stopped)).toEqual([
      'exhaustive stopped at its candidate budget on 1 of 5 accelerator layers ' +
        `(/features/0/Conv): ${best} --budget to search further`,
      'baseline stopped at its time limit on 1 of 5 accelerator layers ' +
        `(/features/2/Conv): ${best} --time-limit to search further`,
    ]);
  });
});
