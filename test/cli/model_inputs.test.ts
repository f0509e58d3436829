import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabels } from '../../src/cli/model_inputs.js';
import { writeNpyFile } from '../../src/host/npy.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { modelPath } from '../fixtures/models.js';

const lenet = importOnnx(readFileSync(modelPath('lenet.onnx')), 'lenet.onnx');
const dir = mkdtempSync(join(tmpdir(), 'gf-labels-'));
const save = (file: string, array: Parameters<typeof writeNpyFile>[1]) => {
  writeNpyFile(join(dir, file), array);
  return join(dir, file);
};

describe('--labels', () => {
  it('reads one class per row of the first [rows, classes] output', () => {
    const file = save('ok.npy', { dtype: 'int64', shape: [1], data: [7] });
    expect(readLabels(file, lenet, true)).toEqual({ file, output: '22', classes: [7] });
    const bytes = save('u8.npy', { dtype: 'uint8', shape: [1], data: Uint8Array.of(9) });
    expect(Array.from(readLabels(bytes, lenet, true).classes)).toEqual([9]);
  });

  it('refuses labels without inputs, of a float dtype, of another shape or outside the classes', () => {
    const good = save('good.npy', { dtype: 'int64', shape: [1], data: [3] });
    const float = save('f.npy', { dtype: 'float32', shape: [1], data: Float32Array.of(3) });
    const two = save('two.npy', { dtype: 'int32', shape: [2], data: Int32Array.of(1, 2) });
    const ten = save('ten.npy', { dtype: 'int32', shape: [1], data: Int32Array.of(10) });
    const cases: [() => unknown, string][] = [
      [
        () => readLabels(good, lenet, false),
        '--labels needs --input: they name the classes of the inputs given',
      ],
      [() => readLabels(float, lenet, true), `${float}: labels must be integers (got float32)`],
      [
        () => readLabels(two, lenet, true),
        `${two}: shape [2] does not fit output '22' of shape [1,10] (labels need shape [1])`,
      ],
      [
        () => readLabels(ten, lenet, true),
        `${ten}: element 0 is 10, not a class of output '22' (0 to 9)`,
      ],
    ];
    for (const [call, message] of cases) expect(call).toThrow(message);
  });

  it('refuses a model with no class-score output, naming its outputs', () => {
    const features = { ...lenet, outputs: ['/c1/Conv_output_0'] };
    const file = save('any.npy', { dtype: 'int64', shape: [1], data: [0] });
    expect(() => readLabels(file, features, true)).toThrow(
      `--labels ${file}: the model has no output of shape [rows, classes] to score ` +
        '(outputs: /c1/Conv_output_0 [1,6,24,24])',
    );
  });
});
