import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { eliminateIdentity } from '../../src/passes/eliminate_identity.js';
import { dataOf, f32, graphOf, ops, value } from './graphs.js';

const v = (name: string) => value(name, [2]);

describe('eliminateIdentity', () => {
  it('rewires consumers of an Identity to its input and drops its output tensor', () => {
    const g = graphOf(
      ['x'],
      ['y'],
      [v('x'), v('a'), v('b'), v('y')],
      [
        { name: 'r1', op: 'Relu', inputs: ['x'], outputs: ['a'], attrs: {} },
        { name: 'id', op: 'Identity', inputs: ['a'], outputs: ['b'], attrs: {} },
        { name: 'r2', op: 'Relu', inputs: ['b'], outputs: ['y'], attrs: {} },
      ],
    );
    const out = eliminateIdentity(g);
    expect(ops(out)).toEqual(['Relu', 'Relu']);
    expect(out.nodes[1].inputs).toEqual(['a']);
    expect(out.tensors.b).toBeUndefined();
  });

  it('removes a Cast to the same dtype, keeps a real Cast', () => {
    const g = graphOf(
      ['x'],
      ['y'],
      [value('x', [2], 'uint8'), value('c', [2], 'uint8'), value('y', [2])],
      [
        { name: 'same', op: 'Cast', inputs: ['x'], outputs: ['c'], attrs: { to: 'uint8' } },
        { name: 'real', op: 'Cast', inputs: ['c'], outputs: ['y'], attrs: { to: 'float32' } },
      ],
    );
    const out = eliminateIdentity(g);
    expect(out.nodes.map((n) => n.name)).toEqual(['real']);
    expect(out.nodes[0].inputs).toEqual(['x']);
  });

  it('keeps output names: renames the producer of an Identity that is a graph output', () => {
    const g = graphOf(
      ['x'],
      ['y', 'z'],
      [v('x'), v('a'), v('b'), v('y'), v('z')],
      [
        { name: 'relu', op: 'Relu', inputs: ['x'], outputs: ['a'], attrs: {} },
        { name: 'sig', op: 'Sigmoid', inputs: ['a'], outputs: ['z'], attrs: {} },
        { name: 'id1', op: 'Identity', inputs: ['a'], outputs: ['b'], attrs: {} },
        { name: 'id2', op: 'Identity', inputs: ['b'], outputs: ['y'], attrs: {} },
      ],
    );
    const out = eliminateIdentity(g);
    expect(out.outputs).toEqual(['y', 'z']);
    expect(out.nodes).toEqual([
      { name: 'relu', op: 'Relu', inputs: ['x'], outputs: ['y'], attrs: {} },
      { name: 'sig', op: 'Sigmoid', inputs: ['y'], outputs: ['z'], attrs: {} },
    ]);
    expect(Object.keys(out.tensors).sort()).toEqual(['x', 'y', 'z']);
  });

  it('makes a graph output that is an Identity of a constant a constant', () => {
    const g = graphOf(
      [],
      ['y'],
      [f32('c', [2], [1, 2]), v('y')],
      [{ name: 'id', op: 'Identity', inputs: ['c'], outputs: ['y'], attrs: {} }],
    );
    const out = eliminateIdentity(g);
    expect(out.nodes).toEqual([]);
    expect(dataOf(out, 'y')).toEqual([1, 2]);
  });

  it('keeps an Identity between two interface names', () => {
    const fromInput = graphOf(
      ['x'],
      ['y'],
      [v('x'), v('y')],
      [{ name: 'id', op: 'Identity', inputs: ['x'], outputs: ['y'], attrs: {} }],
    );
    expect(eliminateIdentity(fromInput)).toEqual(fromInput);
    const twoOutputs: Graph = graphOf(
      ['x'],
      ['a', 'y'],
      [v('x'), v('a'), v('y')],
      [
        { name: 'relu', op: 'Relu', inputs: ['x'], outputs: ['a'], attrs: {} },
        { name: 'id', op: 'Identity', inputs: ['a'], outputs: ['y'], attrs: {} },
      ],
    );
    expect(ops(eliminateIdentity(twoOutputs))).toEqual(['Relu', 'Identity']);
  });

  it('does not mutate its input', () => {
    const g = graphOf(
      ['x'],
      ['y'],
      [v('x'), v('a'), v('y')],
      [
        { name: 'relu', op: 'Relu', inputs: ['x'], outputs: ['a'], attrs: {} },
        { name: 'id', op: 'Identity', inputs: ['a'], outputs: ['y'], attrs: {} },
      ],
    );
    const before = structuredClone(g);
    eliminateIdentity(g);
    expect(g).toEqual(before);
  });
});
