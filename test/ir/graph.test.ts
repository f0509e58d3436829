import { describe, expect, it } from 'vitest';
import { elementCount, isSupportedOp, supportedOps, type Graph } from '../../src/ir/graph.js';

describe('graph IR', () => {
  it('elementCount is the product of the dims, 1 for a scalar', () => {
    expect(elementCount([])).toBe(1);
    expect(elementCount([2, 3, 4])).toBe(24);
    expect(elementCount([5, 0])).toBe(0);
  });

  it('isSupportedOp knows the supported ops and nothing else', () => {
    expect(supportedOps.every(isSupportedOp)).toBe(true);
    expect(new Set(supportedOps).size).toBe(supportedOps.length);
    expect(isSupportedOp('NonMaxSuppression')).toBe(false);
    expect(isSupportedOp('Constant')).toBe(false);
  });

  it('a graph without constant data survives a JSON round trip', () => {
    const g: Graph = {
      name: 'g',
      opset: 13,
      inputs: ['x'],
      outputs: ['y'],
      tensors: {
        x: { name: 'x', dtype: 'float32', shape: [1, 4] },
        y: { name: 'y', dtype: 'float32', shape: [1, 4] },
      },
      nodes: [{ name: 'relu', op: 'Relu', inputs: ['x'], outputs: ['y'], attrs: {} }],
    };
    expect(JSON.parse(JSON.stringify(g))).toEqual(g);
  });
});
