import { InternalError } from '../errors.js';
import { elementCount, type Graph, type Node } from '../ir/graph.js';
import { stridesOf, type HostTensor } from '../host/host_tensor.js';
import * as shapeOps from '../host/shape_ops.js';
import { linear, nestedLoops } from './c_host_loops.js';

/**
 * Data movement ops in C: which input element each output element copies, found by running the
 * host's own kernel on a tensor of indices (so the C moves exactly what the reference moves), then
 * written as strided loops (each op's map is affine in the output index).
 */

function constNumbers(graph: Graph, name: string | undefined): number[] | undefined {
  if (name === undefined || name === '') return undefined;
  const d = graph.tensors[name]?.data;
  return d === undefined ? undefined : Array.from(d as ArrayLike<number>);
}

/** out[i] = in[map[i]] for the node's first output; undefined when an operand is not constant. */
export function dataMovementMap(node: Node, graph: Graph): Int32Array | undefined {
  const x = graph.tensors[node.inputs[0]];
  const n = elementCount(x.shape);
  const index: HostTensor = {
    dtype: 'int32',
    shape: x.shape,
    data: Int32Array.from({ length: n }, (_, i) => i),
  };
  const operand = (i: number) => constNumbers(graph, node.inputs[i]);
  const has = (i: number) => node.inputs[i] !== undefined && node.inputs[i] !== '';
  let out: HostTensor;
  switch (node.op) {
    case 'Identity':
      out = index;
      break;
    case 'Flatten':
      out = shapeOps.flatten(index, node.attrs.axis);
      break;
    case 'Reshape': {
      const shape = operand(1);
      if (shape === undefined) return undefined;
      out = shapeOps.reshape(index, shape, node.attrs.allowzero);
      break;
    }
    case 'Transpose':
      out = shapeOps.transpose(index, node.attrs.perm);
      break;
    case 'Squeeze':
    case 'Unsqueeze': {
      const axes = graph.opset >= 13 ? operand(1) : node.attrs.axes;
      if (graph.opset >= 13 && has(1) && axes === undefined) return undefined;
      out =
        node.op === 'Squeeze'
          ? shapeOps.squeeze(index, axes)
          : shapeOps.unsqueeze(index, axes ?? []);
      break;
    }
    case 'Slice': {
      if (graph.opset < 10) {
        const a = node.attrs;
        out = shapeOps.slice(index, a.starts ?? [], a.ends ?? [], a.axes, undefined);
        break;
      }
      const [starts, ends] = [operand(1), operand(2)];
      if (starts === undefined || ends === undefined) return undefined;
      if ((has(3) && operand(3) === undefined) || (has(4) && operand(4) === undefined)) {
        return undefined;
      }
      out = shapeOps.slice(index, starts, ends, operand(3), operand(4));
      break;
    }
    default:
      return undefined;
  }
  return out.data as Int32Array;
}

/** The map as offset + Σ index·stride over `shape`, when it is one. */
function affine(map: Int32Array, shape: readonly number[]) {
  const so = stridesOf(shape);
  const offset = map.length === 0 ? 0 : map[0];
  const strides = shape.map((d, i) => (d > 1 ? map[so[i]] - offset : 0));
  const idx = new Int32Array(shape.length);
  let at = offset;
  for (let i = 0; i < map.length; i++) {
    if (map[i] !== at) return undefined;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]++;
      at += strides[d];
      if (idx[d] < shape[d]) break;
      at -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return { offset, strides };
}

/** Statements copying `src` to `dst` (pointers to `type`) by the map, as strided loops. */
export function movementLoops(
  map: Int32Array,
  src: string,
  dst: string,
  type: string,
  shape: readonly number[],
): string[] {
  const head = [`  const ${type} *x = ${src};`, `  ${type} *y = ${dst};`];
  const n = map.length;
  const found = affine(map, shape);
  // Every op here gathers with strides, so its map is affine in the output index.
  if (found === undefined) throw new InternalError('C: a data movement map that is not strided');
  const so = stridesOf(shape);
  const contiguous =
    found.offset === 0 && shape.every((d, i) => d <= 1 || found.strides[i] === so[i]);
  if (contiguous) return [...head, `  for (int64_t i = 0; i < ${n}; ++i) y[i] = x[i];`];
  const dims = shape.map((_, i) => i).filter((i) => shape[i] > 1);
  return [
    ...head,
    ...nestedLoops(
      dims.map((i) => shape[i]),
      (idx) => {
        const to = linear(
          idx,
          dims.map((i) => so[i]),
        );
        const from = linear(
          idx,
          dims.map((i) => found.strides[i]),
          found.offset,
        );
        return [`y[${to}] = x[${from}];`];
      },
    ),
  ];
}
