import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Graph, Node, NodeOf, Tensor } from '../../src/ir/graph.js';
import { foldQdq, planQdqFold } from '../../src/passes/fold_qdq.js';
import { uint8ActivationsToInt8 } from '../../src/passes/int8_activations.js';
import { cleanupPasses, quantizedOpPasses, runPasses } from '../../src/passes/pipeline.js';
import { runGraphOnHost } from '../../src/host/run_graph.js';
import { constant, f32, graphOf, value } from './graphs.js';
import { loadModel, opCounts } from './models.js';

/**
 * x (int8, zero point zx) → DQ → Conv(DQ(w), DQ(bias)) → [Relu] → Q (int8, zero point zy): the QDQ
 * pattern of a quantized conv layer, small enough to check by hand.
 */
interface ConvCase {
  readonly sx: number;
  readonly zx: number;
  readonly sw: number;
  readonly sy: number;
  readonly zy: number;
  readonly relu: boolean;
  readonly weights: readonly number[];
  readonly bias: readonly number[];
  readonly pad: number;
}

function convGraph(c: ConvCase): Graph {
  const K = c.bias.length;
  const C = c.weights.length / (K * 9);
  const tensors: Tensor[] = [
    value('xq', [1, C, 4, 4], 'int8'),
    f32('sx', [], [c.sx]),
    constant('zx', 'int8', [], Int8Array.of(c.zx)),
    value('x', [1, C, 4, 4]),
    constant('wq', 'int8', [K, C, 3, 3], Int8Array.from(c.weights)),
    f32('sw', [1], [c.sw]),
    constant('zw', 'int8', [1], Int8Array.of(0)),
    value('w', [K, C, 3, 3]),
    constant('bq', 'int32', [K], Int32Array.from(c.bias)),
    f32('sb', [1], [c.sx * c.sw]),
    constant('zb', 'int32', [1], Int32Array.of(0)),
    value('b', [K]),
    value('conv', [1, K, 4 + 2 * c.pad - 2, 4 + 2 * c.pad - 2]),
    value('act', [1, K, 4 + 2 * c.pad - 2, 4 + 2 * c.pad - 2]),
    f32('sy', [], [c.sy]),
    constant('zy', 'int8', [], Int8Array.of(c.zy)),
    value('y', [1, K, 4 + 2 * c.pad - 2, 4 + 2 * c.pad - 2], 'int8'),
  ];
  const nodes: Node[] = [
    {
      name: 'dqx',
      op: 'DequantizeLinear',
      inputs: ['xq', 'sx', 'zx'],
      outputs: ['x'],
      attrs: { axis: 1 },
    },
    {
      name: 'dqw',
      op: 'DequantizeLinear',
      inputs: ['wq', 'sw', 'zw'],
      outputs: ['w'],
      attrs: { axis: 1 },
    },
    {
      name: 'dqb',
      op: 'DequantizeLinear',
      inputs: ['bq', 'sb', 'zb'],
      outputs: ['b'],
      attrs: { axis: 1 },
    },
    {
      name: 'conv',
      op: 'Conv',
      inputs: ['x', 'w', 'b'],
      outputs: ['conv'],
      attrs: { group: 1, autoPad: 'NOTSET', pads: [c.pad, c.pad, c.pad, c.pad] },
    },
    ...(c.relu
      ? [{ name: 'relu', op: 'Relu', inputs: ['conv'], outputs: ['act'], attrs: {} } as Node]
      : []),
    {
      name: 'q',
      op: 'QuantizeLinear',
      inputs: [c.relu ? 'act' : 'conv', 'sy', 'zy'],
      outputs: ['y'],
      attrs: { axis: 1 },
    },
  ];
  return graphOf(['xq'], ['y'], tensors, nodes);
}

const base: ConvCase = {
  sx: 0.5,
  zx: 3,
  sw: 0.25,
  sy: 2,
  zy: 0,
  relu: true,
  weights: Array.from({ length: 2 * 2 * 9 }, (_, i) => ((i * 37) % 19) - 9),
  bias: [40, -24],
  pad: 1,
};

function fused(g: Graph): NodeOf<'QConv'> {
  const n = foldQdq(g).nodes.find((x) => x.op === 'QConv');
  if (n === undefined || n.op !== 'QConv') throw new Error('not folded');
  return n;
}

function runXq(g: Graph, xq: Int8Array): Int8Array {
  return runGraphOnHost(g, { xq: { data: xq, shape: g.tensors.xq.shape } }).y.data as Int8Array;
}

describe('foldQdq', () => {
  it('folds the input zero point into the bias and makes it the padding value', () => {
    const n = fused(convGraph(base));
    const g = foldQdq(convGraph(base));
    const bias = Array.from(g.tensors[n.inputs[2]].data as Int32Array);
    // bias'[k] = b[k] − z_x·Σw[k] (z_y = 0 adds nothing): Σw over each filter's 18 weights.
    const sums = [0, 1].map((k) =>
      base.weights.slice(k * 18, (k + 1) * 18).reduce((a, b) => a + b),
    );
    expect(bias).toEqual([40 - 3 * sums[0], -24 - 3 * sums[1]]);
    expect(n.attrs.padValue).toBe(3);
    expect(n.attrs.requant).toEqual({ scale: [Math.fround((0.5 * 0.25) / 2)], activation: 'relu' });
    expect(n.inputs[0]).toBe('xq');
    expect(n.outputs).toEqual(['y']);
  });

  it('with z_y = 0 and a power-of-two scale the fused op equals the QDQ graph exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 32, maxLength: 32 }),
        (xs) => {
          const g = convGraph(base);
          const xq = Int8Array.from(xs);
          expect(Array.from(runXq(foldQdq(g), xq))).toEqual(Array.from(runXq(g, xq)));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('ReLU with output zero point −128 is the saturation itself; outputs within one step', () => {
    const c: ConvCase = { ...base, zy: -128, sy: 0.7 };
    const n = fused(convGraph(c));
    expect(n.attrs.requant.activation).toBe('none');
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 32, maxLength: 32 }),
        (xs) => {
          const g = convGraph(c);
          const xq = Int8Array.from(xs);
          const a = runXq(g, xq);
          const b = runXq(foldQdq(g), xq);
          for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('says why a pattern does not fold, and leaves it alone', () => {
    const cases: [ConvCase, RegExp][] = [[{ ...base, zy: 5 }, /ReLU with output zero point 5/]];
    for (const [c, why] of cases) {
      const g = convGraph(c);
      const conv = g.nodes.find((x) => x.op === 'Conv') as Node;
      expect(planQdqFold(conv, g)).toMatch(why);
      expect(foldQdq(g)).toBe(g);
    }
    const g = convGraph(base);
    const zw = {
      ...g,
      tensors: { ...g.tensors, zw: constant('zw', 'int8', [1], Int8Array.of(2)) },
    };
    const conv = zw.nodes.find((x) => x.op === 'Conv') as Node;
    expect(planQdqFold(conv, zw)).toMatch(/weight zero point is not 0/);
  });

  it('folds every conv and matmul of the QDQ fixture models', () => {
    const counts = (name: string) =>
      opCounts(runPasses(runPasses(loadModel(name), cleanupPasses), quantizedOpPasses));
    const r = counts('q_resnet18');
    expect(r.QConv).toBe(20);
    expect(r.QGemm).toBe(1);
    expect(r.Conv).toBeUndefined();
    const m = counts('q_mobilenet_v2');
    expect(m.QConv).toBe(52);
    expect(m.QGemm).toBe(1);
  });
});

describe('uint8ActivationsToInt8', () => {
  it('shifts uint8 activations to int8 through element-moving ops; the reals are unchanged', () => {
    const g = graphOf(
      ['x'],
      ['y'],
      [
        value('x', [1, 1, 2, 2]),
        f32('s', [], [0.1]),
        constant('z', 'uint8', [], Uint8Array.of(10)),
        value('q', [1, 1, 2, 2], 'uint8'),
        value('p', [1, 4], 'uint8'),
        value('y', [1, 4]),
      ],
      [
        {
          name: 'Q',
          op: 'QuantizeLinear',
          inputs: ['x', 's', 'z'],
          outputs: ['q'],
          attrs: { axis: 1 },
        },
        { name: 'flat', op: 'Flatten', inputs: ['q'], outputs: ['p'], attrs: { axis: 1 } },
        {
          name: 'DQ',
          op: 'DequantizeLinear',
          inputs: ['p', 's', 'z'],
          outputs: ['y'],
          attrs: { axis: 1 },
        },
      ],
    );
    const h = uint8ActivationsToInt8(g);
    expect(h.tensors.q.dtype).toBe('int8');
    expect(h.tensors.p.dtype).toBe('int8');
    expect(Array.from(h.tensors[h.nodes[0].inputs[2]].data as Int8Array)).toEqual([-118]);
    for (const xs of [
      [0.5, -3, 2.2, 40],
      [-1, -2, -3, -4],
      [0, 0, 0, 0.04],
    ]) {
      const input = { x: { data: Float32Array.from(xs), shape: [1, 1, 2, 2] } };
      expect(runGraphOnHost(h, input).y.data).toEqual(runGraphOnHost(g, input).y.data);
    }
  });

  it('leaves the graph alone when a uint8 tensor reaches an op that computes on it', () => {
    const g = graphOf(
      ['x'],
      ['y'],
      [
        value('x', [2]),
        f32('s', [], [0.1]),
        constant('z', 'uint8', [], Uint8Array.of(10)),
        value('q', [2], 'uint8'),
        value('y', [2], 'uint8'),
      ],
      [
        {
          name: 'Q',
          op: 'QuantizeLinear',
          inputs: ['x', 's', 'z'],
          outputs: ['q'],
          attrs: { axis: 1 },
        },
        { name: 'add', op: 'Add', inputs: ['q', 'q'], outputs: ['y'], attrs: {} },
      ],
    );
    expect(uint8ActivationsToInt8(g)).toBe(g);
  });
});
