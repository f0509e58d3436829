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
    // Without --verify nothing runs on data: the layers are scheduled and timed only.
    expect(summary.reference).toBeNull();
    expect(
      summary.layers.every(
        (l: { detail: object | null }) => !l.detail || !('verified' in l.detail),
      ),
    ).toBe(true);
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

  it('--verify --input --labels: top-1 agreement and accuracy, printed and in summary.json', () => {
    const mnist = modelPath('mnist');
    const [images, labels] = ['test_images.npy', 'test_labels.npy'].map((f) => join(mnist, f));
    const dir = mkdtempSync(join(tmpdir(), 'gf-compile-'));
    const model = [
      'compile',
      modelPath('lenet_mnist.onnx'),
      ...['--input-shape', 'image=100x1x28x28', '--scheduler', 'baseline'],
      ...['--quantize', '--calibrate', join(mnist, 'calibration')],
    ];
    const data = ['--input', images, '--labels', labels];
    const r = gemmforge(...model, '--verify', '--data', 'random', ...data, '-o', join(dir, 'a'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('top-1 class the same on 100/100 (100.0%) rows');
    expect(r.stdout).toContain(
      `top-1 accuracy against ${labels} (output logits): gemmini 95/100 (95.0%), ` +
        'onnxruntime 95/100 (95.0%)',
    );
    const summary = JSON.parse(readFileSync(join(dir, 'a', 'summary.json'), 'utf8'));
    expect(summary.accuracy).toEqual({
      labels,
      output: 'logits',
      rows: 100,
      correct: 95,
      referenceCorrect: 95,
    });
    expect(readFileSync(join(dir, 'a', 'report.html'), 'utf8')).toContain(
      '<div class="label">Top-1 accuracy</div><div class="value">95/100</div>',
    );
    for (const [flags, message] of [
      [data, '--input and --labels are the data of --verify: add --verify'],
      [
        ['--verify', '--data', 'extreme', ...data],
        '--input and --labels feed the model run of --data random or both',
      ],
    ] as const) {
      const refused = gemmforge(...model, ...flags, '-o', join(dir, 'b'));
      expect(refused.status).toBe(2);
      expect(refused.stderr).toBe(`gemmforge: ${message}\n`);
    }
  }, 240_000);

  it('--verify runs the model too: the same cycles, every layer checked, outputs compared', () => {
    const dirs = ['plain', 'verified'].map((d) =>
      join(mkdtempSync(join(tmpdir(), 'gf-compile-')), d),
    );
    const flags = ['--quantize', '--scheduler', 'baseline'];
    const plain = gemmforge('compile', lenet, ...flags, '-o', dirs[0]);
    const verify = gemmforge('compile', lenet, ...flags, '--verify', '-o', dirs[1]);
    expect(plain.status, plain.stderr).toBe(0);
    expect(verify.status, verify.stderr).toBe(0);
    const [a, b] = dirs.map((d) => JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8')));
    expect(b.acceleratorCycles).toBe(a.acceleratorCycles);
    // Timing only, the host is costed as when the model runs.
    expect(a.hostCycles).toBeGreaterThan(0);
    expect(b.hostCycles).toBe(a.hostCycles);
    expect(a.totalCycles).toBe(a.acceleratorCycles + a.hostCycles);
    const onHost = a.layers.filter((l: { placement: string }) => l.placement === 'host').length;
    expect(plain.stdout).toContain(`host: ${onHost} nodes, ${a.hostCycles} cycles`);
    expect(a.reference).toBeNull();
    expect(b.reference.cosine).toBeGreaterThan(0.99);
    const accelerated = b.layers.filter(
      (l: { placement: string }) => l.placement === 'accelerator',
    );
    expect(accelerated.map((l: { detail: { verified: boolean } }) => l.detail.verified)).toEqual(
      accelerated.map(() => true),
    );
    // --data both (the default): the model's data, and every layer on worst-case data too.
    expect(accelerated.map((l: { detail: { checks: unknown } }) => l.detail.checks)).toEqual(
      accelerated.map(() => [{ data: 'extreme', mismatches: 0 }]),
    );
    expect(verify.stdout).toContain(
      "verify: 5 accelerator layers bit-exact on the model's data and on worst-case data\n" +
        'against onnxruntime',
    );
    expect(readFileSync(join(dirs[0], 'model.c'), 'utf8')).toBe(
      readFileSync(join(dirs[1], 'model.c'), 'utf8'),
    );
  });

  it('--verify --data extreme: worst-case data only; a library tiling that overflows exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-compile-'));
    const flags = ['--quantize', '--verify', '--data', 'extreme'];
    const r = gemmforge('compile', lenet, ...flags, '-o', join(dir, 'a'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('verify: 5 accelerator layers bit-exact on worst-case data\n');
    const summary = JSON.parse(readFileSync(join(dir, 'a', 'summary.json'), 'utf8'));
    expect(summary.reference).toBeNull();
    // gemmini-os's library tiling (output-stationary) sums /f1/Gemm's whole reduction, 256
    // products (16 channels × 4×4), in the array's 20-bit partial sums, which hold 31 products of
    // −128·−128: extreme data wraps it. The convs fall back to the simple mapping (tiled_conv needs
    // weight-stationary), which does not risk it.
    const os = ['--target', 'gemmini-os', '--scheduler', 'baseline'];
    const bad = gemmforge('compile', lenet, ...flags, ...os, '-o', join(dir, 'b'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(
      /^gemmforge: layer '\/f1\/Gemm' \(QGemm\) on gemmini-os: on worst-case data the simulated output differs from the integer reference in \d+ elements\n$/,
    );
    for (const [args, message] of [
      [['--data', 'extreme'], '--data chooses the data of --verify: add --verify, or drop --data'],
      [['--verify', '--data', 'worst'], '--data must be random, extreme or both (got "worst")'],
    ] as const) {
      const e = gemmforge('compile', lenet, '--quantize', ...args, '-o', join(dir, 'c'));
      expect(e.status).toBe(2);
      expect(e.stderr).toBe(`gemmforge: ${message}\n`);
    }
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

  it('an output path that cannot be a directory exits 2 at once, naming it and the reason', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gf-compile-')), 'afile');
    writeFileSync(file, '');
    const cases: [string, string][] = [
      [join(file, 'sub'), `--output ${file}/sub: ${file} is not a directory`],
      [file, `--output ${file}: ${file} is not a directory`],
    ];
    if (existsSync('/proc/self')) {
      cases.push([
        '/proc/nope',
        '--output /proc/nope: cannot create /proc/nope: no such file or directory (ENOENT)',
      ]);
      cases.push([
        '/sys/nope',
        '--output /sys/nope: cannot create /sys/nope: operation not permitted (EPERM)',
      ]);
    }
    for (const [out, message] of cases) {
      const r = gemmforge('compile', lenet, '--quantize', '-o', out);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`gemmforge: ${message}\n`);
    }
  });

  it('warns when the chosen scheduler stopped at its time limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-compile-'));
    const r = gemmforge(
      'compile',
      lenet,
      '--quantize',
      '--scheduler',
      'exhaustive',
      '--time-limit',
      '0.001',
      '-o',
      dir,
      '--force',
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /\nwarning: exhaustive stopped at its time limit on [1-5] of 5 accelerator layers \(\/c1\/Conv[^)]*\): there its mapping is the best it found, not its optimum; raise --time-limit to search further\n/,
    );
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(
      summary.layers.find((l: { name: string }) => l.name === '/c1/Conv').detail.searchComplete,
    ).toBe(false);
  });

  it('--explain needs no -o (as its help example says); without it -o is required', () => {
    const e = gemmforge('compile', lenet, '--quantize', '--explain');
    expect(e.status).toBe(0);
    expect(e.stdout).toMatch(/\/c2\/Conv\s+QConv\s+accelerator/);
    const r = gemmforge('compile', lenet, '--quantize');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("gemmforge: required option '-o, --output <dir>' not specified\n");
  });

  it('names a directory given with a trailing slash once: "wrote out/", not "out//"', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gf-compile-')), 'out');
    const r = gemmforge('compile', lenet, '--quantize', '-o', `${dir}/`, '--scheduler', 'baseline');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`\nwrote ${dir}/: report.html,`);
    expect(r.stdout).toContain(`\nopen ${dir}/report.html; build with make -C ${dir}\n`);
    // The project's README is titled with the model file, not the ONNX graph's name.
    expect(readFileSync(join(dir, 'README.md'), 'utf8').split('\n')[0]).toBe(
      '# lenet.onnx on gemmini (generated by gemmforge)',
    );
  });
});
