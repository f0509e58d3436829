import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { cleanupPasses, runPasses } from '../../src/passes/pipeline.js';
import { fingerprint, loadModel, maxAbs, opCounts, runSeeded } from './models.js';

/** Op counts the pipeline must reach from the model's own counts. */
type Expectation = (before: Record<string, number>, after: Record<string, number>) => void;

/**
 * Float fixtures: the cleanup pipeline leaves the input graph untouched, preserves the host
 * outputs on seeded random input (within 1e-5 of max |ref|) and removes what it should. Node
 * counts before/after are logged.
 */
const floatModels: readonly [string, number, number, Expectation][] = [
  [
    'lenet',
    0,
    1,
    (before, after) => {
      expect(after).toEqual(before);
    },
  ],
  [
    'mobilenet_v2',
    0,
    1,
    (before, after) => {
      const { Identity, ...rest } = before;
      expect(Identity).toBe(39);
      expect(after).toEqual(rest);
    },
  ],
  [
    'tiny_encoder',
    -1,
    1,
    (before, after) => {
      for (const op of ['Identity', 'Shape', 'Gather']) {
        expect(before[op]).toBeGreaterThan(0);
        expect(after[op]).toBeUndefined();
      }
      for (const op of ['MatMul', 'Gemm', 'Softmax', 'Reshape', 'Transpose']) {
        expect(after[op]).toBe(before[op]);
      }
    },
  ],
];

describe('runPasses', () => {
  it('applies the passes in order', () => {
    const g = loadModel('lenet');
    const calls: string[] = [];
    const tag =
      (t: string) =>
      (x: Graph): Graph => {
        calls.push(t);
        return { ...x, name: `${x.name}+${t}` };
      };
    expect(runPasses(g, [tag('a'), tag('b')]).name).toBe(`${g.name}+a+b`);
    expect(calls).toEqual(['a', 'b']);
  });
});

describe('cleanup pipeline on float fixtures', () => {
  it.each(floatModels)('%s: same host outputs, expected ops removed', (model, lo, hi, check) => {
    const before = loadModel(model);
    const snapshot = fingerprint(before);
    const after = runPasses(before, cleanupPasses);
    expect(fingerprint(before)).toEqual(snapshot);
    const counts = [opCounts(before), opCounts(after)] as const;
    console.log(`${model}: ${JSON.stringify(counts[0])} -> ${JSON.stringify(counts[1])}`);
    check(...counts);
    expect(after.outputs).toEqual(before.outputs);
    const want = runSeeded(before, lo, hi, before.outputs);
    const got = runSeeded(after, lo, hi, after.outputs);
    for (const name of before.outputs) {
      expect(got[name].shape).toEqual(want[name].shape);
      const { err, ref } = maxAbs(got[name].data as Float32Array, want[name].data as Float32Array);
      expect(ref).toBeGreaterThan(0);
      expect(err).toBeLessThanOrEqual(1e-5 * ref);
    }
  });
});
