import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpyFile, writeNpyFile } from '../../src/host/npy.js';
import { gemmforge } from './run_cli.js';
import { modelPath } from '../fixtures/models.js';
import { editedModel, setInputDim } from '../fixtures/edit_model.js';

const lenet = modelPath('lenet.onnx');

describe('gemmforge run', () => {
  it('runs lenet quantized and prints the summary the contract names as JSON', () => {
    const r = gemmforge('run', lenet, '--quantize', '--seed', '0', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ model: 'lenet.onnx', target: 'gemmini', scheduler: 'cosa' });
    for (const l of s.layers) {
      expect(['accelerator', 'host']).toContain(l.placement);
      expect(Object.keys(l)).toEqual(
        expect.arrayContaining(['name', 'op', 'placement', 'cycles', 'utilization', 'macs']),
      );
    }
    const acc = s.layers.filter((l: { placement: string }) => l.placement === 'accelerator');
    expect(acc).toHaveLength(5);
    expect(s.totalCycles).toBeGreaterThan(0);
    expect(s.acceleratorCycles).toBe(
      acc.reduce((n: number, l: { cycles: number }) => n + l.cycles, 0),
    );
    const host = s.layers.filter((l: { placement: string }) => l.placement === 'host');
    expect(s.hostCycles).toBe(host.reduce((n: number, l: { cycles: number }) => n + l.cycles, 0));
    expect(s.hostCycles).toBeGreaterThan(0);
    expect(s.totalCycles).toBe(s.acceleratorCycles + s.hostCycles);
    expect(s.seconds).toBeCloseTo(s.totalCycles / s.spec.clockHz, 12);
    expect(s.wallSeconds).toBeGreaterThan(0);
    expect(s.outputs).toEqual([{ name: expect.any(String), shape: [1, 10] }]);
    expect(s.reference.sqnrDb).toBeGreaterThan(30);
    expect(s.reference.cosine).toBeGreaterThan(0.99);
    expect(s.reference.withinOneStep).toBeGreaterThan(0);
  });

  it('prints host cycles in the table and the footer, with the host share', () => {
    const r = gemmforge('run', lenet, '--quantize', '--seed', '0', '--no-reference');
    expect(r.status, r.stderr).toBe(0);
    const host = r.stdout.match(
      /^host: (\d+) nodes, (\d+) cycles \((\d+) layout conversions? and (\d+) padding cop(?:y|ies) among them: (\d+) cycles\)$/m,
    );
    expect(host, r.stdout).not.toBeNull();
    const acc = r.stdout.match(/^accelerator: 5 layers, (\d+) cycles, \d+ MACs$/m);
    expect(acc, r.stdout).not.toBeNull();
    const [accCycles, hostCycles] = [Number(acc![1]), Number(host![2])];
    const total = accCycles + hostCycles;
    const share = ((100 * hostCycles) / total).toFixed(1);
    expect(r.stdout).toMatch(
      new RegExp(
        `^total: ${total} cycles, [\\d.]+ ms at the target's clock, ${share}% on the host$`,
        'm',
      ),
    );
    // Host rows carry their cycles: a MaxPool row ends in its cycle count.
    expect(r.stdout).toMatch(/MaxPool\s+host\s+\d+/);
  });

  it('reads inputs from .npy and writes outputs as .npy, refusing to overwrite them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-run-'));
    const x = new Float32Array(28 * 28).map((_, i) => Math.sin(i));
    writeNpyFile(join(dir, 'x.npy'), { dtype: 'float32', shape: [1, 1, 28, 28], data: x });
    const out = join(dir, 'out');
    const args = ['run', lenet, '--quantize', '--input', join(dir, 'x.npy'), '--output', out];
    const r = gemmforge(...args, '--no-reference');
    expect(r.status).toBe(0);
    const files = readdirSync(out);
    expect(files).toHaveLength(1);
    const y = readNpyFile(join(out, files[0]));
    expect(y.shape).toEqual([1, 10]);
    const again = gemmforge(...args, '--no-reference');
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/exists; use --force/);
    expect(gemmforge(...args, '--no-reference', '--force').status).toBe(0);
    const wrong = join(dir, 'wrong.npy');
    writeNpyFile(wrong, { dtype: 'float32', shape: [1, 28, 28], data: x });
    const bad = gemmforge('run', lenet, '--quantize', '--input', wrong);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/shape \[1,28,28\] does not match input/);
  });

  it('--explain lists every node, where it runs and why', () => {
    const r = gemmforge('run', lenet, '--explain');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\/c1\/Conv\s+Conv\s+host\s+float Conv: .*--quantize/);
    const q = gemmforge('run', lenet, '--quantize', '--explain');
    expect(q.stdout).toMatch(/\/c1\/Conv\s+QConv\s+accelerator\s+pattern: conv/);
    // Both max-pools fold to int8 (the second through the Flatten after it), each after a conv.
    expect(q.stdout).not.toMatch(/\sMaxPool\s+host/);
    expect(q.stdout).toMatch(
      /\/MaxPool_1\s+QMaxPool\s+host\s+gemmini has no pattern for a max-pool fused into a convolution's store/,
    );
  });

  it('bad input exits 2 with one line, no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-run-'));
    const junk = join(dir, 'x.onnx');
    writeFileSync(junk, 'not an onnx file');
    for (const args of [
      ['run', junk],
      ['run', join(dir, 'missing.onnx')],
      ['run', lenet, '--scheduler', 'nope'],
      ['run', lenet, '--calibrate', dir],
    ]) {
      const r = gemmforge(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).toMatch(/^gemmforge: /);
    }
  });

  it('a graph input of -5 or too many elements exits 2 naming it, before allocating it', () => {
    const negative = editedModel('lenet.onnx', 'neg.onnx', (m) => setInputDim(m, 0, 0, -5));
    const r = gemmforge('run', negative, '--quantize');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "gemmforge: neg.onnx: graph input 'input.1' dimension 0 is -5; every dimension must be a " +
        'positive integer\n',
    );
    const symbolic = editedModel('lenet.onnx', 'sym.onnx', (m) => setInputDim(m, 0, 0, 'N'));
    const huge = gemmforge('run', symbolic, '--input-shape', 'input.1=1000000000x1x28x28');
    expect(huge.status).toBe(2);
    expect(huge.stderr).toBe(
      "gemmforge: sym.onnx: tensor 'input.1' of shape [1000000000,1,28,28] has 784000000000 " +
        'elements; gemmforge holds at most 2147483647 elements in one tensor\n',
    );
  });

  it('a model above --max-macs exits 2 at once with the estimate; a higher limit runs it', () => {
    const batch = editedModel('lenet.onnx', 'b100k.onnx', (m) => setInputDim(m, 0, 0, 100000));
    const r = gemmforge('run', batch, '--quantize');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'gemmforge: b100k.onnx takes 2.82e+10 MACs, above the limit of 1.00e+10 MACs ' +
        '(--max-macs N raises it)\n',
    );
    const small = gemmforge('run', lenet, '--quantize', '--max-macs', '281639', '--explain');
    expect(small.status).toBe(2);
    expect(small.stderr).toContain('lenet.onnx takes 281640 MACs, above the limit of 281639 MACs');
    expect(gemmforge('run', lenet, '--quantize', '--max-macs', '281640', '--explain').status).toBe(
      0,
    );
  });

  it('--output under a file exits 2 before the run, naming the file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gf-run-')), 'afile');
    writeFileSync(file, '');
    const r = gemmforge('run', lenet, '--quantize', '--output', join(file, 'sub'));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`gemmforge: --output ${file}/sub: ${file} is not a directory\n`);
    expect(r.stdout).toBe('');
  });

  it('inputs that do not fit the model: NaN, Inf, float64, twice, unknown names: exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-run-'));
    const shape = [1, 1, 28, 28];
    const save = (file: string, array: Parameters<typeof writeNpyFile>[1]) => {
      writeNpyFile(join(dir, file), array);
      return join(dir, file);
    };
    const good = save('x.npy', { dtype: 'float32', shape, data: new Float32Array(784) });
    const nan = save('nan.npy', { dtype: 'float32', shape, data: new Float32Array(784).fill(NaN) });
    const inf = new Float32Array(784);
    inf[17] = -Infinity;
    const infFile = save('inf.npy', { dtype: 'float32', shape, data: inf });
    const f64 = save('f64.npy', { dtype: 'float64', shape, data: new Float64Array(784) });
    const cases: [string[], string][] = [
      [
        ['--input', nan],
        `${nan}: element 0 of input 'input.1' is NaN; inputs must be finite numbers`,
      ],
      [
        ['--input', infFile],
        `${infFile}: element 17 of input 'input.1' is -Infinity; inputs must be finite numbers`,
      ],
      [
        ['--input', f64],
        `${f64}: dtype float64 does not match input 'input.1' (float32); save it as float32`,
      ],
      [
        ['--input', good, '--input', good],
        `--input: input 'input.1' is given twice (${good} and ${good})`,
      ],
      [
        ['--input-shape', 'nosuch=1x1x28x28'],
        "lenet.onnx: a shape is given for 'nosuch', which is not a graph input (inputs: input.1)",
      ],
    ];
    for (const [args, message] of cases) {
      const r = gemmforge('run', lenet, '--quantize', '--no-reference', ...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`gemmforge: ${message}\n`);
    }
  });

  it('says what the outputs were compared with, and warns when the reference is all zeros', () => {
    const zeros = editedModel('lenet.onnx', 'zeros.onnx', (m) => {
      for (const t of m.graph?.initializer ?? []) {
        if (t.name === 'f3.weight' || t.name === 'f3.bias')
          t.rawData = new Uint8Array(t.rawData?.length ?? 0);
      }
    });
    const r = gemmforge('run', zeros, '--quantize', '--json');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.reference.against).toBe(
      'onnxruntime on the float model zeros.onnx (before quantization), seeded random inputs (seed 0)',
    );
    expect(s.warnings).toContain(
      'the reference outputs are all zeros: cosine, SQNR and errors against them say nothing ' +
        'about accuracy (a model with untrained weights, or inputs it ignores?)',
    );
    const plain = gemmforge('run', lenet, '--quantize', '--json');
    expect(JSON.parse(plain.stdout).warnings.join('\n')).not.toContain('reference outputs');
  });
});
