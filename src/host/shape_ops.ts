import { InputError } from '../errors.js';
import { elementCount, type DType } from '../ir/graph.js';
import { allocData, normalizeAxis, stridesOf, writable, type HostTensor } from './host_tensor.js';

/** Data movement ops, on any dtype (int64 shape arithmetic included). */

function withShape(x: HostTensor, shape: readonly number[]): HostTensor {
  if (elementCount(shape) !== elementCount(x.shape)) {
    throw new InputError(`cannot reshape [${x.shape}] to [${shape}]`);
  }
  return { dtype: x.dtype, shape, data: x.data };
}

export function shapeOf(x: HostTensor, start: number, end: number | undefined): HostTensor {
  const r = x.shape.length;
  const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
  const dims = x.shape.slice(clampAxis(start), clampAxis(end ?? r));
  return { dtype: 'int64', shape: [dims.length], data: dims };
}

/** Reshape to `target` (0 copies the input dim unless `allowzero`, one -1 is inferred). */
export function reshape(x: HostTensor, target: readonly number[], allowzero: boolean): HostTensor {
  const shape = target.map((d, i) => (d === 0 && !allowzero ? x.shape[i] : d));
  const known = shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
  return withShape(
    x,
    shape.map((d) => (d === -1 ? elementCount(x.shape) / known : d)),
  );
}

export function flatten(x: HostTensor, axis: number): HostTensor {
  const a = axis < 0 ? axis + x.shape.length : axis;
  return withShape(x, [elementCount(x.shape.slice(0, a)), elementCount(x.shape.slice(a))]);
}

export function unsqueeze(x: HostTensor, axes: readonly number[]): HostTensor {
  const rank = x.shape.length + axes.length;
  const at = new Set(axes.map((a) => normalizeAxis(a, rank)));
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(at.has(i) ? 1 : x.shape[j++]);
  return withShape(x, shape);
}

/** Squeeze `axes`, or every size-1 dim when absent. */
export function squeeze(x: HostTensor, axes: readonly number[] | undefined): HostTensor {
  const rank = x.shape.length;
  const at = axes === undefined ? undefined : new Set(axes.map((a) => normalizeAxis(a, rank)));
  return withShape(
    x,
    x.shape.filter((d, i) => (at === undefined ? d !== 1 : !at.has(i))),
  );
}

/**
 * Copies `count` elements: out[i] = x[offset of i], where the source offset walks the output's
 * multi-index over `shape` with per-dim source strides `srcStrides` from `base`.
 */
function gatherStrided(
  x: HostTensor,
  shape: readonly number[],
  srcStrides: ArrayLike<number>,
  base: number,
): HostTensor {
  const n = elementCount(shape);
  const out = writable(allocData(x.dtype, n));
  const src = x.data as ArrayLike<number>;
  const rank = shape.length;
  const idx = new Int32Array(rank);
  let s = base;
  for (let i = 0; i < n; i++) {
    out[i] = src[s];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      s += srcStrides[d];
      if (idx[d] < shape[d]) break;
      s -= srcStrides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return { dtype: x.dtype, shape, data: out as HostTensor['data'] };
}

/** Transpose by `perm` (reverse when absent). */
export function transpose(x: HostTensor, perm: readonly number[] | undefined): HostTensor {
  const p = perm ?? x.shape.map((_, i) => x.shape.length - 1 - i);
  const st = stridesOf(x.shape);
  return gatherStrided(
    x,
    p.map((a) => x.shape[a]),
    p.map((a) => st[a]),
    0,
  );
}

/** Slice with per-axis starts/ends/steps (negative and out-of-range values clamp as ONNX). */
export function slice(
  x: HostTensor,
  starts: readonly number[],
  ends: readonly number[],
  axes: readonly number[] | undefined,
  steps: readonly number[] | undefined,
): HostTensor {
  const rank = x.shape.length;
  const st = stridesOf(x.shape);
  const shape = [...x.shape];
  const srcStrides = [...st];
  let base = 0;
  starts.forEach((s, i) => {
    const axis = normalizeAxis(axes?.[i] ?? i, rank);
    const dim = x.shape[axis];
    const step = steps?.[i] ?? 1;
    if (step === 0) throw new InputError('Slice step of 0');
    const norm = (v: number) => (v < 0 ? v + dim : v);
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    const start = step > 0 ? clamp(norm(s), 0, dim) : clamp(norm(s), 0, dim - 1);
    const end = step > 0 ? clamp(norm(ends[i]), 0, dim) : clamp(norm(ends[i]), -1, dim - 1);
    shape[axis] = Math.max(0, Math.ceil((end - start) / step));
    srcStrides[axis] = st[axis] * step;
    base += start * st[axis];
  });
  return gatherStrided(x, shape, srcStrides, base);
}

/** Gather along `axis` with (possibly negative) integer indices of any shape. */
export function gather(x: HostTensor, indices: HostTensor, axis: number): HostTensor {
  const a = normalizeAxis(axis, x.shape.length);
  const dim = x.shape[a];
  const outer = elementCount(x.shape.slice(0, a));
  const inner = elementCount(x.shape.slice(a + 1));
  const ind = indices.data as ArrayLike<number>;
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  const out = writable(allocData(x.dtype, elementCount(shape)));
  const src = x.data as ArrayLike<number>;
  let o = 0;
  for (let p = 0; p < outer; p++) {
    for (let j = 0; j < ind.length; j++) {
      const k = ind[j] < 0 ? ind[j] + dim : ind[j];
      if (k < 0 || k >= dim) throw new InputError(`Gather index ${ind[j]} out of range ${dim}`);
      const from = (p * dim + k) * inner;
      for (let q = 0; q < inner; q++) out[o++] = src[from + q];
    }
  }
  return { dtype: x.dtype, shape, data: out as HostTensor['data'] };
}

export function concat(xs: readonly HostTensor[], axis: number): HostTensor {
  const first = xs[0];
  const a = normalizeAxis(axis, first.shape.length);
  const shape = [...first.shape];
  shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
  const outer = elementCount(first.shape.slice(0, a));
  const out = writable(allocData(first.dtype, elementCount(shape)));
  const rowOut = elementCount(shape.slice(a));
  let col = 0;
  for (const x of xs) {
    const src = x.data as ArrayLike<number>;
    const row = elementCount(x.shape.slice(a));
    for (let p = 0; p < outer; p++) {
      for (let q = 0; q < row; q++) out[p * rowOut + col + q] = src[p * row + q];
    }
    col += row;
  }
  return { dtype: first.dtype, shape, data: out as HostTensor['data'] };
}

export function split(x: HostTensor, axis: number, sizes: readonly number[]): HostTensor[] {
  const a = normalizeAxis(axis, x.shape.length);
  let start = 0;
  return sizes.map((size) => {
    const part = slice(x, [start], [start + size], [a], undefined);
    start += size;
    return part;
  });
}

/** Cast: float to integer truncates toward zero (then wraps), anything to bool is x != 0. */
export function cast(x: HostTensor, to: DType): HostTensor {
  const src = x.data as ArrayLike<number>;
  const out = writable(allocData(to, src.length));
  const isFloat = x.dtype === 'float32' || x.dtype === 'float64';
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    out[i] =
      to === 'bool'
        ? v !== 0
          ? 1
          : 0
        : isFloat && to !== 'float32' && to !== 'float64'
          ? Math.trunc(v)
          : v;
  }
  return { dtype: to, shape: x.shape, data: out as HostTensor['data'] };
}

export function constantOfShape(shape: readonly number[], dtype: DType, value: number): HostTensor {
  const out = writable(allocData(dtype, elementCount(shape)));
  for (let i = 0; i < out.length; i++) out[i] = value;
  return { dtype, shape, data: out as HostTensor['data'] };
}
