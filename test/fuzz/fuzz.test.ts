import { describe, expect, it } from 'vitest';
import { fuzzCase } from './cases.js';
import { classify, fuzz } from './fuzz.js';

describe('the fuzz harness', () => {
  it('classifies an ending: exit 0, exit 2 with a message, or a finding', () => {
    expect(classify(0, '', false)).toBe('ok');
    expect(classify(0, 'gemmforge: warning: calibrated on random inputs\n', false)).toBe('ok');
    expect(classify(2, 'gemmforge: --gemm: M must be a positive integer (got 0)\n', false)).toBe(
      'refused',
    );
    expect(classify(2, "error: unknown option '--x'\n\nUsage: gemmforge schedule\n", false)).toBe(
      'refused',
    );
    expect(classify(2, '', false)).toBe('no-message');
    expect(classify(70, 'gemmforge: internal error: boom\n', false)).toBe('stack-trace');
    expect(classify(1, 'TypeError: x\n    at f (/a.js:1:2)\n', false)).toBe('stack-trace');
    expect(classify(1, 'gemmforge: layer differs\n', false)).toBe('bad-exit');
    expect(classify(null, '', true)).toBe('hang');
  });

  it('makes the same cases from the same seed, and different ones from another', () => {
    const a = [0, 1, 2, 3].map((i) => fuzzCase(5, i));
    const b = [0, 1, 2, 3].map((i) => fuzzCase(5, i));
    const c = [0, 1, 2, 3].map((i) => fuzzCase(6, i));
    expect(b.map((x) => [x.args, x.what])).toEqual(a.map((x) => [x.args, x.what]));
    expect(c.map((x) => [x.args, x.what])).not.toEqual(a.map((x) => [x.args, x.what]));
  });

  it('a short seeded run: every case ends with exit 0 or a message (make fuzz runs thousands)', async () => {
    const results = await fuzz({ seed: 1, cases: 10, parallel: 2, capSeconds: 60 });
    const findings = results
      .filter((r) => r.outcome !== 'ok' && r.outcome !== 'refused')
      .map((r) => `${r.outcome}: gemmforge ${r.case.args.join(' ')}\n${r.stderr}`);
    expect(findings).toEqual([]);
    // Both kinds of ending occur, so the check is not vacuous.
    expect(new Set(results.map((r) => r.outcome))).toEqual(new Set(['ok', 'refused']));
  }, 300_000);
});
