import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gemmforge } from './run_cli.js';
import { modelPath } from '../fixtures/models.js';

const lenet = modelPath('lenet.onnx');
const hasCc = spawnSync('cc', ['--version']).status === 0;

describe('gemmforge compile', () => {
  it('writes the C project, report.html, schedules.json and summary.json; the project builds and runs', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gf-compile-')), 'out');
    const r = gemmforge('compile', lenet, '--quantize', '-o', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`open ${join(out, 'report.html')}`);
    for (const f of [
      'report.html',
      'schedules.json',
      'summary.json',
      'model.c',
      'weights.c',
      'main.c',
      'Makefile',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const schedules = JSON.parse(readFileSync(join(out, 'schedules.json'), 'utf8'));
    expect(schedules).toHaveLength(5);
    for (const s of schedules) expect(s.mapping.tile).toBeDefined();
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.acceleratorCycles).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
    if (!hasCc) {
      console.log('notice: no C compiler; the emitted project was not built');
      return;
    }
    const make = spawnSync('make', ['-C', out], { encoding: 'utf8' });
    expect(make.status, make.stderr).toBe(0);
    const run = spawnSync(join(out, 'model'), [], { cwd: out, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`simulated accelerator cycles: ${summary.acceleratorCycles}`);
  });

  it('refuses a non-empty output directory without --force (exit 2), and explains placements', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-compile-'));
    writeFileSync(join(dir, 'mine.txt'), 'keep me');
    const r = gemmforge('compile', lenet, '--quantize', '-o', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not empty; use --force/);
    expect(readdirSync(dir)).toEqual(['mine.txt']);
    const e = gemmforge('compile', lenet, '--quantize', '--explain', '-o', dir);
    expect(e.status).toBe(0);
    expect(e.stdout).toMatch(/\/c2\/Conv\s+QConv\s+accelerator/);
    expect(readdirSync(dir)).toEqual(['mine.txt']);
  });
});
