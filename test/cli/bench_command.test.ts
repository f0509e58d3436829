import { describe, expect, it } from 'vitest';
import { gemmforge } from './run_cli.js';
import { modelPath } from '../fixtures/models.js';

describe('gemmforge bench', () => {
  it('compares schedulers per accelerator layer, as JSON', () => {
    const r = gemmforge(
      'bench',
      modelPath('lenet.onnx'),
      '--quantize',
      '--schedulers',
      'baseline,cosa',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const b = JSON.parse(r.stdout);
    expect(b.schedulers).toEqual(['baseline', 'cosa']);
    expect(b.layers).toHaveLength(5);
    for (const l of b.layers) {
      expect(l.cycles.baseline).toBeGreaterThan(0);
      expect(l.cycles.cosa).toBeGreaterThan(0);
      // cosa keeps the baseline among its candidates and the simulator arbitrates.
      expect(l.cycles.cosa).toBeLessThanOrEqual(l.cycles.baseline);
    }
    expect(b.totals.baseline).toBe(
      b.layers.reduce((n: number, l: { cycles: { baseline: number } }) => n + l.cycles.baseline, 0),
    );
    expect(b.geomeanSpeedup.baseline).toBe(1);
  });

  it('refuses an unknown scheduler (exit 2)', () => {
    const r = gemmforge('bench', modelPath('lenet.onnx'), '--schedulers', 'nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown scheduler "nope"/);
  });

  it('says where a search stopped at its time limit, in the JSON and the text', () => {
    const args = [
      'bench',
      modelPath('lenet.onnx'),
      '--quantize',
      '--schedulers',
      'baseline,exhaustive',
    ];
    const r = gemmforge(...args, '--time-limit', '0.001', '--json');
    expect(r.status).toBe(0);
    const b = JSON.parse(r.stdout);
    const complete = b.layers.map((l: { complete: Record<string, boolean> }) => l.complete);
    for (const c of complete) expect(c.baseline).toBe(true);
    // 1 ms cannot score the first conv's mappings. The text run is another run: 1 to 5 stop, and
    // under load a layer may score nothing in time and fall back.
    expect(complete[0].exhaustive).toBe(false);
    const text = gemmforge(...args, '--time-limit', '0.001');
    expect(text.stdout).toMatch(
      new RegExp(
        `exhaustive: solve [0-9.]+ s in all, [0-5] fallbacks; stopped at its time limit on [1-5] ` +
          'of 5 layers \\(the best it found there, not its optimum; raise --time-limit\\)',
      ),
    );
    expect(text.stdout).toMatch(/baseline: solve [0-9.]+ s in all, 0 fallbacks\n/);
  });

  it('exhaustive gets a candidate budget of its own (--budget), and says where it stopped there', () => {
    const args = ['bench', modelPath('lenet.onnx'), '--quantize', '--schedulers', 'exhaustive'];
    // 40 candidates: fewer than any lenet layer has (the 5×5 convs have thousands).
    const r = gemmforge(...args, '--budget', '40', '--time-limit', '600', '--json');
    expect(r.status, r.stderr).toBe(0);
    const layers = JSON.parse(r.stdout).layers as {
      complete: Record<string, boolean>;
      limitHit: Record<string, string | null>;
    }[];
    expect(layers.map((l) => [l.complete.exhaustive, l.limitHit.exhaustive])).toEqual(
      layers.map(() => [false, 'candidates']),
    );
    const text = gemmforge(...args, '--budget', '40', '--time-limit', '600');
    expect(text.stdout).toContain(
      'stopped at its candidate budget on 5 of 5 layers (the best it found there, not its ' +
        'optimum; raise --budget)',
    );
    const bad = gemmforge(...args, '--budget', '0');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^gemmforge: --budget must be a positive integer/);
  });
});
