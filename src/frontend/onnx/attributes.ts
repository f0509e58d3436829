import type { onnx } from 'onnx-proto';
import type {
  AttrsByOnnxOp,
  AutoPad,
  ConvAttrs,
  Node,
  OnnxOpType,
  WindowAttrs,
} from '../../ir/graph.js';
import { ModelError } from '../../errors.js';
import { dtypeOfCode, int64ToNumber, tensorFromProto } from './tensor_proto.js';

/** ONNX AttributeProto.AttributeType codes. */
const attrTypeCode = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

/** Typed access to one node's attributes: the only place attributes are looked up by name. */
interface AttrReader {
  int(name: string, dflt: number): number;
  optInt(name: string): number | undefined;
  float(name: string, dflt: number): number;
  optFloat(name: string): number | undefined;
  /** A float attribute that must be finite (alpha, epsilon): NaN and ±Inf are refused. */
  finite(name: string, dflt: number): number;
  ints(name: string): readonly number[] | undefined;
  /** An ints attribute whose every value is at least `min` (strides ≥ 1, pads ≥ 0). */
  intsAtLeast(name: string, min: number): readonly number[] | undefined;
  /** Every attribute name looked up so far. */
  readonly read: ReadonlySet<string>;
  string(name: string, dflt: string): string;
  tensor(name: string): onnx.ITensorProto | undefined;
  fail(reason: string): never;
}

function attrReader(node: onnx.INodeProto): AttrReader {
  const byName = new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
  const read = new Set<string>();
  const fail = (reason: string): never => {
    throw new ModelError(node.name ?? '', node.opType ?? '', reason);
  };
  const get = (name: string, type: number): onnx.IAttributeProto | undefined => {
    read.add(name);
    const a = byName.get(name);
    if (a !== undefined && a.type !== type) {
      fail(`attribute '${name}' has type code ${a.type}, expected ${type}`);
    }
    return a;
  };
  const optInt = (name: string): number | undefined => {
    const a = get(name, attrTypeCode.int);
    return a === undefined ? undefined : int64ToNumber(a.i ?? 0);
  };
  const optFloat = (name: string): number | undefined => {
    const a = get(name, attrTypeCode.float);
    return a === undefined ? undefined : (a.f ?? 0);
  };
  const ints = (name: string) => get(name, attrTypeCode.ints)?.ints?.map((v) => int64ToNumber(v));
  return {
    optInt,
    optFloat,
    int: (name, dflt) => optInt(name) ?? dflt,
    float: (name, dflt) => optFloat(name) ?? dflt,
    finite: (name, dflt) => {
      const x = optFloat(name) ?? dflt;
      return Number.isFinite(x) ? x : fail(`attribute ${name} is ${x}; it must be a finite number`);
    },
    ints,
    intsAtLeast: (name, min) => {
      const xs = ints(name);
      if (xs !== undefined && xs.some((x) => x < min)) {
        fail(`attribute ${name} is [${xs}]; every value must be at least ${min}`);
      }
      return xs;
    },
    read,
    string: (name, dflt) => {
      const a = get(name, attrTypeCode.string);
      return a === undefined ? dflt : new TextDecoder().decode(a.s ?? new Uint8Array());
    },
    tensor: (name) => get(name, attrTypeCode.tensor)?.t ?? undefined,
    fail,
  };
}

function autoPad(r: AttrReader): AutoPad {
  const s = r.string('auto_pad', 'NOTSET');
  if (s === 'NOTSET' || s === 'SAME_UPPER' || s === 'SAME_LOWER' || s === 'VALID') {
    return s;
  }
  return r.fail(`auto_pad '${s}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
}

/** The sliding-window attributes Conv and the pools share, each in its range. */
function windowRanges(r: AttrReader) {
  return {
    autoPad: autoPad(r),
    strides: r.intsAtLeast('strides', 1),
    pads: r.intsAtLeast('pads', 0),
    dilations: r.intsAtLeast('dilations', 1),
  };
}

function conv(r: AttrReader): ConvAttrs {
  const group = r.int('group', 1);
  if (group < 1) r.fail(`attribute group is ${group}; it must be at least 1`);
  const { autoPad: pad, ...ranges } = windowRanges(r);
  return { group, autoPad: pad, kernelShape: r.intsAtLeast('kernel_shape', 1), ...ranges };
}

function pool(r: AttrReader): WindowAttrs {
  const kernelShape =
    r.intsAtLeast('kernel_shape', 1) ?? r.fail('attribute kernel_shape is required');
  return { kernelShape, ...windowRanges(r), ceilMode: r.int('ceil_mode', 0) !== 0 };
}

const none = (): Readonly<Record<never, never>> => ({});

/** One parser per op: attributes with their ONNX defaults, by opset where the defaults changed. */
const parsers: {
  readonly [K in OnnxOpType]: (r: AttrReader, opset: number) => AttrsByOnnxOp[K];
} = {
  Conv: conv,
  QLinearConv: conv,
  Gemm: (r) => ({
    transA: r.int('transA', 0) !== 0,
    transB: r.int('transB', 0) !== 0,
    alpha: r.finite('alpha', 1),
    beta: r.finite('beta', 1),
  }),
  MatMul: none,
  QLinearMatMul: none,
  Add: none,
  Sub: none,
  Mul: none,
  Div: none,
  Pow: none,
  Sqrt: none,
  Relu: none,
  Sigmoid: none,
  HardSwish: none,
  Tanh: none,
  Erf: none,
  Identity: none,
  GlobalAveragePool: none,
  Clip: (r, opset) => (opset < 11 ? { min: r.optFloat('min'), max: r.optFloat('max') } : {}),
  HardSigmoid: (r) => ({ alpha: r.finite('alpha', 0.2), beta: r.finite('beta', 0.5) }),
  Softmax: (r, opset) => ({ axis: r.int('axis', opset < 13 ? 1 : -1) }),
  BatchNormalization: (r) => {
    if (r.int('training_mode', 0) !== 0) {
      r.fail('training_mode=1 is not supported');
    }
    return { epsilon: r.finite('epsilon', 1e-5) };
  },
  LayerNormalization: (r) => ({ axis: r.int('axis', -1), epsilon: r.finite('epsilon', 1e-5) }),
  MaxPool: (r) => {
    if (r.int('storage_order', 0) !== 0) {
      r.fail('storage_order=1 (column major) is not supported');
    }
    return pool(r);
  },
  AveragePool: (r) => ({ ...pool(r), countIncludePad: r.int('count_include_pad', 0) !== 0 }),
  Flatten: (r) => ({ axis: r.int('axis', 1) }),
  Reshape: (r) => ({ allowzero: r.int('allowzero', 0) !== 0 }),
  Transpose: (r) => ({ perm: r.ints('perm') }),
  Concat: (r) => ({ axis: r.optInt('axis') ?? r.fail('attribute axis is required') }),
  Split: (r, opset) => ({
    axis: r.int('axis', 0),
    split: opset < 13 ? r.ints('split') : undefined,
  }),
  Slice: (r, opset) =>
    opset < 10 ? { starts: r.ints('starts'), ends: r.ints('ends'), axes: r.ints('axes') } : {},
  Gather: (r) => ({ axis: r.int('axis', 0) }),
  Shape: (r) => ({ start: r.int('start', 0), end: r.optInt('end') }),
  Unsqueeze: (r, opset) => ({ axes: opset < 13 ? r.ints('axes') : undefined }),
  Squeeze: (r, opset) => ({ axes: opset < 13 ? r.ints('axes') : undefined }),
  ReduceMean: (r, opset) => ({
    axes: opset < 18 ? r.ints('axes') : undefined,
    keepdims: r.int('keepdims', 1) !== 0,
    noopWithEmptyAxes: r.int('noop_with_empty_axes', 0) !== 0,
  }),
  Cast: (r) => ({
    to: dtypeOfCode(r.optInt('to') ?? r.fail('attribute to is required'), 'Cast to'),
  }),
  ConstantOfShape: (r) => {
    const t = r.tensor('value');
    if (t === undefined) {
      return { dtype: 'float32', value: 0 };
    }
    const value = tensorFromProto(t, 'value');
    if (value.data === undefined || value.data.length !== 1) {
      return r.fail('attribute value must hold exactly one element');
    }
    return { dtype: value.dtype, value: Number(value.data[0]) };
  },
  QuantizeLinear: (r) => ({ axis: r.int('axis', 1) }),
  DequantizeLinear: (r) => ({ axis: r.int('axis', 1) }),
};

/**
 * Attributes ONNX defines that do not change what an op computes at inference, so no parser reads
 * them: BatchNormalization's training momentum and its pre-opset-9 flags, LayerNormalization's
 * precision of the statistics.
 */
const inertAttributes: Partial<Record<OnnxOpType, readonly string[]>> = {
  BatchNormalization: ['momentum', 'spatial', 'is_test', 'consumed_inputs'],
  LayerNormalization: ['stash_type'],
};

/**
 * A graph node from a NodeProto of a supported op, with its attributes parsed; an attribute the op
 * does not have (at this opset) is refused, naming it.
 */
export function parseNode(proto: onnx.INodeProto, op: OnnxOpType, opset: number): Node {
  const r = attrReader(proto);
  const attrs = parsers[op](r, opset);
  for (const a of proto.attribute ?? []) {
    const name = a.name ?? '';
    if (!r.read.has(name) && !(inertAttributes[op] ?? []).includes(name)) {
      r.fail(`unknown attribute '${name}' (${op} at opset ${opset} has no such attribute)`);
    }
  }
  return {
    name: proto.name ?? '',
    op,
    inputs: [...(proto.input ?? [])],
    outputs: [...(proto.output ?? [])],
    attrs,
  } as Node;
}

/** The value of a `Constant` node: `value`, or one of the value_* forms (opset 12+). */
export function constantValue(proto: onnx.INodeProto): onnx.ITensorProto {
  const r = attrReader(proto);
  const t = r.tensor('value');
  if (t !== undefined) {
    return t;
  }
  const f = r.optFloat('value_float');
  if (f !== undefined) {
    return { dataType: 1, dims: [], floatData: [f] };
  }
  const i = r.optInt('value_int');
  if (i !== undefined) {
    return { dataType: 7, dims: [], int64Data: [i] };
  }
  const a = (proto.attribute ?? []).find(
    (x) => x.name === 'value_floats' || x.name === 'value_ints',
  );
  if (a?.name === 'value_floats') {
    return { dataType: 1, dims: [a.floats?.length ?? 0], floatData: a.floats ?? [] };
  }
  if (a?.name === 'value_ints') {
    return { dataType: 7, dims: [a.ints?.length ?? 0], int64Data: a.ints ?? [] };
  }
  return r.fail('a Constant needs a value, value_float(s) or value_int(s) attribute');
}
