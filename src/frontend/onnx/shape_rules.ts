import {
  elementCount,
  type DType,
  type NodeOf,
  type OnnxOpType,
  type WindowAttrs,
} from '../../ir/graph.js';
import {
  reshapeShape,
  sliceRanges,
  splitSizes,
  squeezeShape,
  unsqueezeShape,
} from './layout_shapes.js';
import { broadcastShapes, normAxis, type RuleContext, type TensorType } from './rule_context.js';
import { windowOutputSizes } from './spatial.js';

type Rule<K extends OnnxOpType> = (node: NodeOf<K>, ctx: RuleContext) => readonly TensorType[];

const same = (_node: unknown, ctx: RuleContext): readonly TensorType[] => [ctx.input(0)];

const elementwise = (_node: unknown, ctx: RuleContext): readonly TensorType[] => [
  {
    dtype: ctx.input(0).dtype,
    shape: broadcastShapes([ctx.input(0).shape, ctx.input(1).shape], ctx),
  },
];

function windowed(
  x: TensorType,
  channels: number,
  w: WindowAttrs,
  dtype: DType,
  ctx: RuleContext,
): readonly TensorType[] {
  if (x.shape.length < 3) {
    ctx.fail(`input has shape [${x.shape}], expected N×C×spatial`);
  }
  const r = windowOutputSizes(x.shape.slice(2), w);
  if ('error' in r) {
    return ctx.fail(r.error);
  }
  return [{ dtype, shape: [x.shape[0], channels, ...r.sizes] }];
}

/** Conv and QLinearConv: `x` and `w` are the data and weight inputs. */
function convOutput(
  node: NodeOf<'Conv'> | NodeOf<'QLinearConv'>,
  x: TensorType,
  w: TensorType,
  dtype: DType,
  ctx: RuleContext,
): readonly TensorType[] {
  const a = node.attrs;
  if (w.shape.length !== x.shape.length || x.shape[1] !== w.shape[1] * a.group) {
    ctx.fail(`input [${x.shape}] and weight [${w.shape}] do not match with group ${a.group}`);
  }
  const kernelShape = a.kernelShape ?? w.shape.slice(2);
  return windowed(x, w.shape[0], { ...a, kernelShape, ceilMode: false }, dtype, ctx);
}

function matmulShape(a: readonly number[], b: readonly number[], ctx: RuleContext): number[] {
  if (a.length === 0 || b.length === 0) {
    ctx.fail('MatMul of a scalar');
  }
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const k = a2[a2.length - 1];
  if (k !== b2[b2.length - 2]) {
    ctx.fail(`inner dimensions of [${a}] and [${b}] differ`);
  }
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)], ctx);
  return [
    ...batch,
    ...(a.length === 1 ? [] : [a2[a2.length - 2]]),
    ...(b.length === 1 ? [] : [b2[b2.length - 1]]),
  ];
}

/** Zero point dtype of a quantizing op's output: the zero-point input's, else uint8. */
function quantizedDType(ctx: RuleContext, zeroPointInput: number): DType {
  return ctx.has(zeroPointInput) ? ctx.input(zeroPointInput).dtype : 'uint8';
}

/** One rule per op: output types from input types (and constant values where shapes need them). */
export const shapeRules: { readonly [K in OnnxOpType]: Rule<K> } = {
  Conv: (node, ctx) => convOutput(node, ctx.input(0), ctx.input(1), ctx.input(0).dtype, ctx),
  QLinearConv: (node, ctx) =>
    convOutput(node, ctx.input(0), ctx.input(3), quantizedDType(ctx, 7), ctx),
  Gemm: (node, ctx) => {
    const a = ctx.input(0).shape;
    const b = ctx.input(1).shape;
    if (a.length !== 2 || b.length !== 2) {
      ctx.fail(`inputs [${a}] and [${b}] must be matrices`);
    }
    const [m, ka] = node.attrs.transA ? [a[1], a[0]] : [a[0], a[1]];
    const [kb, n] = node.attrs.transB ? [b[1], b[0]] : [b[0], b[1]];
    if (ka !== kb) {
      ctx.fail(
        `inner dimensions differ: A [${a}] and B [${b}] ` +
          `(transA ${node.attrs.transA}, transB ${node.attrs.transB})`,
      );
    }
    if (ctx.has(2)) {
      broadcastShapes([ctx.input(2).shape, [m, n]], ctx);
    }
    return [{ dtype: ctx.input(0).dtype, shape: [m, n] }];
  },
  MatMul: (_node, ctx) => [
    { dtype: ctx.input(0).dtype, shape: matmulShape(ctx.input(0).shape, ctx.input(1).shape, ctx) },
  ],
  QLinearMatMul: (_node, ctx) => [
    {
      dtype: quantizedDType(ctx, 7),
      shape: matmulShape(ctx.input(0).shape, ctx.input(3).shape, ctx),
    },
  ],
  Add: elementwise,
  Sub: elementwise,
  Mul: elementwise,
  Div: elementwise,
  Pow: elementwise,
  Sqrt: same,
  Relu: same,
  Sigmoid: same,
  HardSwish: same,
  Tanh: same,
  Erf: same,
  Identity: same,
  Clip: same,
  HardSigmoid: same,
  Softmax: (node, ctx) => {
    normAxis(node.attrs.axis, ctx.input(0).shape.length, ctx);
    return [ctx.input(0)];
  },
  BatchNormalization: same,
  LayerNormalization: (node, ctx) => {
    const x = ctx.input(0);
    const axis = normAxis(node.attrs.axis, x.shape.length, ctx);
    const stats = { dtype: 'float32' as const, shape: x.shape.map((d, i) => (i < axis ? d : 1)) };
    return [x, stats, stats];
  },
  GlobalAveragePool: (_node, ctx) => {
    const x = ctx.input(0);
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (i < 2 ? d : 1)) }];
  },
  MaxPool: (node, ctx) =>
    windowed(ctx.input(0), ctx.input(0).shape[1], node.attrs, ctx.input(0).dtype, ctx),
  AveragePool: (node, ctx) =>
    windowed(ctx.input(0), ctx.input(0).shape[1], node.attrs, ctx.input(0).dtype, ctx),
  Flatten: (node, ctx) => {
    const x = ctx.input(0);
    const axis = node.attrs.axis < 0 ? node.attrs.axis + x.shape.length : node.attrs.axis;
    if (axis < 0 || axis > x.shape.length) {
      ctx.fail(`axis ${node.attrs.axis} is out of range for rank ${x.shape.length}`);
    }
    const shape = [elementCount(x.shape.slice(0, axis)), elementCount(x.shape.slice(axis))];
    return [{ dtype: x.dtype, shape }];
  },
  Reshape: (node, ctx) => [{ dtype: ctx.input(0).dtype, shape: reshapeShape(node, ctx) }],
  Transpose: (node, ctx) => {
    const x = ctx.input(0);
    const perm = node.attrs.perm ?? x.shape.map((_, i) => x.shape.length - 1 - i);
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== x.shape.length || sorted.some((p, i) => p !== i)) {
      ctx.fail(`perm [${perm}] is not a permutation of rank ${x.shape.length}`);
    }
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
  },
  Concat: (node, ctx) => {
    const first = ctx.input(0);
    const axis = normAxis(node.attrs.axis, first.shape.length, ctx);
    const shapes = node.inputs.map((_, i) => ctx.input(i).shape);
    shapes.forEach((s) => {
      if (s.length !== first.shape.length || s.some((d, i) => i !== axis && d !== first.shape[i])) {
        ctx.fail(`inputs [${first.shape}] and [${s}] differ outside axis ${axis}`);
      }
    });
    const total = shapes.reduce((sum, s) => sum + s[axis], 0);
    return [{ dtype: first.dtype, shape: first.shape.map((d, i) => (i === axis ? total : d)) }];
  },
  Split: (node, ctx) => {
    const x = ctx.input(0);
    const axis = normAxis(node.attrs.axis, x.shape.length, ctx);
    return splitSizes(node, ctx, x.shape[axis]).map((size) => ({
      dtype: x.dtype,
      shape: x.shape.map((d, i) => (i === axis ? size : d)),
    }));
  },
  Slice: (node, ctx) => [
    { dtype: ctx.input(0).dtype, shape: sliceRanges(node, ctx).map((r) => r.count) },
  ],
  Gather: (node, ctx) => {
    const x = ctx.input(0).shape;
    const axis = normAxis(node.attrs.axis, x.length, ctx);
    const shape = [...x.slice(0, axis), ...ctx.input(1).shape, ...x.slice(axis + 1)];
    return [{ dtype: ctx.input(0).dtype, shape }];
  },
  Shape: (node, ctx) => {
    const n = ctx.input(0).shape.slice(node.attrs.start, node.attrs.end).length;
    return [{ dtype: 'int64', shape: [n] }];
  },
  Unsqueeze: (node, ctx) => {
    const axes = ctx.opset < 13 ? node.attrs.axes : ctx.value(1, 'axes');
    if (axes === undefined) {
      return ctx.fail('axes are required');
    }
    return [{ dtype: ctx.input(0).dtype, shape: unsqueezeShape(ctx.input(0).shape, axes, ctx) }];
  },
  Squeeze: (node, ctx) => {
    const axes = ctx.opset < 13 ? node.attrs.axes : ctx.has(1) ? ctx.value(1, 'axes') : undefined;
    return [{ dtype: ctx.input(0).dtype, shape: squeezeShape(ctx.input(0).shape, axes, ctx) }];
  },
  ReduceMean: (node, ctx) => {
    const x = ctx.input(0);
    const given = ctx.opset < 18 ? node.attrs.axes : ctx.has(1) ? ctx.value(1, 'axes') : undefined;
    if ((given === undefined || given.length === 0) && node.attrs.noopWithEmptyAxes) {
      return [x];
    }
    const axes = new Set(
      given === undefined || given.length === 0
        ? x.shape.map((_, i) => i)
        : given.map((a) => normAxis(a, x.shape.length, ctx)),
    );
    const shape = node.attrs.keepdims
      ? x.shape.map((d, i) => (axes.has(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.has(i));
    return [{ dtype: x.dtype, shape }];
  },
  Cast: (node, ctx) => [{ dtype: node.attrs.to, shape: ctx.input(0).shape }],
  ConstantOfShape: (node, ctx) => [{ dtype: node.attrs.dtype, shape: ctx.value(0, 'the shape') }],
  QuantizeLinear: (_node, ctx) => [{ dtype: quantizedDType(ctx, 2), shape: ctx.input(0).shape }],
  DequantizeLinear: (_node, ctx) => [{ dtype: 'float32', shape: ctx.input(0).shape }],
};
