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
});
