import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/results/run_summary.js';
import { realisticRunSummary } from '../report/fixture.js';
import { gemmforge } from './run_cli.js';

/** No stack trace lines ("    at f (file:1:2)") on stderr. */
const noStack = /\n\s+at /;

let dir: string;
let runJson: string;
let summary: RunSummary;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gemmforge-report-'));
  summary = realisticRunSummary();
  runJson = join(dir, 'run.json');
  writeFileSync(runJson, JSON.stringify(summary, null, 2));
}, 120_000);

describe('gemmforge report', () => {
  it('writes a self-contained HTML report of a run, and refuses to overwrite it without --force', () => {
    const out = join(dir, 'report.html');
    const r = gemmforge('report', runJson, '-o', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      `wrote ${out} (${r.stdout.match(/\(([^)]*)\)/)![1]}): tiny_mobilenet.onnx on gemmini, ` +
        '8 layers, 5 on the accelerator\n',
    );
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<tr class="layer /g)).toHaveLength(summary.layers.length);
    expect(html.match(/<svg /g)).toHaveLength(4);

    writeFileSync(out, 'kept');
    const again = gemmforge('report', runJson, '-o', out);
    expect(again.status).toBe(2);
    expect(again.stderr).toBe(`gemmforge: ${out} exists; pass --force to overwrite it\n`);
    expect(readFileSync(out, 'utf8')).toBe('kept');

    const forced = gemmforge('report', runJson, '-o', out, '--force');
    expect(forced.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(html);
  });

  it('bad JSON: exit status 2 and the parser’s message, no stack trace', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"model": "m",');
    const out = join(dir, 'never.html');
    const r = gemmforge('report', bad, '-o', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^gemmforge: ${bad}: not valid JSON \\(.+\\)\\n$`));
    expect(r.stderr).not.toMatch(noStack);
    expect(existsSync(out)).toBe(false);
  });

  it('a summary with bad fields: exit status 2, every bad field named', () => {
    const bad = join(dir, 'fields.json');
    const json = JSON.parse(JSON.stringify(summary)) as any;
    json.layers[0].reason = null;
    json.layers[3].detail.dramBytes.read = 'lots';
    delete json.wallSeconds;
    writeFileSync(bad, JSON.stringify(json));
    const r = gemmforge('report', bad, '-o', join(dir, 'never.html'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`gemmforge: ${bad}: not a run summary\n`);
    expect(r.stderr).toContain(
      '  layers[0].reason: a host layer must say why it is not accelerated\n',
    );
    expect(r.stderr).toContain('  layers[3].detail.dramBytes.read: Invalid input: expected number');
    expect(r.stderr).toContain('  wallSeconds: Invalid input: expected number, received undefined');
    expect(r.stderr).not.toMatch(noStack);
  });

  it('a missing input file: exit status 2', () => {
    const r = gemmforge('report', join(dir, 'missing.json'), '-o', join(dir, 'never.html'));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`gemmforge: ${join(dir, 'missing.json')}: no such file\n`);
  });

  it('--help shows examples', () => {
    const r = gemmforge('report', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: gemmforge report [options] <run.json>');
    expect(r.stdout).toContain('--force');
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('gemmforge report run.json -o report.html');
  });

  it('an output file that cannot be written: exit status 2 with the reason', () => {
    const file = join(dir, 'afile');
    writeFileSync(file, '');
    const r = gemmforge('report', runJson, '-o', join(file, 'report.html'));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `gemmforge: cannot write ${file}/report.html: a parent is not a directory (ENOTDIR)\n`,
    );
  });
});
