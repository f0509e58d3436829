import { describe, expect, it } from 'vitest';
import { removeDeadCode } from '../../src/passes/dead_code.js';
import { f32, graphOf, value } from './graphs.js';

describe('removeDeadCode', () => {
  const g = graphOf(
    ['x', 'unused'],
    ['y'],
    [
      value('x', [2]),
      value('unused', [2]),
      f32('b', [2], [1, 2]),
      f32('orphan', [2], [3, 4]),
      value('a', [2]),
      value('dead', [2]),
      value('dead2', [2]),
      value('y', [2]),
    ],
    [
      { name: 'add', op: 'Add', inputs: ['x', 'b'], outputs: ['a'], attrs: {} },
      { name: 'deadRelu', op: 'Relu', inputs: ['a'], outputs: ['dead'], attrs: {} },
      { name: 'deadSig', op: 'Sigmoid', inputs: ['dead'], outputs: ['dead2'], attrs: {} },
      { name: 'relu', op: 'Relu', inputs: ['a'], outputs: ['y'], attrs: {} },
    ],
  );

  it('drops nodes and tensors no output depends on, keeps graph inputs', () => {
    const out = removeDeadCode(g);
    expect(out.nodes.map((n) => n.name)).toEqual(['add', 'relu']);
    expect(Object.keys(out.tensors).sort()).toEqual(['a', 'b', 'unused', 'x', 'y']);
    expect(out.inputs).toEqual(['x', 'unused']);
  });

  it('does not mutate its input', () => {
    const before = structuredClone(g);
    removeDeadCode(g);
    expect(g).toEqual(before);
  });
});
