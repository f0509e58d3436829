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

  it('ranges: arithmetic and geometric, both ends included', () => {
    expect(rangeValues({ from: 1, to: 4, step: 1 })).toEqual([1, 2, 3, 4]);
    expect(rangeValues({ from: 65536, to: 524288, times: 2 })).toEqual([
      65536, 131072, 262144, 524288,
    ]);
    expect(rangeValues({ from: 0.5, to: 1.6, step: 0.5 })).toEqual([0.5, 1, 1.5]);
  });
});
