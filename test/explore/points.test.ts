import { describe, expect, it } from 'vitest';
import { sramBytes, sweepPoints } from '../../src/explore/points.js';
import { parseSweep } from '../../src/explore/sweep.js';
import { targetByName } from '../../src/targets/index.js';

const base = targetByName('gemmini').spec;

function sweep(parameters: unknown, constraints: unknown = {}) {
  return parseSweep(
    { base: 'gemmini', models: [{ network: 'resnet50', layers: 1 }], parameters, constraints },
    's.json',
    '/',
  );
}

describe('sweep points', () => {
  it('the cartesian product, the last parameter varying fastest', () => {
    const points = sweepPoints(
      sweep({
        'memories.scratchpad.capacityBytes': [131072, 262144],
        'dram.bytesPerCycle': { from: 8, to: 32, times: 2 },
      }),
      base,
    );
    expect(points.map((p) => [p.index, p.values])).toEqual([
      [0, { 'memories.scratchpad.capacityBytes': 131072, 'dram.bytesPerCycle': 8 }],
      [1, { 'memories.scratchpad.capacityBytes': 131072, 'dram.bytesPerCycle': 16 }],
      [2, { 'memories.scratchpad.capacityBytes': 131072, 'dram.bytesPerCycle': 32 }],
      [3, { 'memories.scratchpad.capacityBytes': 262144, 'dram.bytesPerCycle': 8 }],
      [4, { 'memories.scratchpad.capacityBytes': 262144, 'dram.bytesPerCycle': 16 }],
      [5, { 'memories.scratchpad.capacityBytes': 262144, 'dram.bytesPerCycle': 32 }],
    ]);
    for (const p of points) {
      expect(p.invalid).toBeNull();
      expect(p.spec.memories.scratchpad.capacityBytes).toBe(
        p.values['memories.scratchpad.capacityBytes'],
      );
      expect(p.spec.dram.bytesPerCycle).toBe(p.values['dram.bytesPerCycle']);
      expect(p.sramBytes).toBe(sramBytes(p.spec));
      expect(p.spec.name).toBe(`gemmini-p${p.index}`);
    }
    // 128 KiB + the 64 KiB accumulator.
    expect(points[0].sramBytes).toBe(196608);
  });

  it('a set parameter assigns several fields together', () => {
    const points = sweepPoints(
      sweep({ array: { set: [{ 'array.rows': 8, 'array.cols': 8 }, {}] } }),
      base,
    );
    expect(points.map((p) => [p.values.array, p.pes])).toEqual([
      [0, 64],
      [1, 256],
    ]);
  });

  it('a spec the schema or the instruction set refuses is a point with its reason', () => {
    const [bad, ok] = sweepPoints(
      sweep({ 'memories.scratchpad.capacityBytes': [1000, 262144] }),
      base,
    );
    expect(bad.target).toBeNull();
    expect(bad.invalid).toMatch(/memories\.scratchpad\.capacityBytes/);
    expect(ok.invalid).toBeNull();
    // Gemmini wants a scratchpad row of DIM int8 values: an 8×8 array with 16-byte rows is refused.
    const [refused] = sweepPoints(sweep({ 'array.rows': [8] }), base);
    expect(refused.invalid).not.toBeNull();
  });

  it('constraints: a point over them is reported and not run', () => {
    const points = sweepPoints(
      sweep(
        { 'memories.scratchpad.capacityBytes': [131072, 262144, 524288] },
        { maxSramBytes: 327680 },
      ),
      base,
    );
    expect(points.map((p) => p.invalid)).toEqual([
      null,
      null,
      'constraint maxSramBytes: 589824 bytes on chip > 327680',
    ]);
  });

  it('refuses a field the base spec does not have, or a value of the wrong kind', () => {
    expect(() => sweepPoints(sweep({ 'array.size': [8] }), base)).toThrow(
      'parameters.array.size[0]: "array.size" is not a field of the base spec',
    );
    expect(() => sweepPoints(sweep({ 'array.rows': ['x'] }), base)).toThrow(
      `parameters.array.rows[0]: must be a number like the base spec's array.rows (got "x")`,
    );
    expect(() => sweepPoints(sweep({ g: { set: [{ memories: 1 }] } }), base)).toThrow(
      'parameters.g.set[0]: "memories" is not a field of the base spec',
    );
  });
});
