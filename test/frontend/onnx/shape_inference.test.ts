import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/errors.js';
import { inferShapes } from '../../../src/frontend/onnx/shape_inference.js';
import type { ConvAttrs, Graph, Node, WindowAttrs, Tensor } from '../../../src/ir/graph.js';

function input(name: string, shape: number[]): Tensor {
  return { name, dtype: 'float32', shape };
}

function int64(name: string, values: number[]): Tensor {
  return { name, dtype: 'int64', shape: [values.length], data: values };
}

/** Infers a one-node (or few-node) graph and returns the shape of tensor `y`. */
function shapeOf(tensors: Tensor[], nodes: Node[], opset = 13): readonly number[] {
  const graph: Graph = {
    name: 'g',
    opset,
    inputs: tensors.filter((t) => t.data === undefined).map((t) => t.name),
    outputs: ['y'],
    tensors: Object.fromEntries(tensors.map((t) => [t.name, t])),
    nodes,
  };
  return inferShapes(graph).tensors.y.shape;
}

const convDefaults: ConvAttrs = { group: 1, autoPad: 'NOTSET' };

function conv(attrs: Partial<ConvAttrs>, x: number[], w: number[]): readonly number[] {
  const node: Node = {
    name: 'conv',
    op: 'Conv',
    inputs: ['x', 'w'],
    outputs: ['y'],
    attrs: { ...convDefaults, ...attrs },
  };
  return shapeOf([input('x', x), input('w', w)], [node]);
}

describe('inferShapes: Conv', () => {
  it('stride and symmetric pads: 224 -> 112 for a 7x7 stride-2 pad-3 conv', () => {
    const attrs = { strides: [2, 2], pads: [3, 3, 3, 3] };
    expect(conv(attrs, [1, 3, 224, 224], [64, 3, 7, 7])).toEqual([1, 64, 112, 112]);
  });

  it('asymmetric pads and rectangular input', () => {
    // H: (10 + 1 + 0 - 3) / 1 + 1 = 9; W: (7 + 0 + 2 - 3) / 2 + 1 = 4
    const attrs = { strides: [1, 2], pads: [1, 0, 0, 2] };
    expect(conv(attrs, [2, 4, 10, 7], [8, 4, 3, 3])).toEqual([2, 8, 9, 4]);
  });

  it('dilation widens the window', () => {
    // extent (3 - 1) * 2 + 1 = 5: 12 - 5 + 1 = 8
    expect(conv({ dilations: [2, 2] }, [1, 1, 12, 12], [1, 1, 3, 3])).toEqual([1, 1, 8, 8]);
  });

  it('auto_pad SAME_UPPER keeps ceil(in / stride), VALID drops the border', () => {
    expect(conv({ autoPad: 'SAME_UPPER', strides: [2, 2] }, [1, 3, 15, 16], [5, 3, 3, 3])).toEqual([
      1, 5, 8, 8,
    ]);
    expect(conv({ autoPad: 'VALID', strides: [2, 2] }, [1, 3, 15, 16], [5, 3, 3, 3])).toEqual([
      1, 5, 7, 7,
    ]);
  });

  it('depthwise: group = channels', () => {
    expect(conv({ group: 32, pads: [1, 1, 1, 1] }, [1, 32, 14, 14], [32, 1, 3, 3])).toEqual([
      1, 32, 14, 14,
    ]);
  });

  it('rejects a weight whose channels do not match, naming the node', () => {
    expect(() => conv({}, [1, 3, 8, 8], [4, 2, 3, 3])).toThrow(ModelError);
    expect(() => conv({}, [1, 3, 8, 8], [4, 2, 3, 3])).toThrow(/node 'conv' \(Conv\)/);
  });
});

describe('inferShapes: Gemm and MatMul', () => {
  it('Gemm with transB: [M,K] x [N,K]^T = [M,N]', () => {
    const node: Node = {
      name: 'fc',
      op: 'Gemm',
      inputs: ['a', 'b', 'c'],
      outputs: ['y'],
      attrs: { transA: false, transB: true, alpha: 1, beta: 1 },
    };
    const tensors = [input('a', [2, 400]), input('b', [120, 400]), input('c', [120])];
    expect(shapeOf(tensors, [node])).toEqual([2, 120]);
    expect(() =>
      shapeOf([input('a', [2, 400]), input('b', [400, 120]), input('c', [120])], [node]),
    ).toThrow(/inner dimensions/);
  });

  function matmul(a: number[], b: number[]): readonly number[] {
    const node: Node = { name: 'mm', op: 'MatMul', inputs: ['a', 'b'], outputs: ['y'], attrs: {} };
    return shapeOf([input('a', a), input('b', b)], [node]);
  }

  it('MatMul broadcasts batch dimensions', () => {
    expect(matmul([4, 16, 32], [32, 8])).toEqual([4, 16, 8]);
    expect(matmul([2, 1, 5, 6], [3, 6, 7])).toEqual([2, 3, 5, 7]);
    expect(matmul([5, 6], [6])).toEqual([5]);
    expect(matmul([6], [3, 6, 7])).toEqual([3, 7]);
    expect(() => matmul([2, 5, 6], [3, 6, 7])).toThrow(/do not broadcast/);
  });
});

describe('inferShapes: data movement', () => {
  it('Reshape with 0 (copy) and -1 (inferred)', () => {
    const node: Node = {
      name: 'r',
      op: 'Reshape',
      inputs: ['x', 's'],
      outputs: ['y'],
      attrs: { allowzero: false },
    };
    expect(shapeOf([input('x', [2, 3, 4, 5]), int64('s', [0, -1, 5])], [node])).toEqual([2, 12, 5]);
    expect(shapeOf([input('x', [2, 3, 4]), int64('s', [-1])], [node])).toEqual([24]);
    expect(() => shapeOf([input('x', [2, 3, 4]), int64('s', [5, -1])], [node])).toThrow(
      /cannot reshape/,
    );
  });

  it('Transpose with a perm and without (reverse)', () => {
    const node = (perm?: number[]): Node => ({
      name: 't',
      op: 'Transpose',
      inputs: ['x'],
      outputs: ['y'],
      attrs: { perm },
    });
    expect(shapeOf([input('x', [1, 16, 4, 32])], [node([0, 2, 1, 3])])).toEqual([1, 4, 16, 32]);
    expect(shapeOf([input('x', [2, 3, 5])], [node()])).toEqual([5, 3, 2]);
  });

  it('Concat along a negative axis', () => {
    const node: Node = {
      name: 'cat',
      op: 'Concat',
      inputs: ['a', 'b', 'c'],
      outputs: ['y'],
      attrs: { axis: -3 },
    };
    const tensors = [input('a', [1, 8, 7, 7]), input('b', [1, 16, 7, 7]), input('c', [1, 3, 7, 7])];
    expect(shapeOf(tensors, [node])).toEqual([1, 27, 7, 7]);
  });

  it('Slice with negative starts, ends and steps (opset 13, inputs)', () => {
    const node: Node = {
      name: 's',
      op: 'Slice',
      inputs: ['x', 'starts', 'ends', 'axes', 'steps'],
      outputs: ['y'],
      attrs: {},
    };
    const slice = (starts: number[], ends: number[], axes: number[], steps: number[]) =>
      shapeOf(
        [
          input('x', [10, 20, 30]),
          int64('starts', starts),
          int64('ends', ends),
          int64('axes', axes),
          int64('steps', steps),
        ],
        [node],
      );
    // axis 1: [-5, end) = 15..20 -> 5; axis -1: [2, -3) step 2 = 2..27 -> 13
    expect(slice([-5, 2], [2 ** 62, -3], [1, -1], [1, 2])).toEqual([10, 5, 13]);
    // reversed: axis 0 from -1 down to (exclusive) -11, i.e. all 10
    expect(slice([-1], [-11], [0], [-1])).toEqual([10, 20, 30]);
    // reversed with step -3 over 0..9 from 8: 8, 5, 2
    expect(slice([8], [0], [0], [-3])).toEqual([3, 20, 30]);
  });

  it('Flatten at axis 0, 2 and -1', () => {
    const node = (axis: number): Node => ({
      name: 'f',
      op: 'Flatten',
      inputs: ['x'],
      outputs: ['y'],
      attrs: { axis },
    });
    expect(shapeOf([input('x', [2, 3, 4, 5])], [node(0)])).toEqual([1, 120]);
    expect(shapeOf([input('x', [2, 3, 4, 5])], [node(2)])).toEqual([6, 20]);
    expect(shapeOf([input('x', [2, 3, 4, 5])], [node(-1)])).toEqual([24, 5]);
  });

  it('Unsqueeze and Squeeze take axes from an input at opset 13 and an attribute at 11', () => {
    const unsq: Node = {
      name: 'u',
      op: 'Unsqueeze',
      inputs: ['x', 'a'],
      outputs: ['y'],
      attrs: {},
    };
    expect(shapeOf([input('x', [3, 4]), int64('a', [0, -1])], [unsq])).toEqual([1, 3, 4, 1]);
    const sq: Node = {
      name: 'q',
      op: 'Squeeze',
      inputs: ['x'],
      outputs: ['y'],
      attrs: { axes: [1] },
    };
    expect(shapeOf([input('x', [3, 1, 4, 1])], [sq], 11)).toEqual([3, 4, 1]);
  });
});

describe('inferShapes: pooling', () => {
  function pool(attrs: Partial<WindowAttrs>, x: number[]): readonly number[] {
    const node: Node = {
      name: 'pool',
      op: 'MaxPool',
      inputs: ['x'],
      outputs: ['y'],
      attrs: { kernelShape: [3, 3], autoPad: 'NOTSET', ceilMode: false, ...attrs },
    };
    return shapeOf([input('x', x)], [node]);
  }

  it('floor vs ceil_mode', () => {
    // (112 + 2 - 3) / 2 + 1 = 56.5 -> 56 (floor), 57 (ceil)
    const base = { strides: [2, 2], pads: [1, 1, 1, 1] };
    expect(pool(base, [1, 64, 112, 112])).toEqual([1, 64, 56, 56]);
    expect(pool({ ...base, ceilMode: true }, [1, 64, 112, 112])).toEqual([1, 64, 57, 57]);
    // (6 - 3) / 2 + 1 = 2.5 -> 2 (floor), 3 (ceil)
    expect(pool({ strides: [2, 2] }, [1, 1, 6, 6])).toEqual([1, 1, 2, 2]);
    expect(pool({ strides: [2, 2], ceilMode: true }, [1, 1, 6, 6])).toEqual([1, 1, 3, 3]);
  });

  it('ceil_mode drops a window that would start in the end padding', () => {
    // in 5, k 2, s 2, pads 0/1: ceil((5+1-2)/2)+1 = 3, last window starts at 4 < 5: kept -> 3
    // in 4, k 1, s 2, pads 0/1: ceil((4+1-1)/2)+1 = 3, last starts at 4 >= 4: dropped -> 2
    const a = { kernelShape: [2], strides: [2], pads: [0, 1], ceilMode: true };
    expect(pool(a, [1, 1, 5])).toEqual([1, 1, 3]);
    const b = { kernelShape: [1], strides: [2], pads: [0, 1], ceilMode: true };
    expect(pool(b, [1, 1, 4])).toEqual([1, 1, 2]);
  });
});

describe('inferShapes: shape computations', () => {
  it('Shape -> Gather -> arithmetic -> Concat feeds a Reshape', () => {
    const nodes: Node[] = [
      { name: 'shape', op: 'Shape', inputs: ['x'], outputs: ['s'], attrs: { start: 0 } },
      { name: 'g', op: 'Gather', inputs: ['s', 'i'], outputs: ['d'], attrs: { axis: 0 } },
      { name: 'half', op: 'Div', inputs: ['d', 'two'], outputs: ['h'], attrs: {} },
      { name: 'cat', op: 'Concat', inputs: ['h', 'm1'], outputs: ['t'], attrs: { axis: 0 } },
      { name: 'r', op: 'Reshape', inputs: ['x', 't'], outputs: ['y'], attrs: { allowzero: false } },
    ];
    const tensors = [input('x', [6, 5]), int64('i', [0]), int64('two', [2]), int64('m1', [-1])];
    expect(shapeOf(tensors, nodes)).toEqual([3, 10]);
  });

  it('ConstantOfShape takes its shape from a constant', () => {
    const node: Node = {
      name: 'cos',
      op: 'ConstantOfShape',
      inputs: ['s'],
      outputs: ['y'],
      attrs: { dtype: 'int32', value: 0 },
    };
    expect(shapeOf([int64('s', [2, 64])], [node])).toEqual([2, 64]);
  });

  it('an input used before it is defined is named', () => {
    const node: Node = { name: 'late', op: 'Relu', inputs: ['z'], outputs: ['y'], attrs: {} };
    expect(() => shapeOf([input('x', [1])], [node])).toThrow(/'z' is not defined before this node/);
  });
});
