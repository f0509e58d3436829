import type { DType, Node, Tensor } from '../../ir/graph.js';

/**
 * Values of small integer tensors that shapes depend on (Reshape targets, Slice bounds, axes
 * inputs, ConstantOfShape shapes), propagated through the few ops exporters use to compute them
 * (Shape, Gather, arithmetic, Concat, ...). This is not constant folding: nothing is written back
 * into the graph.
 */

/** Largest tensor whose value is tracked. */
export const maxTrackedElements = 1024;

const integerDTypes: readonly DType[] = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'int64'];

export function isTrackedType(t: {
  readonly dtype: DType;
  readonly shape: readonly number[];
}): boolean {
  return (
    integerDTypes.includes(t.dtype) && t.shape.reduce((a, b) => a * b, 1) <= maxTrackedElements
  );
}

/** The tracked value of a constant tensor, if it is a small integer tensor. */
export function constantValue(t: Tensor): readonly number[] | undefined {
  return t.data !== undefined && isTrackedType(t) ? Array.from(t.data, Number) : undefined;
}

/** What the value rules see of a node: input shapes and the known values of its inputs. */
export interface ValueInputs {
  shape(i: number): readonly number[];
  value(i: number): readonly number[] | undefined;
}

function strides(shape: readonly number[]): number[] {
  const s = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) {
    s[i] = s[i + 1] * shape[i + 1];
  }
  return s;
}

/** Index into a broadcast input for each element of `outShape`. */
function broadcastIndices(inShape: readonly number[], outShape: readonly number[]): number[] {
  const inStrides = strides(inShape);
  const offset = outShape.length - inShape.length;
  const n = outShape.reduce((a, b) => a * b, 1);
  const indices: number[] = [];
  for (let flat = 0; flat < n; flat++) {
    let rest = flat;
    let index = 0;
    for (let d = outShape.length - 1; d >= 0; d--) {
      const coord = rest % outShape[d];
      rest = Math.floor(rest / outShape[d]);
      const id = d - offset;
      if (id >= 0 && inShape[id] !== 1) {
        index += coord * inStrides[id];
      }
    }
    indices.push(index);
  }
  return indices;
}

const arithmetic = {
  Add: (a: number, b: number) => a + b,
  Sub: (a: number, b: number) => a - b,
  Mul: (a: number, b: number) => a * b,
  Div: (a: number, b: number) => Math.trunc(a / b),
} as const;

/**
 * The value of output 0 of `node`, when its inputs' values are known and the op is one that shape
 * computations use; undefined otherwise. `outShape` is the already inferred output shape.
 */
export function propagateValue(
  node: Node,
  inputs: ValueInputs,
  outShape: readonly number[],
): readonly number[] | undefined {
  const v0 = inputs.value(0);
  switch (node.op) {
    case 'Shape':
      return inputs.shape(0).slice(node.attrs.start, node.attrs.end);
    case 'Identity':
    case 'Cast':
    case 'Reshape':
    case 'Unsqueeze':
    case 'Squeeze':
      return v0;
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      const v1 = inputs.value(1);
      if (v0 === undefined || v1 === undefined) {
        return undefined;
      }
      const f = arithmetic[node.op];
      const ia = broadcastIndices(inputs.shape(0), outShape);
      const ib = broadcastIndices(inputs.shape(1), outShape);
      return ia.map((a, k) => f(v0[a], v1[ib[k]]));
    }
    case 'Gather': {
      const indices = inputs.value(1);
      if (v0 === undefined || indices === undefined || inputs.shape(0).length !== 1) {
        return undefined;
      }
      return indices.map((i) => v0[i < 0 ? i + v0.length : i]);
    }
    case 'Concat': {
      const parts = node.inputs.map((_, i) => inputs.value(i));
      const known = parts.filter((p): p is readonly number[] => p !== undefined);
      return known.length === parts.length && outShape.length === 1 ? known.flat() : undefined;
    }
    case 'ConstantOfShape':
      return outShape.reduce((a, b) => a * b, 1) <= maxTrackedElements
        ? Array.from({ length: outShape.reduce((a, b) => a * b, 1) }, () => node.attrs.value)
        : undefined;
    default:
      return undefined;
  }
}
