import { describe, expect, it } from 'vitest';
import { constantFold } from '../../src/passes/constant_fold.js';
import { runGraphOnHost } from '../../src/host/run_graph.js';
import { constant, dataOf, f32, graphOf, i64, ops, value } from './graphs.js';

/** x [1,3,4] reshaped to [3, -1] through a Shape → Gather → Unsqueeze → Concat subgraph. */
const shapeChain = graphOf(
  ['x'],
  ['y'],
  [
    value('x', [1, 3, 4]),
    value('s', [3], 'int64'),
    i64('idx', [], [1]),
    value('d', [], 'int64'),
    i64('axes', [1], [0]),
    value('d1', [1], 'int64'),
    i64('minus1', [1], [-1]),
    value('target', [2], 'int64'),
    value('y', [3, 4]),
  ],
  [
    { name: 'shape', op: 'Shape', inputs: ['x'], outputs: ['s'], attrs: { start: 0 } },
    { name: 'gather', op: 'Gather', inputs: ['s', 'idx'], outputs: ['d'], attrs: { axis: 0 } },
    { name: 'unsq', op: 'Unsqueeze', inputs: ['d', 'axes'], outputs: ['d1'], attrs: {} },
    {
      name: 'concat',
      op: 'Concat',
      inputs: ['d1', 'minus1'],
      outputs: ['target'],
      attrs: { axis: 0 },
    },
    {
      name: 'reshape',
      op: 'Reshape',
      inputs: ['x', 'target'],
      outputs: ['y'],
      attrs: { allowzero: false },
    },
  ],
);

describe('constantFold', () => {
  it('folds a Shape subgraph from the static shape, leaving the data op', () => {
    const g = constantFold(shapeChain);
    expect(ops(g)).toEqual(['Reshape']);
    expect(dataOf(g, 's')).toEqual([1, 3, 4]);
    expect(dataOf(g, 'd')).toEqual([3]);
    expect(dataOf(g, 'target')).toEqual([3, -1]);
    expect(g.tensors.target.dtype).toBe('int64');
    expect(g.tensors.target.shape).toEqual([2]);
    const x = { data: Float32Array.from({ length: 12 }, (_, i) => i), shape: [1, 3, 4] };
    expect(runGraphOnHost(g, { x }).y.data).toEqual(runGraphOnHost(shapeChain, { x }).y.data);
  });

  it('honours Shape start/end', () => {
    const g = graphOf(
      ['x'],
      ['s'],
      [value('x', [2, 5, 7]), value('s', [2], 'int64')],
      [{ name: 'shape', op: 'Shape', inputs: ['x'], outputs: ['s'], attrs: { start: -2 } }],
    );
    expect(dataOf(constantFold(g), 's')).toEqual([5, 7]);
  });

  it('folds ConstantOfShape → Cast and keeps a graph output that became constant', () => {
    const g = graphOf(
      [],
      ['z'],
      [i64('shape', [1], [3]), value('c', [3], 'int32'), value('z', [3])],
      [
        {
          name: 'cos',
          op: 'ConstantOfShape',
          inputs: ['shape'],
          outputs: ['c'],
          attrs: { dtype: 'int32', value: 7 },
        },
        { name: 'cast', op: 'Cast', inputs: ['c'], outputs: ['z'], attrs: { to: 'float32' } },
      ],
    );
    const folded = constantFold(g);
    expect(folded.nodes).toEqual([]);
    expect(folded.outputs).toEqual(['z']);
    expect(folded.tensors.z.data).toEqual(Float32Array.from([7, 7, 7]));
    expect(folded.tensors.c.data).toEqual(Int32Array.from([7, 7, 7]));
    expect(runGraphOnHost(folded, {}).z.data).toEqual(Float32Array.from([7, 7, 7]));
  });

  it('folds arithmetic on constants and Identity, stops at the first runtime value', () => {
    const g = graphOf(
      ['x'],
      ['y'],
      [
        f32('a', [2], [1, 2]),
        f32('b', [2], [10, 20]),
        value('a2', [2]),
        value('sum', [2]),
        value('x', [2]),
        value('y', [2]),
      ],
      [
        { name: 'id', op: 'Identity', inputs: ['a'], outputs: ['a2'], attrs: {} },
        { name: 'add', op: 'Add', inputs: ['a2', 'b'], outputs: ['sum'], attrs: {} },
        { name: 'mul', op: 'Mul', inputs: ['x', 'sum'], outputs: ['y'], attrs: {} },
      ],
    );
    const folded = constantFold(g);
    expect(ops(folded)).toEqual(['Mul']);
    expect(dataOf(folded, 'sum')).toEqual([11, 22]);
    expect(folded.tensors.y.data).toBeUndefined();
  });

  it('never folds QuantizeLinear or DequantizeLinear, even of constant weights', () => {
    const g = graphOf(
      [],
      ['w', 'q'],
      [
        constant('wq', 'int8', [2], Int8Array.from([-3, 5])),
        f32('scale', [], [0.5]),
        constant('zp', 'int8', [], Int8Array.from([0])),
        value('w', [2]),
        value('q', [2], 'int8'),
      ],
      [
        {
          name: 'dq',
          op: 'DequantizeLinear',
          inputs: ['wq', 'scale', 'zp'],
          outputs: ['w'],
          attrs: { axis: 1 },
        },
        {
          name: 'q',
          op: 'QuantizeLinear',
          inputs: ['w', 'scale', 'zp'],
          outputs: ['q'],
          attrs: { axis: 1 },
        },
      ],
    );
    const folded = constantFold(g);
    expect(ops(folded)).toEqual(['DequantizeLinear', 'QuantizeLinear']);
    expect(folded.tensors.w.data).toBeUndefined();
  });

  it('is pure and idempotent', () => {
    const before = structuredClone(shapeChain);
    const once = constantFold(shapeChain);
    expect(shapeChain).toEqual(before);
    expect(constantFold(once)).toEqual(once);
  });
});
