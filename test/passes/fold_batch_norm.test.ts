import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Graph, Node } from '../../src/ir/graph.js';
import { foldBatchNorm } from '../../src/passes/fold_batch_norm.js';
import { runGraphOnHost } from '../../src/host/run_graph.js';
import { dataOf, f32, graphOf, ops, value } from './graphs.js';

const conv: Node = {
  name: 'conv',
  op: 'Conv',
  inputs: ['x', 'w', 'b'],
  outputs: ['c'],
  attrs: { group: 1, autoPad: 'NOTSET', kernelShape: [1, 2] },
};
const bn: Node = {
  name: 'bn',
  op: 'BatchNormalization',
  inputs: ['c', 'gamma', 'beta', 'mean', 'var'],
  outputs: ['y'],
  attrs: { epsilon: 0.25 },
};

/**
 * Conv 1→2 channels, 1×2 kernel, then BN. With ε = 0.25, √(σ²+ε) = [2, 0.5] and
 * k = γ/√(σ²+ε) = [3/2, 0.5/0.5] = [1.5, 1]:
 * w' = [[2, 4]·1.5, [-1, 6]·1] = [[3, 6], [-1, 6]],
 * b' = [(1 − 0)·1.5 + 1, (3 − 1)·1 − 2] = [2.5, 0].
 */
const convBn = graphOf(
  ['x'],
  ['y'],
  [
    value('x', [1, 1, 2, 3]),
    f32('w', [2, 1, 1, 2], [2, 4, -1, 6]),
    f32('b', [2], [1, 3]),
    value('c', [1, 2, 2, 2]),
    f32('gamma', [2], [3, 0.5]),
    f32('beta', [2], [1, -2]),
    f32('mean', [2], [0, 1]),
    f32('var', [2], [3.75, 0]),
    value('y', [1, 2, 2, 2]),
  ],
  [conv, bn],
);

describe('foldBatchNorm', () => {
  it('folds BN into the Conv weights and bias (hand-computed)', () => {
    const g = foldBatchNorm(convBn);
    expect(ops(g)).toEqual(['Conv']);
    const merged = g.nodes[0];
    expect(merged.name).toBe('conv');
    expect(merged.outputs).toEqual(['y']);
    expect(merged.inputs[0]).toBe('x');
    expect(dataOf(g, merged.inputs[1])).toEqual([3, 6, -1, 6]);
    expect(g.tensors[merged.inputs[1]].shape).toEqual([2, 1, 1, 2]);
    expect(dataOf(g, merged.inputs[2])).toEqual([2.5, 0]);
    expect(g.tensors.c).toBeUndefined();
    expect(dataOf(g, 'w')).toEqual([2, 4, -1, 6]);
  });

  it('computes the same outputs as Conv then BN', () => {
    const x = { data: Float32Array.from([1, -2, 3, 0.5, 4, -1]), shape: [1, 1, 2, 3] };
    const want = runGraphOnHost(convBn, { x }).y.data as Float32Array;
    const got = runGraphOnHost(foldBatchNorm(convBn), { x }).y.data as Float32Array;
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
  });

  it('treats a missing Conv bias as zero', () => {
    const noBias: Graph = {
      ...convBn,
      nodes: [{ ...conv, inputs: ['x', 'w'] }, bn],
    };
    const g = foldBatchNorm(noBias);
    // b' = (0 − μ)·k + β = [0·1.5 + 1, −1·1 − 2].
    expect(dataOf(g, g.nodes[0].inputs[2])).toEqual([1, -3]);
  });

  it('leaves the pair alone when the Conv output has another reader', () => {
    const shared: Graph = {
      ...convBn,
      outputs: ['y', 'c'],
    };
    expect(foldBatchNorm(shared)).toEqual(shared);
  });

  it('leaves the pair alone when a BN parameter is not constant', () => {
    const g: Graph = {
      ...convBn,
      inputs: ['x', 'mean'],
      tensors: { ...convBn.tensors, mean: value('mean', [2]) },
    };
    expect(ops(foldBatchNorm(g))).toEqual(['Conv', 'BatchNormalization']);
  });

  it('matches Conv then BN on random weights, parameters and input (seeded)', () => {
    const small = fc.float({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true });
    const positive = fc.float({ min: 0, max: 4, noNaN: true, noDefaultInfinity: true });
    const arrays = (n: number, arb: fc.Arbitrary<number>) =>
      fc.array(arb, { minLength: n, maxLength: n });
    fc.assert(
      fc.property(
        arrays(4, small),
        arrays(2, small),
        arrays(2, small),
        arrays(2, small),
        arrays(2, small),
        arrays(2, positive),
        arrays(6, small),
        (w, b, gamma, beta, mean, variance, xs) => {
          const g: Graph = {
            ...convBn,
            tensors: {
              ...convBn.tensors,
              w: f32('w', [2, 1, 1, 2], w),
              b: f32('b', [2], b),
              gamma: f32('gamma', [2], gamma),
              beta: f32('beta', [2], beta),
              mean: f32('mean', [2], mean),
              var: f32('var', [2], variance),
            },
          };
          const x = { data: Float32Array.from(xs), shape: [1, 1, 2, 3] };
          const want = runGraphOnHost(g, { x }).y.data as Float32Array;
          const got = runGraphOnHost(foldBatchNorm(g), { x }).y.data as Float32Array;
          const scale = Math.max(1, ...Array.from(want, Math.abs));
          got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-5 * scale));
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it('does not mutate its input', () => {
    const before = structuredClone(convBn);
    foldBatchNorm(convBn);
    expect(convBn).toEqual(before);
  });
});
