import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { elementCount, type Graph, type Node, type Tensor } from '../../src/ir/graph.js';
import { runGraphOnHost } from '../../src/host/run_graph.js';
import { removeDeadCode } from '../../src/passes/dead_code.js';
import { foldQdqMove } from '../../src/passes/fold_qdq_move.js';
import { cleanupPasses, quantizedOpPasses, runPasses } from '../../src/passes/pipeline.js';
import { targetByName } from '../../src/targets/index.js';
import { runCut } from '../fixtures/cut_model.js';
import { constant, f32, graphOf, i64, value } from './graphs.js';
import { loadModel, opCounts } from './models.js';

/** x (int8) → DQ → MaxPool | Flatten | Reshape → Q → y (int8), per-tensor scales. */
interface MoveCase {
  readonly op: 'MaxPool' | 'Flatten' | 'Reshape';
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly k: number;
  readonly stride: number;
  readonly pad: number;
  readonly sx: number;
  readonly zx: number;
  readonly sy: number;
  readonly zy: number;
  readonly seed: number;
}

function outShape(c: MoveCase): number[] {
  if (c.op === 'Flatten') return [1, c.C * c.H * c.W];
  if (c.op === 'Reshape') return [c.C, c.H * c.W];
  const o = (n: number) => Math.floor((n + 2 * c.pad - c.k) / c.stride) + 1;
  return [1, c.C, o(c.H), o(c.W)];
}

/** Seeded int8 data for the case's input x. */
function inputsOf(c: MoveCase) {
  let s = c.seed;
  const data = Int8Array.from({ length: c.C * c.H * c.W }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s >> 8) % 256;
  });
  return { xq: { data, shape: [1, c.C, c.H, c.W] } };
}

function moveGraph(c: MoveCase): Graph {
  const xShape = [1, c.C, c.H, c.W];
  const yShape = outShape(c);
  const tensors: Tensor[] = [
    value('xq', xShape, 'int8'),
    f32('sx', [], [c.sx]),
    constant('zx', 'int8', [], Int8Array.of(c.zx)),
    value('x', xShape),
    value('moved', yShape),
    f32('sy', [], [c.sy]),
    constant('zy', 'int8', [], Int8Array.of(c.zy)),
    value('y', yShape, 'int8'),
    i64('shape', [2], yShape),
  ];
  const attrs =
    c.op === 'MaxPool'
      ? {
          kernelShape: [c.k, c.k],
          autoPad: 'NOTSET',
          strides: [c.stride, c.stride],
          pads: [c.pad, c.pad, c.pad, c.pad],
          ceilMode: false,
        }
      : c.op === 'Flatten'
        ? { axis: 1 }
        : { allowzero: false };
  const node = (name: string, op: string, inputs: string[], output: string, a: object): Node =>
    ({ name, op, inputs, outputs: [output], attrs: a }) as Node;
  const mvInputs = c.op === 'Reshape' ? ['x', 'shape'] : ['x'];
  const nodes = [
    node('dq', 'DequantizeLinear', ['xq', 'sx', 'zx'], 'x', { axis: 1 }),
    node('mv', c.op, mvInputs, 'moved', attrs),
    node('q', 'QuantizeLinear', ['moved', 'sy', 'zy'], 'y', { axis: 1 }),
  ];
  return graphOf(['xq'], ['y'], tensors, nodes);
}

const caseArb = fc
  .record({
    op: fc.constantFrom('MaxPool' as const, 'Flatten' as const, 'Reshape' as const),
    C: fc.integer({ min: 1, max: 6 }),
    H: fc.integer({ min: 3, max: 10 }),
    W: fc.integer({ min: 3, max: 10 }),
    k: fc.integer({ min: 2, max: 3 }),
    stride: fc.integer({ min: 1, max: 2 }),
    pad: fc.integer({ min: 0, max: 1 }),
    sx: fc.double({ min: 0.001, max: 0.2, noNaN: true }).map(Math.fround),
    zx: fc.integer({ min: -128, max: 127 }),
    sy: fc.double({ min: 0.001, max: 0.2, noNaN: true }).map(Math.fround),
    zy: fc.integer({ min: -128, max: 127 }),
    same: fc.boolean(),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map(({ same, ...c }) => (same ? { ...c, sy: c.sx, zy: c.zx } : c));

describe('foldQdqMove', () => {
  it('replaces DQ, MaxPool | Flatten | Reshape, Q by the int8 op, bit for bit', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const g = moveGraph(c);
        const folded = runPasses(g, [foldQdqMove, removeDeadCode]);
        const same = c.sy === c.sx && c.zy === c.zx;
        const ops = folded.nodes.map((n) => n.op);
        if (c.op !== 'MaxPool' && !same) {
          expect(ops).toEqual(['DequantizeLinear', c.op, 'QuantizeLinear']);
          return;
        }
        expect(ops).toEqual([c.op === 'MaxPool' ? 'QMaxPool' : c.op]);
        const inputs = inputsOf(c);
        const want = runGraphOnHost(g, inputs).y;
        const got = runGraphOnHost(folded, inputs).y;
        expect(got.shape).toEqual(want.shape);
        expect(Array.from(got.data)).toEqual(Array.from(want.data));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps the maximum when only the output quantization differs: 10 steps of 0.1 are 4 of 0.25', () => {
    const c: MoveCase = {
      ...{ op: 'MaxPool', C: 1, H: 2, W: 2, k: 2, stride: 2, pad: 0 },
      ...{ sx: 0.1, zx: 0, sy: 0.25, zy: 3, seed: 1 },
    };
    const folded = runPasses(moveGraph(c), [foldQdqMove, removeDeadCode]);
    const node = folded.nodes[0];
    expect(node.op === 'QMaxPool' && node.attrs.rescale).toEqual({
      inScale: Math.fround(0.1),
      inZeroPoint: 0,
      outScale: 0.25,
      outZeroPoint: 3,
    });
    const inputs = { xq: { data: Int8Array.of(-5, 10, 7, 2), shape: [1, 1, 2, 2] } };
    // max 10 → 1.0 → 4 steps of 0.25 → 4 + 3.
    expect(Array.from(runGraphOnHost(folded, inputs).y.data)).toEqual([7]);
  });

  it('folds a chain of moves before the Q (MaxPool then Flatten), bit for bit', () => {
    fc.assert(
      fc.property(caseArb, (m) => {
        const g = moveGraph({ ...m, op: 'MaxPool' });
        // Flatten between the MaxPool and its Q: the Q now reads a Flatten of the pooled tensor.
        const flat = [1, elementCount(g.tensors.moved.shape)];
        const flatten: Node = {
          name: 'flat',
          op: 'Flatten',
          inputs: ['moved'],
          outputs: ['flat'],
          attrs: { axis: 1 },
        };
        const chained: Graph = {
          ...g,
          tensors: { ...g.tensors, flat: value('flat', flat), y: value('y', flat, 'int8') },
          nodes: [
            g.nodes[0],
            g.nodes[1],
            flatten,
            { ...g.nodes[2], inputs: ['flat', ...g.nodes[2].inputs.slice(1)] },
          ],
        };
        const folded = runPasses(chained, [foldQdqMove, removeDeadCode]);
        expect(folded.nodes.map((n) => n.op)).toEqual(['QMaxPool', 'Flatten']);
        const want = runGraphOnHost(chained, inputsOf(m)).y.data;
        expect(Array.from(runGraphOnHost(folded, inputsOf(m)).y.data)).toEqual(Array.from(want));
      }),
      { numRuns: 60 },
    );
  });

  it("folds q_resnet18's MaxPool and Flatten: no float op is left", () => {
    const counts = opCounts(
      runPasses(loadModel('q_resnet18'), [...cleanupPasses, ...quantizedOpPasses]),
    );
    expect(counts.QMaxPool).toBe(1);
    expect(counts.Flatten).toBe(1);
    expect(counts.MaxPool ?? 0).toBe(0);
  });
});

describe('the int8 ops against onnxruntime (one-node models cut from q_resnet18)', () => {
  const gemmini = targetByName('gemmini');
  const maxpool = ['DequantizeLinear', 'MaxPool', 'QuantizeLinear'].map((n) => `/maxpool/${n}`);
  const pooled = { inputs: 1, inputShape: [1, 64, 112, 112], outputShape: [1, 64, 56, 56] };

  it.each([
    ['the model’s own quantization', undefined],
    ['another output scale (rescaled)', 0.0173],
  ])(
    'QMaxPool, %s: every output equal',
    async (_, outputScale) => {
      const cut = { model: 'q_resnet18.onnx', nodes: maxpool, ...pooled, outputScale };
      const { model, got, want } = await runCut(cut, gemmini);
      expect(model.graph.nodes.filter((n) => n.op === 'QMaxPool')).toHaveLength(1);
      // Measured: 48 distinct outputs with the coarser output scale, more with the model's own.
      expect(new Set(Array.from(want)).size).toBeGreaterThan(40);
      expect(Array.from(got)).toEqual(Array.from(want));
    },
    60_000,
  );

  it('Flatten on int8: every output equal', async () => {
    const cut = {
      model: 'q_resnet18.onnx',
      nodes: ['/DequantizeLinear', '/Flatten', '/QuantizeLinear'],
      ...{ inputs: 1, inputShape: [1, 512, 1, 1], outputShape: [1, 512] },
    };
    const { model, got, want } = await runCut(cut, gemmini);
    const flatten = model.graph.nodes.find((n) => n.op === 'Flatten');
    expect(model.graph.tensors[flatten?.inputs[0] ?? ''].dtype).toBe('int8');
    expect(Array.from(got)).toEqual(Array.from(want));
  }, 60_000);
});
