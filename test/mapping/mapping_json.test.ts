import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseMappingJson, parseMappingText } from '../../src/mapping/mapping_json.js';

const good = {
  dataflow: 'weight-stationary',
  spatial: { rows: 'K', cols: 'N' },
  tile: { M: 64, N: 64, K: 128 },
  order: ['M', 'N', 'K'],
  resident: { input: [], weight: [], output: [] },
  doubleBuffer: { input: true, weight: true, output: false },
};

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe('parseMappingJson', () => {
  it('accepts a well-formed mapping unchanged', () => {
    expect(parseMappingJson(good, 'm.json')).toEqual(good);
  });

  it('names the field, the reason and the value', () => {
    expect(
      messageOf(() => parseMappingJson({ ...good, tile: { M: 64, N: 64, K: 0 } }, 'mapping.json')),
    ).toBe('mapping.json: tile.K: must be a positive integer (got 0)');
  });

  it('lists every bad field, one a line', () => {
    const bad = {
      ...good,
      dataflow: 'ws',
      tile: { M: 1.5, Z: 2 },
      order: ['M', 'X'],
      doubleBuffer: { input: true, weight: 1 },
      extra: 1,
    };
    expect(messageOf(() => parseMappingJson(bad, 'm.json')).split('\n')).toEqual([
      'm.json: dataflow: must be one of weight-stationary, output-stationary (got "ws")',
      'm.json: tile.M: must be a positive integer (got 1.5)',
      'm.json: tile.Z: is not a dim (M, N, K, G, C, P, Q, R, S)',
      'm.json: order.1: must be one of M, N, K, G, C, P, Q, R, S (got "X")',
      'm.json: doubleBuffer.weight: must be true or false (got 1)',
      'm.json: doubleBuffer.output: is required (must be true or false)',
      'm.json: extra: is not a field',
    ]);
  });

  it('a non-object and text that is not JSON', () => {
    expect(messageOf(() => parseMappingJson(5, 'm.json'))).toBe(
      'm.json: (mapping): must be a JSON object (got 5)',
    );
    expect(messageOf(() => parseMappingText('{', 'm.json'))).toMatch(/^m\.json: not JSON: /);
  });
});
