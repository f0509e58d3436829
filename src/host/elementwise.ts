import { InputError } from '../errors.js';
import { elementCount } from '../ir/graph.js';
import { broadcastShape, broadcastStrides } from './broadcast.js';
import { allocData, writable, type HostTensor } from './host_tensor.js';

/** The binary arithmetic ops, with numpy broadcasting. */
export type BinaryOp = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow';

const floatFns: Readonly<Record<BinaryOp, (x: number, y: number) => number>> = {
  Add: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  Div: (x, y) => x / y,
  Pow: (x, y) => Math.pow(x, y),
};

/** Integer semantics: Div truncates toward zero, as onnxruntime's integer Div. */
const intFns: Readonly<Record<BinaryOp, (x: number, y: number) => number>> = {
  ...floatFns,
  Div: (x, y) => Math.trunc(x / y),
};

const handled = new Set(['float32', 'float64', 'int32', 'int64']);

/**
 * `a op b` elementwise with numpy broadcasting. Both operands must have the same dtype (float32,
 * float64, int32 or int64), which the output keeps; Pow also takes any exponent dtype.
 */
export function binary(op: BinaryOp, a: HostTensor, b: HostTensor): HostTensor {
  if (!handled.has(a.dtype) || (a.dtype !== b.dtype && op !== 'Pow')) {
    throw new InputError(`${op} on ${a.dtype} and ${b.dtype} is not handled`);
  }
  const isFloat = a.dtype === 'float32' || a.dtype === 'float64';
  const fn = (isFloat ? floatFns : intFns)[op];
  const shape = broadcastShape(a.shape, b.shape);
  const n = elementCount(shape);
  const out = writable(allocData(a.dtype, n));
  const x = a.data as ArrayLike<number>;
  const y = b.data as ArrayLike<number>;
  if (x.length === n && y.length === n) {
    for (let i = 0; i < n; i++) out[i] = fn(x[i], y[i]);
  } else if (x.length === n && y.length === 1) {
    const y0 = y[0];
    for (let i = 0; i < n; i++) out[i] = fn(x[i], y0);
  } else {
    broadcastLoop(shape, a.shape, b.shape, x, y, out, fn);
  }
  return { dtype: a.dtype, shape, data: out as HostTensor['data'] };
}

function broadcastLoop(
  shape: readonly number[],
  aShape: readonly number[],
  bShape: readonly number[],
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  out: { [i: number]: number },
  fn: (x: number, y: number) => number,
): void {
  const rank = shape.length;
  const sa = broadcastStrides(aShape, shape);
  const sb = broadcastStrides(bShape, shape);
  const idx = new Int32Array(rank);
  const n = elementCount(shape);
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < n; i++) {
    out[i] = fn(x[ia], y[ib]);
    // Odometer increment of the multi-index, keeping both source offsets in step.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < shape[d]) break;
      ia -= sa[d] * shape[d];
      ib -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}
