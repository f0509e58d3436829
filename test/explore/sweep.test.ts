import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSweep, rangeValues } from '../../src/explore/sweep.js';

const models = [{ network: 'resnet50', layers: 1 }];
/** A folder the sweep file would be in (only joined with, never read). */
const folder = resolve('sweeps');

function error(json: unknown): string {
  try {
    parseSweep(json, 's.json', folder);
  } catch (e) {
    return (e as Error).message;
  }
  return 'accepted';
}

describe('the sweep schema', () => {
  it('fills the defaults and resolves paths against the sweep folder', () => {
    const s = parseSweep(
      { base: 'my.json', models: [{ onnx: 'm.onnx' }], parameters: {} },
      's.json',
      folder,
    );
    expect(s.base).toBe(join(folder, 'my.json'));
    expect(s.models).toEqual([{ onnx: join(folder, 'm.onnx') }]);
    expect(s.scheduler).toBe('cosa');
    expect(s.objectives).toEqual(['cycles', 'sramBytes']);
    expect(s.constraints).toEqual({});
    expect(s.fast).toBeUndefined();
  });

  it('names the bad field', () => {
    expect(error({ base: 'gemmini', parameters: {} })).toMatch(/^s\.json: models: /);
    expect(error({ base: 'gemmini', models, parameters: { 'array.rows': [] } })).toMatch(
      /^s\.json: parameters\.array\.rows/,
    );
    expect(error({ base: 'gemmini', models, parameters: {}, scheduler: 'fastest' })).toBe(
      's.json: scheduler: unknown scheduler "fastest" (schedulers: baseline, exhaustive, cosa, cosa-even)',
    );
    expect(error({ base: 'gemmini', models: [{ network: 'vgg' }], parameters: {} })).toMatch(
      /^s\.json: models\.0/,
    );
    expect(error({ base: 'gemmini', models, parameters: { x: { from: 5, to: 1, step: 1 } } })).toBe(
      's.json: parameters.x: the range holds no value',
    );
    expect(error({ base: 'gemmini', models, parameters: {}, objectives: ['cycles'] })).toMatch(
      /^s\.json: objectives/,
    );
  });

  it('inside a union, names the deepest bad field with what it should be and what it got', () => {
    const at = (m: unknown) => error({ base: 'gemmini', models: [m], parameters: {} });
    expect(at({ network: 'resnet50', layers: 'x' })).toBe(
      's.json: models.0.layers: layers is a count of layers or a list of layer names (got "x")',
    );
    expect(at({ network: 'vgg' })).toMatch(
      /^s\.json: models\.0\.network: Invalid option: .*\(got "vgg"\)$/,
    );
    expect(at(7)).toBe(
      's.json: models.0: a model is {network, layers?} (networks: resnet50, mobilenet_v2, bert_base) or {onnx: FILE} (got 7)',
    );
    expect(
      error({ base: 'gemmini', models, parameters: { x: { from: 1, to: 'y', step: 1 } } }),
    ).toBe('s.json: parameters.x.to: Invalid input: expected number, received string (got "y")');
    expect(error({ base: 'gemmini', models, parameters: { x: 3 } })).toBe(
      's.json: parameters.x: a parameter is a list of values, a range {from, to, step | times} or {set: [...]} (got 3)',
    );
  });

  it('ranges: arithmetic and geometric, both ends included', () => {
    expect(rangeValues({ from: 1, to: 4, step: 1 })).toEqual([1, 2, 3, 4]);
    expect(rangeValues({ from: 65536, to: 524288, times: 2 })).toEqual([
      65536, 131072, 262144, 524288,
    ]);
    expect(rangeValues({ from: 0.5, to: 1.6, step: 0.5 })).toEqual([0.5, 1, 1.5]);
  });
});
