import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { GemmforgeError, InputError, ModelError, UnsupportedError } from '../../../src/errors.js';
import { importOnnx } from '../../../src/frontend/onnx/import.js';
import { elementCount, type Graph } from '../../../src/ir/graph.js';
import { modelDir } from '../../fixtures/models.js';
import { editedModelBytes, nodeNamed, setInputDim } from '../../fixtures/edit_model.js';

const modelNames = [
  'lenet',
  'mobilenet_v2',
  'q_mobilenet_v2',
  'q_resnet18',
  'tiny_encoder',
] as const;
type ModelName = (typeof modelNames)[number];

/** Non-Constant node counts by op type (Constant nodes become tensors, counted separately). */
const expectedOps: Record<ModelName, Record<string, number>> = {
  lenet: { Conv: 2, Relu: 4, MaxPool: 2, Flatten: 1, Gemm: 3 },
  mobilenet_v2: {
    Conv: 52,
    Clip: 35,
    Add: 10,
    GlobalAveragePool: 1,
    Flatten: 1,
    Gemm: 1,
    Identity: 39,
  },
  q_mobilenet_v2: {
    QuantizeLinear: 66,
    DequantizeLinear: 182,
    Conv: 52,
    Relu: 35,
    Add: 10,
    Cast: 129,
    ConstantOfShape: 53,
    GlobalAveragePool: 1,
    Flatten: 1,
    Gemm: 1,
  },
  q_resnet18: {
    QuantizeLinear: 33,
    DequantizeLinear: 83,
    Conv: 20,
    Relu: 17,
    MaxPool: 1,
    Add: 8,
    GlobalAveragePool: 1,
    Flatten: 1,
    Gemm: 1,
    Cast: 62,
    ConstantOfShape: 21,
  },
  tiny_encoder: {
    MatMul: 10,
    Gemm: 2,
    Softmax: 2,
    ReduceMean: 8,
    Sub: 4,
    Pow: 4,
    Sqrt: 4,
    Div: 8,
    Transpose: 12,
    Reshape: 10,
    Add: 20,
    Mul: 10,
    Relu: 2,
    Shape: 2,
    Gather: 2,
    Slice: 6,
    Identity: 15,
  },
};

/** Constant tensors: initializers plus Constant nodes. */
const expectedConstants: Record<ModelName, number> = {
  lenet: 10,
  mobilenet_v2: 67 + 70,
  q_mobilenet_v2: 598,
  q_resnet18: 268,
  tiny_encoder: 9 + 34,
};

const graphs = {} as Record<ModelName, Graph>;

beforeAll(() => {
  for (const name of modelNames) {
    graphs[name] = importOnnx(readFileSync(`${modelDir}/${name}.onnx`), `${name}.onnx`);
  }
});

function opCounts(g: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of g.nodes) {
    counts[n.op] = (counts[n.op] ?? 0) + 1;
  }
  return counts;
}

function tensor(name: ModelName, tensorName: string) {
  const t = graphs[name].tensors[tensorName];
  expect(t, tensorName).toBeDefined();
  return t;
}

describe('importOnnx on the fixture models', () => {
  it.each(modelNames)('%s: node counts by op type', (name) => {
    expect(opCounts(graphs[name])).toEqual(expectedOps[name]);
    expect(graphs[name].opset).toBe(13);
  });

  it.each(modelNames)('%s: constants, and every tensor fully known', (name) => {
    const g = graphs[name];
    const tensors = Object.values(g.tensors);
    expect(tensors.filter((t) => t.data !== undefined)).toHaveLength(expectedConstants[name]);
    for (const t of tensors) {
      expect(
        t.shape.every((d) => Number.isInteger(d) && d >= 0),
        t.name,
      ).toBe(true);
      if (t.data !== undefined) {
        expect(t.data.length, t.name).toBe(elementCount(t.shape));
      }
    }
    for (const n of g.nodes) {
      for (const io of [...n.inputs, ...n.outputs].filter((x) => x !== '')) {
        expect(g.tensors[io], `${n.name}: ${io}`).toBeDefined();
      }
    }
    for (const io of [...g.inputs, ...g.outputs]) {
      expect(g.tensors[io].data, io).toBeUndefined();
    }
  });

  it('lenet: input and output shapes', () => {
    const g = graphs.lenet;
    expect(g.inputs.map((i) => g.tensors[i].shape)).toEqual([[1, 1, 28, 28]]);
    expect(g.outputs.map((o) => g.tensors[o].shape)).toEqual([[1, 10]]);
    expect(g.outputs.map((o) => g.tensors[o].dtype)).toEqual(['float32']);
  });

  it('q_resnet18: first conv and maxpool shapes, output shape', () => {
    expect(tensor('q_resnet18', '/conv1/Conv_output_0').shape).toEqual([1, 64, 112, 112]);
    expect(tensor('q_resnet18', '/maxpool/MaxPool_output_0').shape).toEqual([1, 64, 56, 56]);
    const g = graphs.q_resnet18;
    expect(g.tensors[g.outputs[0]].shape).toEqual([1, 1000]);
    const conv = g.nodes.find((n) => n.name === '/conv1/Conv');
    expect(conv?.op === 'Conv' && conv.attrs).toEqual({
      group: 1,
      autoPad: 'NOTSET',
      kernelShape: [7, 7],
      strides: [2, 2],
      pads: [3, 3, 3, 3],
      dilations: [1, 1],
    });
  });

  it('q_resnet18: Constant-node weights are int8, biases int32, activations uint8', () => {
    const w = tensor('q_resnet18', '/conv1/Constant_2_output_0');
    expect(w.dtype).toBe('int8');
    expect(w.shape).toEqual([64, 3, 7, 7]);
    expect(w.data).toBeInstanceOf(Int8Array);
    const bias = tensor('q_resnet18', '/conv1/Constant_6_output_0');
    expect(bias.dtype).toBe('int32');
    expect(bias.data).toBeInstanceOf(Int32Array);
    expect(tensor('q_resnet18', '/quant/QuantizeLinear_output_0').dtype).toBe('uint8');
    expect(tensor('q_resnet18', '/conv1/DequantizeLinear_1_output_0').dtype).toBe('float32');
  });

  it.each(['q_resnet18', 'q_mobilenet_v2'] as const)(
    '%s: every weight fed to DequantizeLinear is an int8 constant',
    (name) => {
      const g = graphs[name];
      const weights = g.nodes
        .filter((n) => n.op === 'DequantizeLinear')
        .map((n) => g.tensors[n.inputs[0]])
        .filter((t) => t.data !== undefined && t.shape.length >= 2);
      expect(weights.length).toBe(expectedOps[name].Conv + expectedOps[name].Gemm);
      expect(weights.every((t) => t.dtype === 'int8' && t.data instanceof Int8Array)).toBe(true);
    },
  );

  it('mobilenet_v2: depthwise convs carry their group, Clip min/max are inputs', () => {
    const g = graphs.mobilenet_v2;
    const depthwise = g.nodes.filter((n) => n.op === 'Conv' && n.attrs.group > 1);
    expect(depthwise).toHaveLength(17);
    const clip = g.nodes.find((n) => n.op === 'Clip');
    expect(clip?.attrs).toEqual({});
    expect(clip?.inputs).toHaveLength(3);
    expect(g.tensors[clip?.inputs[2] ?? ''].data).toEqual(Float32Array.of(6));
    expect(g.tensors[g.outputs[0]].shape).toEqual([1, 1000]);
  });

  it('tiny_encoder: output shape, Slice bounds computed from Shape, attention shapes', () => {
    const g = graphs.tiny_encoder;
    expect(g.tensors[g.outputs[0]].shape).toEqual([1, 16, 128]);
    expect(tensor('tiny_encoder', '/layers.0/self_attn/Slice_output_0').shape).toEqual([
      16, 1, 128,
    ]);
    expect(tensor('tiny_encoder', '/layers.0/self_attn/Softmax_output_0').shape).toEqual([
      4, 16, 16,
    ]);
    const softmax = g.nodes.find((n) => n.op === 'Softmax');
    expect(softmax?.attrs).toEqual({ axis: -1 });
  });
});

const { onnx: O } = onnxProto;

function valueInfo(name: string, dims: number[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  };
}

function modelBytes(
  nodes: onnx.INodeProto[],
  opts: { opset?: number; initializer?: onnx.ITensorProto[]; outputs?: string[] } = {},
): Uint8Array {
  return O.ModelProto.encode({
    irVersion: 7,
    opsetImport: [{ domain: '', version: opts.opset ?? 13 }],
    graph: {
      name: 'tiny',
      node: nodes,
      input: [valueInfo('x', [1, 3, 8, 8])],
      output: (opts.outputs ?? ['y']).map((o) => ({ name: o })),
      initializer: opts.initializer ?? [],
    },
  }).finish();
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('importOnnx on hand-built models', () => {
  it('refuses an unsupported op naming op, node and opset, with the supported list', () => {
    const bytes = modelBytes([
      { name: 'nms_0', opType: 'NonMaxSuppression', input: ['x', 'x'], output: ['y'] },
    ]);
    const e = thrown(() => importOnnx(bytes, 'nms.onnx'));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.message).toContain('NonMaxSuppression');
    expect(e.message).toContain("'nms_0'");
    expect(e.message).toContain('opset 13');
    expect(e.message).toContain('gemmforge supports: Conv');
  });

  it('refuses an opset outside 9-18 naming it', () => {
    const bytes = modelBytes([{ name: 'r', opType: 'Relu', input: ['x'], output: ['y'] }], {
      opset: 7,
    });
    const e = thrown(() => importOnnx(bytes, 'old.onnx'));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.message).toContain('opset 7');
    expect(e.message).toContain('old.onnx');
  });

  it('reads typed *_data fields, Constant value_ints and pre-opset-10 Slice attributes', () => {
    const bytes = modelBytes(
      [
        {
          name: 'c',
          opType: 'Constant',
          output: ['shape'],
          attribute: [{ name: 'value_ints', type: 7, ints: [1, -1] }],
        },
        { name: 'r', opType: 'Reshape', input: ['x', 'shape'], output: ['flat'] },
        { name: 'm', opType: 'MatMul', input: ['flat', 'w'], output: ['mm'] },
        {
          name: 's',
          opType: 'Slice',
          input: ['mm'],
          output: ['y'],
          attribute: [
            { name: 'starts', type: 7, ints: [1] },
            { name: 'ends', type: 7, ints: [-1] },
            { name: 'axes', type: 7, ints: [1] },
          ],
        },
      ],
      {
        opset: 9,
        initializer: [
          {
            name: 'w',
            dataType: 1,
            dims: [192, 4],
            floatData: Array.from({ length: 768 }, () => 0.5),
          },
        ],
      },
    );
    const g = importOnnx(bytes, 'typed.onnx');
    expect(g.tensors.shape.data).toEqual([1, -1]);
    expect(g.tensors.w.data).toBeInstanceOf(Float32Array);
    expect(g.tensors.flat.shape).toEqual([1, 192]);
    expect(g.tensors.y.shape).toEqual([1, 2]);
    expect(g.nodes.find((n) => n.op === 'Slice')?.attrs).toEqual({
      starts: [1],
      ends: [-1],
      axes: [1],
    });
  });

  it('Softmax default axis and Clip attributes follow the opset', () => {
    const nodes = [
      {
        name: 'clip',
        opType: 'Clip',
        input: ['x'],
        output: ['c'],
        attribute: [
          { name: 'min', type: 1, f: 0 },
          { name: 'max', type: 1, f: 6 },
        ],
      },
      { name: 'sm', opType: 'Softmax', input: ['c'], output: ['y'] },
    ];
    const g9 = importOnnx(modelBytes(nodes, { opset: 9 }), 'a.onnx');
    expect(g9.nodes.map((n) => n.attrs)).toEqual([{ min: 0, max: 6 }, { axis: 1 }]);
    const g13 = importOnnx(
      modelBytes(nodes.slice(1).map((n) => ({ ...n, input: ['x'] }))),
      'b.onnx',
    );
    expect(g13.nodes.map((n) => n.attrs)).toEqual([{ axis: -1 }]);
  });

  it('names the node when a shape depends on a value unknown at compile time', () => {
    const bytes = modelBytes([
      {
        name: 'cast',
        opType: 'Cast',
        input: ['x'],
        output: ['s'],
        attribute: [{ name: 'to', type: 2, i: 7 }],
      },
      { name: 'reshape_1', opType: 'Reshape', input: ['x', 's'], output: ['y'] },
    ]);
    const e = thrown(() => importOnnx(bytes, 'dyn.onnx'));
    expect(e).toBeInstanceOf(ModelError);
    expect(e.message).toContain("node 'reshape_1' (Reshape)");
    expect(e.message).toContain('not a compile-time constant');
  });

  it('names the node of a cycle (nodes must come in topological order)', () => {
    const bytes = modelBytes([
      { name: 'a', opType: 'Add', input: ['x', 'z'], output: ['w'] },
      { name: 'b', opType: 'Relu', input: ['w'], output: ['z'] },
      { name: 'c', opType: 'Relu', input: ['w'], output: ['y'] },
    ]);
    const e = thrown(() => importOnnx(bytes, 'cycle.onnx'));
    expect(e).toBeInstanceOf(ModelError);
    expect(e.message).toContain("node 'a' (Add)");
    expect(e.message).toContain("input 'z' is not defined before this node");
    expect(e.message).not.toMatch(/\n\s+at /);
  });

  it('refuses an initializer whose data does not fit its shape, naming it', () => {
    const bytes = modelBytes([{ name: 'add', opType: 'Add', input: ['x', 'b'], output: ['y'] }], {
      initializer: [{ name: 'b', dataType: 1, dims: [1, 3, 8, 8], rawData: new Uint8Array(12) }],
    });
    const e = thrown(() => importOnnx(bytes, 'short.onnx'));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain("'b'");
    expect(e.message).toMatch(/12 bytes|bytes/);
    expect(e.message).not.toMatch(/\n\s+at /);
  });

  it('takes fixed shapes for symbolic input dimensions, and checks them', () => {
    const bytes = O.ModelProto.encode({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'dyn',
        node: [{ name: 'r', opType: 'Relu', input: ['x'], output: ['y'] }],
        input: [
          {
            name: 'x',
            type: {
              tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 3 }] } },
            },
          },
        ],
        output: [{ name: 'y' }],
      },
    }).finish();
    expect(thrown(() => importOnnx(bytes, 'dyn.onnx')).message).toContain(
      "dimension 0 is 'N'; give it a fixed size (--input-shape x=Nx3)",
    );
    const g = importOnnx(bytes, 'dyn.onnx', { inputShapes: { x: [2, 3] } });
    expect(g.tensors.y.shape).toEqual([2, 3]);
    expect(
      thrown(() => importOnnx(bytes, 'dyn.onnx', { inputShapes: { x: [2, 4] } })).message,
    ).toContain('dimension 1 is 3; the shape given says 4');
    expect(
      thrown(() => importOnnx(bytes, 'dyn.onnx', { inputShapes: { x: [2, 3], q: [1] } })).message,
    ).toContain("'q', which is not a graph input");
  });

  it('fails clearly on a file that is not ONNX, a truncated file and an empty file', () => {
    const lenet = readFileSync(`${modelDir}/lenet.onnx`);
    const cases: [string, Uint8Array, string][] = [
      ['README.md', readFileSync(`${modelDir}/README.md`), 'protobuf decoding failed'],
      ['cut.onnx', lenet.subarray(0, 100_000), 'truncated'],
      ['empty.onnx', new Uint8Array(), 'no graph'],
    ];
    for (const [file, bytes, what] of cases) {
      const e = thrown(() => importOnnx(bytes, file));
      expect(e).toBeInstanceOf(InputError);
      expect((e as GemmforgeError).exitCode).toBe(2);
      expect(e.message).toContain(file);
      expect(e.message).toContain(what);
      expect(e.message).not.toMatch(/\n\s+at /);
    }
  });
});

describe('importOnnx refuses shapes that cannot be computed, naming the tensor', () => {
  const lenetWith = (edit: Parameters<typeof editedModelBytes>[1]) =>
    editedModelBytes('lenet.onnx', edit);

  it('a graph input dimension of -5 or 0', () => {
    for (const d of [-5, 0]) {
      const e = thrown(() =>
        importOnnx(
          lenetWith((m) => setInputDim(m, 0, 0, d)),
          'l.onnx',
        ),
      );
      expect(e).toBeInstanceOf(InputError);
      expect(e.message).toBe(
        `l.onnx: graph input 'input.1' dimension 0 is ${d}; every dimension must be a positive integer`,
      );
    }
  });

  it('a graph input too large to hold, declared or given as a shape', () => {
    const declared = lenetWith((m) => setInputDim(m, 0, 0, 1e9));
    const symbolic = lenetWith((m) => setInputDim(m, 0, 0, 'N'));
    const message =
      "l.onnx: tensor 'input.1' of shape [1000000000,1,28,28] has 784000000000 elements; " +
      'gemmforge holds at most 2147483647 elements in one tensor';
    expect(thrown(() => importOnnx(declared, 'l.onnx')).message).toBe(message);
    const given = { inputShapes: { 'input.1': [1e9, 1, 28, 28] } };
    expect(thrown(() => importOnnx(symbolic, 'l.onnx', given)).message).toBe(message);
    expect(
      importOnnx(symbolic, 'l.onnx', { inputShapes: { 'input.1': [3, 1, 28, 28] } }).tensors['22']
        .shape,
    ).toEqual([3, 10]);
  });

  it('a graph with no outputs', () => {
    const e = thrown(() =>
      importOnnx(
        lenetWith((m) => ((m.graph as NonNullable<typeof m.graph>).output = [])),
        'l.onnx',
      ),
    );
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe('l.onnx: the graph declares no outputs; there is nothing to compute');
  });
});

describe('importOnnx checks every node where it is, naming it', () => {
  const refused = (edit: Parameters<typeof editedModelBytes>[1]): Error =>
    thrown(() => importOnnx(editedModelBytes('lenet.onnx', edit), 'l.onnx'));
  const attribute = (m: onnx.ModelProto, node: string, name: string) => {
    const a = nodeNamed(m, node).attribute?.find((x) => x.name === name);
    if (a === undefined) throw new Error(`no attribute ${name}`);
    return a;
  };

  it('a Relu with two inputs, a Conv with one', () => {
    const relu = refused((m) => nodeNamed(m, '/Relu').input?.push('/c1/Conv_output_0'));
    expect(relu).toBeInstanceOf(ModelError);
    expect(relu.message).toBe("node '/Relu' (Relu): takes 1 input, got 2");
    expect(refused((m) => nodeNamed(m, '/c1/Conv').input?.splice(1)).message).toBe(
      "node '/c1/Conv' (Conv): takes 2 to 3 inputs, got 1",
    );
  });

  it('an attribute the op does not have', () => {
    const e = refused((m) =>
      nodeNamed(m, '/c1/Conv').attribute?.push({ name: 'bogus', type: 2, i: 3 }),
    );
    expect(e).toBeInstanceOf(ModelError);
    expect(e.message).toBe(
      "node '/c1/Conv' (Conv): unknown attribute 'bogus' (Conv at opset 13 has no such attribute)",
    );
  });

  it('a Gemm alpha of NaN, a Conv stride of 0, negative pads, at that node', () => {
    expect(refused((m) => (attribute(m, '/f1/Gemm', 'alpha').f = NaN)).message).toBe(
      "node '/f1/Gemm' (Gemm): attribute alpha is NaN; it must be a finite number",
    );
    expect(refused((m) => (attribute(m, '/c1/Conv', 'strides').ints = [0, 0])).message).toBe(
      "node '/c1/Conv' (Conv): attribute strides is [0,0]; every value must be at least 1",
    );
    expect(refused((m) => (attribute(m, '/c2/Conv', 'pads').ints = [-3, 0, 0, 0])).message).toBe(
      "node '/c2/Conv' (Conv): attribute pads is [-3,0,0,0]; every value must be at least 0",
    );
    expect(refused((m) => (attribute(m, '/MaxPool', 'kernel_shape').ints = [0, 2])).message).toBe(
      "node '/MaxPool' (MaxPool): attribute kernel_shape is [0,2]; every value must be at least 1",
    );
  });
});
