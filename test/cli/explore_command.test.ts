import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gemmforge } from './run_cli.js';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'gf-explore-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sweepFile(name: string, sweep: unknown): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify(sweep));
  return file;
}

const tiny = sweepFile('tiny.json', {
  base: 'gemmini',
  models: [{ network: 'mobilenet_v2', layers: ['classifier.1'] }],
  parameters: { 'memories.accumulator.capacityBytes': [32768, 65536] },
  scheduler: 'baseline',
});

function lines(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

describe('gemmforge explore', () => {
  it('writes points.jsonl, pareto.json and explore.html; --json prints the summary', () => {
    const out = join(tmp, 'tiny');
    const r = gemmforge('explore', tiny, '--out', out, '--workers', '2', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ points: 2, completed: 2, failed: 0, interrupted: false });
    expect(s.layerJobs).toEqual({ computed: 2, cached: 0, requests: 3 });
    expect(s.wallSeconds).toBeGreaterThan(0);
    const points = lines(join(out, 'points.jsonl')) as { index: number; spec: unknown }[];
    expect(points.map((p) => p.index)).toEqual([0, 1]);
    expect(points.every((p) => p.spec !== undefined)).toBe(true);
    const pareto = JSON.parse(readFileSync(join(out, 'pareto.json'), 'utf8'));
    expect(pareto.front).toEqual(s.pareto);
    expect(pareto.models[0].model).toBe('mobilenet_v2[1 layers]');
    expect(readFileSync(join(out, 'explore.html'), 'utf8')).toContain('<svg');
  });

  it('refuses a non-empty --out without --resume; --resume computes nothing again', () => {
    const out = join(tmp, 'tiny');
    const refused = gemmforge('explore', tiny, '--out', out);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(
      `gemmforge: ${out} is not empty: use --resume to continue the sweep it holds, or another --out\n`,
    );
    const r = gemmforge('explore', tiny, '--out', out, '--resume', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).layerJobs).toEqual({ computed: 0, cached: 2, requests: 3 });
    const other = sweepFile('other.json', { ...JSON.parse(readFileSync(tiny, 'utf8')), seed: 1 });
    const differs = gemmforge('explore', other, '--out', out, '--resume');
    expect(differs.status).toBe(2);
    expect(differs.stderr).toContain('holds a different sweep');
  });

  it('a bad sweep exits 2 naming the field, without a stack trace', () => {
    const bad = sweepFile('bad.json', { base: 'gemmini', parameters: { 'array.rows': ['x'] } });
    const r = gemmforge('explore', bad, '--out', join(tmp, 'bad'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^gemmforge: .*bad\.json: models: /);
    const typed = sweepFile('typed.json', {
      base: 'gemmini',
      models: [{ network: 'resnet50' }],
      parameters: { 'array.rows': ['x'] },
    });
    const t = gemmforge('explore', typed, '--out', join(tmp, 'typed'));
    expect(t.status).toBe(2);
    expect(t.stderr).toContain('parameters.array.rows[0]: must be a number');
    expect(gemmforge('explore', tiny, '--workers', '0', '--out', join(tmp, 'w0')).status).toBe(2);
  });

  it('Ctrl-C leaves a consistent directory that --resume completes', async () => {
    const slow = sweepFile('slow.json', {
      base: 'gemmini',
      models: [{ network: 'resnet50', layers: ['layer4.1.conv1', 'fc'] }],
      parameters: { 'dram.bytesPerCycle': [4, 8, 12, 16, 20, 24, 28, 32] },
      scheduler: 'baseline',
    });
    const out = join(tmp, 'slow');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'explore', slow, '--out', out],
      { cwd: root },
    );
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const status = await new Promise<number | null>((resolve) => {
      const poll = setInterval(() => {
        const file = join(out, 'points.jsonl');
        if (existsSync(file) && readFileSync(file, 'utf8').length > 0) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 50);
      child.on('exit', (code) => {
        clearInterval(poll);
        resolve(code);
      });
    });
    expect(status).toBe(130);
    expect(stdout).toContain('interrupted: continue with --resume');
    const pareto = JSON.parse(readFileSync(join(out, 'pareto.json'), 'utf8'));
    expect(pareto.interrupted).toBe(true);
    const done = lines(join(out, 'points.jsonl')).length;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(8);
    const r = gemmforge('explore', slow, '--out', out, '--resume', '--json');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ points: 8, completed: 8, interrupted: false });
    expect(s.layerJobs.cached).toBeGreaterThan(0);
    expect(s.layerJobs.computed + s.layerJobs.cached).toBe(16);
  }, 180_000);
});
