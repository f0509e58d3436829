import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Graph, Node, Tensor } from '../../src/ir/graph.js';
import { foldQdqPool } from '../../src/passes/fold_qdq_pool.js';
import {
  cleanupPasses,
  globalPoolPasses,
  quantizedOpPasses,
  runPasses,
} from '../../src/passes/pipeline.js';
import { runGraphOnHost } from '../../src/host/run_graph.js';
import { constant, f32, graphOf, value } from './graphs.js';
import { loadModel, opCounts } from './models.js';

/** x (int8 [1][C][H][W]) → DQ → GlobalAveragePool → [Relu] → Q (int8 [1][C][1][1]). */
interface PoolCase {
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly sx: number;
  readonly zx: number;
  readonly sy: number;
  readonly zy: number;
  readonly relu: boolean;
  readonly seed: number;
}

function poolGraph(c: PoolCase): Graph {
  const pooled = [1, c.C, 1, 1];
  const tensors: Tensor[] = [
    value('xq', [1, c.C, c.H, c.W], 'int8'),
    f32('sx', [], [c.sx]),
    constant('zx', 'int8', [], Int8Array.of(c.zx)),
    value('x', [1, c.C, c.H, c.W]),
    value('mean', pooled),
    value('act', pooled),
    f32('sy', [], [c.sy]),
    constant('zy', 'int8', [], Int8Array.of(c.zy)),
    value('y', pooled, 'int8'),
  ];
  const nodes: Node[] = [
    {
      name: 'dq',
      op: 'DequantizeLinear',
      inputs: ['xq', 'sx', 'zx'],
      outputs: ['x'],
      attrs: { axis: 1 },
    },
    { name: 'gap', op: 'GlobalAveragePool', inputs: ['x'], outputs: ['mean'], attrs: {} },
    ...(c.relu
      ? [{ name: 'relu', op: 'Relu', inputs: ['mean'], outputs: ['act'], attrs: {} } as Node]
      : []),
    {
      name: 'q',
      op: 'QuantizeLinear',
      inputs: [c.relu ? 'act' : 'mean', 'sy', 'zy'],
      outputs: ['y'],
      attrs: { axis: 1 },
    },
  ];
  return graphOf(['xq'], ['y'], tensors, nodes);
}

const caseArb = fc.record({
  C: fc.integer({ min: 1, max: 40 }),
  H: fc.integer({ min: 1, max: 9 }),
  W: fc.integer({ min: 1, max: 9 }),
  sx: fc.double({ min: 0.005, max: 0.1, noNaN: true }),
  zx: fc.integer({ min: -128, max: 127 }),
  sy: fc.double({ min: 0.002, max: 0.1, noNaN: true }),
  zy: fc.constantFrom(-128, 0, 9),
  relu: fc.boolean(),
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
});

describe('foldQdqPool', () => {
  it('folds DQ, GlobalAveragePool, [Relu], Q into a depthwise QConv within one step of float', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const g = poolGraph(c);
        const folded = runPasses(g, globalPoolPasses);
        if ((c.relu && c.zy === 9) || c.sx / (c.H * c.W * c.sy) > 1) {
          expect(folded.nodes.map((x) => x.op)).toContain('GlobalAveragePool');
          return;
        }
        expect(folded.nodes.map((x) => x.op)).toEqual(['QConv']);
        const conv = folded.nodes[0];
        expect(conv.op === 'QConv' && conv.attrs.group).toBe(c.C);
        const n = c.C * c.H * c.W;
        let s = c.seed;
        const data = Int8Array.from({ length: n }, () => {
          s = (s * 1103515245 + 12345) % 2 ** 31;
          return (s >> 8) % 256;
        });
        const inputs = { xq: { data, shape: [1, c.C, c.H, c.W] } };
        const want = runGraphOnHost(g, inputs).y.data;
        const got = runGraphOnHost(folded, inputs).y.data;
        for (let i = 0; i < c.C; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1);
      }),
      { numRuns: 80 },
    );
  });

  it('takes the mean as weights of 1 scaled by 1/(H·W), the zero points in the bias', () => {
    const g = poolGraph({
      C: 2,
      H: 7,
      W: 7,
      sx: 0.05,
      zx: 3,
      sy: 0.025,
      zy: 0,
      relu: false,
      seed: 1,
    });
    const folded = runPasses(g, globalPoolPasses);
    const conv = folded.nodes[0];
    if (conv.op !== 'QConv') throw new Error(conv.op);
    expect(conv.attrs.kernelShape).toEqual([7, 7]);
    expect(conv.attrs.requant.scale).toEqual([Math.fround(0.05 / 49 / 0.025)]);
    const t = folded.tensors;
    expect(Array.from(t[conv.inputs[1]].data as Int8Array)).toEqual(new Array(98).fill(1));
    expect(Array.from(t[conv.inputs[2]].data as Int32Array)).toEqual([-3 * 49, -3 * 49]);
    // All 49 pixels at 13 (10 steps above the zero point): a mean of 0.5, 20 output steps.
    const data = new Int8Array(98).fill(13);
    const y = runGraphOnHost(folded, { xq: { data, shape: [1, 2, 7, 7] } }).y.data;
    expect(Array.from(y)).toEqual([20, 20]);
  });

  it("folds q_resnet18's global pooling", () => {
    const g = runPasses(loadModel('q_resnet18'), [...cleanupPasses, ...quantizedOpPasses]);
    const counts = opCounts(foldQdqPool(g));
    expect(counts.GlobalAveragePool ?? 0).toBe(0);
    expect(counts.QConv).toBe((opCounts(g).QConv ?? 0) + 1);
  });
});
