import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { runGraphOnHost } from '../../src/host/run_graph.js';

const tiny: Graph = {
  name: 'tiny',
  opset: 13,
  inputs: ['x'],
  outputs: ['y'],
  tensors: {
    x: { name: 'x', dtype: 'float32', shape: [2, 2] },
    b: { name: 'b', dtype: 'float32', shape: [2], data: Float32Array.from([-1, 1]) },
    s: { name: 's', dtype: 'float32', shape: [2, 2] },
    y: { name: 'y', dtype: 'float32', shape: [2, 2] },
  },
  nodes: [
    { name: 'add', op: 'Add', inputs: ['x', 'b'], outputs: ['s'], attrs: {} },
    { name: 'relu', op: 'Relu', inputs: ['s'], outputs: ['y'], attrs: {} },
  ],
};

describe('runGraphOnHost', () => {
  it('runs nodes in order with constants from the graph', () => {
    const out = runGraphOnHost(tiny, {
      x: { data: Float32Array.from([0, 0, 3, -3]), shape: [2, 2] },
    });
    expect(out.y.shape).toEqual([2, 2]);
    expect(Array.from(out.y.data as Float32Array)).toEqual([0, 1, 2, 0]);
  });

  it('names the node when an op is not handled', () => {
    const g: Graph = {
      ...tiny,
      nodes: [{ name: 'qmm', op: 'QLinearMatMul', inputs: ['x', 'x'], outputs: ['y'], attrs: {} }],
    };
    const x = { data: new Float32Array(4), shape: [2, 2] };
    expect(() => runGraphOnHost(g, { x })).toThrow(
      /node 'qmm' \(QLinearMatMul\).*no reference kernel/,
    );
  });

  it('names the node when a dtype is not handled', () => {
    const g: Graph = {
      ...tiny,
      tensors: { ...tiny.tensors, x: { name: 'x', dtype: 'int32', shape: [2, 2] } },
      nodes: [{ name: 'r', op: 'Relu', inputs: ['x'], outputs: ['y'], attrs: {} }],
    };
    const x = { data: new Int32Array(4), shape: [2, 2] };
    expect(() => runGraphOnHost(g, { x })).toThrow(/node 'r' \(Relu\).*int32/);
  });

  it('rejects a missing or misshapen input', () => {
    expect(() => runGraphOnHost(tiny, {})).toThrow(/'x' was not given/);
    const x = { data: new Float32Array(3), shape: [3] };
    expect(() => runGraphOnHost(tiny, { x })).toThrow(/declares \[2,2\]/);
  });
});
