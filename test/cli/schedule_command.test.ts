import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerReport } from '../../src/driver/layer_report.js';
import type { LayerReport } from '../../src/results/layer_report.js';
import { schedule } from '../../src/schedule/schedulers.js';
import { builtinTargets } from '../../src/targets/index.js';
import { parseGemm } from '../../src/workload/parse.js';
import { gemmforge } from './run_cli.js';
import { simulatedCycles } from '../../src/runtime/run_layer.js';
import { limitingFactor } from '../../src/report/limits.js';

/** No stack trace lines ("    at f (file:1:2)") on stderr. */
const noStack = /\n\s+at /;

describe('gemmforge schedule', () => {
  it('--gemm 15,16,17 --verify --json: the whole report, matching an in-process run', () => {
    const r = gemmforge(
      'schedule',
      '--gemm',
      '15,16,17',
      '--scheduler',
      'baseline',
      '--verify',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout) as LayerReport;
    const w = parseGemm('15,16,17');
    const target = builtinTargets.gemmini;
    const want = layerReport(
      w,
      target,
      schedule('baseline', w, target, { evaluate: simulatedCycles, seed: 0, timeLimitSeconds: 60 }),
      {
        verify: true,
        seed: 0,
      },
    );
    expect(got.workload).toEqual(w);
    expect(got.workload).toMatchObject({ kind: 'gemm', M: 15, N: 16, K: 17, bias: true });
    expect(got.target).toBe('gemmini');
    expect(got.scheduler).toBe('baseline');
    expect(got.mapping).toEqual(want.mapping);
    expect(got.predictedCycles).toBe(want.predictedCycles);
    expect(got.predictedCycles).toBeGreaterThan(0);
    expect(got.simulatedCycles).toBe(want.simulatedCycles);
    expect(got.simulatedCycles).toBeGreaterThanOrEqual(got.rooflineCycles);
    expect(got.utilization).toBeGreaterThan(0);
    expect(got.utilization).toBeLessThanOrEqual(1);
    // (15·17 + 17·16 + 15·16 + 16·4 bias) / 16 bytes a cycle = 51.9 → 52.
    expect(got.rooflineCycles).toBe(52);
    expect(got.macs).toBe(4080);
    expect(got.dramBytes).toEqual(want.dramBytes);
    expect(got.dramBytes.write).toBe(240);
    expect(got.dramBytes.read).toBeGreaterThanOrEqual(255 + 272);
    expect(got.occupancy).toEqual(want.occupancy);
    expect(Object.keys(got.occupancy).sort()).toEqual(['accumulator', 'scratchpad']);
    expect(got.solveSeconds).toBeGreaterThanOrEqual(0);
    expect(got.mappingsTried).toBe(1);
    expect(got.fallback).toBeNull();
    expect(got.verified).toBe(true);
    expect(got.mismatches).toBe(0);
  });

  it('says what bounds the layer, as the report would, from the same numbers', () => {
    const args = ['schedule', '--gemm', '64,16,1024', '--scheduler', 'baseline'];
    const text = gemmforge(...args);
    expect(text.status).toBe(0);
    const json = JSON.parse(gemmforge(...args, '--json').stdout) as LayerReport;
    const limit = limitingFactor(json, builtinTargets.gemmini.spec);
    expect(text.stdout).toContain(`\nbound: ${limit.kind}. ${limit.explanation}\n`);
    // The totals the bound is read from are in the JSON: the unroller generated this layer's moves.
    expect(json.generatedInstructions).toBeGreaterThan(json.instructions);
    expect(json.hostCycles).toBeGreaterThan(0);
  });

  it('--scheduler exhaustive on a small conv', () => {
    const r = gemmforge(
      'schedule',
      '--scheduler',
      'exhaustive',
      '--conv',
      'N=1,H=8,W=8,C=16,K=16,R=3,S=3,pad=1',
      '--verify',
      '--json',
    );
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout) as LayerReport;
    expect(got.workload).toMatchObject({ kind: 'conv', H: 8, W: 8, C: 16, K: 16, R: 3, S: 3 });
    expect(got.scheduler).toBe('exhaustive');
    expect(got.mappingsTried).toBeGreaterThan(1);
    expect(got.fallback).toBeNull();
    expect(got.macs).toBe(8 * 8 * 16 * 16 * 9);
    expect(got.verified).toBe(true);
    expect(got.mismatches).toBe(0);
  });

  it('--scheduler cosa --json reports solveSeconds and fallback; cosa is the default', () => {
    const r = gemmforge(
      'schedule',
      '--gemm',
      '40,50,60',
      '--scheduler',
      'cosa',
      '--verify',
      // Worst-case data wraps this output-stationary mapping's in-array sums (K = 60 > 31 products
      // at 20 bits; issue 14, item 1).
      '--data',
      'random',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout) as LayerReport;
    expect(got.scheduler).toBe('cosa');
    expect(typeof got.solveSeconds).toBe('number');
    expect(got.solveSeconds).toBeGreaterThan(0);
    expect(got.fallback).toBeNull();
    expect(got.verified).toBe(true);
    const byDefault = JSON.parse(gemmforge('schedule', '--gemm', '40,50,60', '--json').stdout);
    expect(byDefault.scheduler).toBe('cosa');
    expect(byDefault.mapping).toEqual(got.mapping);
  });

  it('a cosa fallback is in the JSON and warned about in the text report', () => {
    const args = [
      'schedule',
      '--conv',
      'H=28,W=28,C=64,K=64,R=3,S=3,pad=1',
      '--time-limit',
      '0.001',
    ];
    const json = gemmforge(...args, '--json');
    expect(json.status).toBe(0);
    const got = JSON.parse(json.stdout) as LayerReport;
    expect(got.scheduler).toBe('cosa');
    expect(got.fallback?.reason).toContain('time limit (safety net) reached without a solution');
    expect(got.limitHit).toBe('time');
    const text = gemmforge(...args);
    expect(text.status).toBe(0);
    expect(text.stderr).toContain('gemmforge: warning: cosa: ');
    expect(text.stderr).toContain('stopped at the wall-clock safety net');
    expect(text.stdout).toContain('fallback: ');
  });

  it('--verify runs random and worst-case data (--data picks one); overflow shows on the latter', () => {
    const both = gemmforge('schedule', '--gemm', '24,20,40', '--scheduler', 'baseline', '--verify');
    expect(both.status).toBe(0);
    expect(both.stdout).toContain(
      'verify (seeded random data): bit-exact against the integer reference',
    );
    expect(both.stdout).toContain(
      'verify (worst-case data): bit-exact against the integer reference',
    );
    const json = gemmforge(
      'schedule',
      '--gemm',
      '24,20,40',
      '--scheduler',
      'baseline',
      '--verify',
      '--data',
      'extreme',
      '--json',
    );
    expect((JSON.parse(json.stdout) as LayerReport).checks).toEqual([
      { data: 'extreme', mismatches: 0 },
    ]);
    const bad = gemmforge('schedule', '--gemm', '4,4,4', '--verify', '--data', 'worst');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--data must be random, extreme or both (got "worst")');
  });

  it('--refine must be a positive integer, at most 100 (one MIP solve each)', () => {
    for (const n of ['0', '1000000000']) {
      const r = gemmforge('schedule', '--gemm', '4,4,4', '--refine', n);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(
        `gemmforge: --refine must be a positive integer at most 100 (got "${n}")\n`,
      );
    }
  });

  it('the human-readable report shows the mapping, the cycles and "bit-exact"', () => {
    const r = gemmforge('schedule', '--gemm', '15,16,17', '--scheduler', 'baseline', '--verify');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('gemm 15x16x17 on gemmini, scheduler baseline (1 mapping,');
    expect(r.stdout).toContain('mapping: weight-stationary, array rows ← K, columns ← N');
    expect(r.stdout).toMatch(/^tile +15 +16 +17$/m);
    expect(r.stdout).toMatch(/^trips +1 +1 +1$/m);
    expect(r.stdout).toContain('DRAM loop order (outer → inner): M N K');
    expect(r.stdout).toContain('double-buffered: input, weight, output');
    expect(r.stdout).toMatch(/^roofline bound +52$/m);
    expect(r.stdout).toContain('MACs 4080;');
    expect(r.stdout).toContain(
      'verify (seeded random data): bit-exact against the integer reference',
    );
  });

  it('a spec file target (isa gemmini, another name) is used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-schedule-'));
    const path = join(dir, 'slow-dram.json');
    const spec = structuredClone(builtinTargets.gemmini.spec) as {
      name: string;
      isa: string;
      dram: { bytesPerCycle: number };
    };
    spec.name = 'slow-dram';
    spec.isa = 'gemmini';
    spec.dram.bytesPerCycle = 8;
    writeFileSync(path, JSON.stringify(spec));
    const r = gemmforge(
      'schedule',
      '--target',
      path,
      '--gemm',
      '15,16,17',
      '--scheduler',
      'baseline',
      '--relu',
      '--no-bias',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout) as LayerReport;
    expect(got.target).toBe('slow-dram');
    expect(got.workload).toMatchObject({ activation: 'relu', bias: false });
    // Half the bandwidth, no bias: (255 + 272 + 240) / 8 = 95.9 → 96.
    expect(got.rooflineCycles).toBe(96);
    expect('verified' in got).toBe(false);
  });
});

describe('gemmforge schedule: bad input exits 2 with a message and no stack trace', () => {
  const bad = (args: string[], message: string) => {
    const r = gemmforge('schedule', ...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(noStack);
  };

  it('a zero size', () => {
    bad(
      ['--gemm', '0,4,4'],
      'gemmforge: gemm shape "0,4,4": M must be a positive integer, got "0"',
    );
  });

  it('both --gemm and --conv, or neither', () => {
    const message = 'give exactly one shape: --gemm M,N,K or --conv';
    bad(['--gemm', '4,4,4', '--conv', 'H=4,W=4,C=4,K=4,R=1'], message);
    bad([], message);
  });

  it('an unknown scheduler', () => {
    bad(
      ['--gemm', '4,4,4', '--scheduler', 'nope'],
      'unknown scheduler "nope" (schedulers: baseline, exhaustive, cosa, cosa-even)',
    );
  });

  it('an unknown target', () => {
    bad(
      ['--gemm', '4,4,4', '--target', 'nope'],
      'unknown target "nope" (built-in targets: gemmini,',
    );
  });

  it('work above --max-macs, whatever the scheduler, at once', () => {
    const limit = 'above the limit of 1.00e+10 MACs (--max-macs N raises it)';
    bad(['--gemm', '1000000000000,1,1'], `gemm 1000000000000x1x1 takes 1.00e+12 MACs, ${limit}`);
    bad(
      ['--gemm', '100000,100000,100000', '--scheduler', 'baseline'],
      `gemm 100000x100000x100000 takes 1.00e+15 MACs, ${limit}`,
    );
    bad(
      [
        '--conv',
        'N=1,H=100000,W=100000,C=16,K=16,R=3,S=3,stride=1,pad=1',
        '--scheduler',
        'baseline',
      ],
      `conv 100000x100000x16→16 3x3 s1 takes 2.30e+13 MACs, ${limit}`,
    );
    bad(
      ['--gemm', '16,16,16', '--max-macs', '4095'],
      'gemm 16x16x16 takes 4096 MACs, above the limit of 4095 MACs',
    );
    bad(
      ['--gemm', '16,16,16', '--max-macs', '-1'],
      '--max-macs must be a positive integer (got "-1")',
    );
    // One number syntax everywhere: 1e12 is the same size as 1000000000000.
    bad(['--gemm', '1e12,1,1'], `gemm 1000000000000x1x1 takes 1.00e+12 MACs, ${limit}`);
    bad(
      ['--gemm', '16,16,16', '--seed', '0x10'],
      '--seed must be a non-negative integer (got "0x10")',
    );
  });

  it('a layer whose buffers do not fit in the simulated DRAM, with the limit raised', () => {
    const tooLarge =
      'gemmforge: allocation "A" of 10000000000 bytes does not fit in the simulated DRAM ' +
      '(2147483648 bytes, 4096 in use)';
    bad(
      ['--gemm', '100000,100000,100000', '--scheduler', 'baseline', '--max-macs', '1e16'],
      tooLarge,
    );
    // Found by the fuzzer (seed 4, case 7895): exhaustive listed every one of a billion rows' tile
    // counts and V8 aborted (signal 5); it samples them now and gets as far as the DRAM.
    const m = ['--gemm', '1000000000,33,10', '--scheduler', 'exhaustive', '--budget', '3'];
    bad([...m, '--max-macs', '1e12'], tooLarge);
  });
});
