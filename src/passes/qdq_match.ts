import type { Graph, Node, NodeOf, Requant, Tensor } from '../ir/graph.js';
import { consumers, producers, useCounts } from './graph_util.js';

/**
 * Matching the QDQ neighbourhood of an op, for the folds into fused integer ops (fold_qdq.ts,
 * fold_qdq_add.ts): the DequantizeLinear that feeds an input, and the optional activation and
 * QuantizeLinear that end the pattern.
 */

export interface FoldContext {
  readonly graph: Graph;
  readonly tensors: Readonly<Record<string, Tensor>>;
  readonly producer: ReadonlyMap<string, Node>;
  readonly readers: ReadonlyMap<string, readonly Node[]>;
  readonly uses: ReadonlyMap<string, number>;
}

export function contextOf(graph: Graph): FoldContext {
  return {
    graph,
    tensors: graph.tensors,
    producer: producers(graph),
    readers: consumers(graph),
    uses: useCounts(graph),
  };
}

/** A DequantizeLinear input: the quantized tensor and its parameters. */
export interface Dequantized {
  readonly q: Tensor;
  readonly scale: Float32Array;
  readonly zeroPoint: readonly number[];
}

export function dequantized(ctx: FoldContext, name: string | undefined): Dequantized | string {
  if (name === undefined || name === '') return 'an input is missing';
  const p = ctx.producer.get(name);
  if (p === undefined || p.op !== 'DequantizeLinear') {
    return `input '${name}' is not produced by DequantizeLinear (a float tensor)`;
  }
  const q = ctx.tensors[p.inputs[0]];
  const scale = ctx.tensors[p.inputs[1]]?.data;
  if (!(scale instanceof Float32Array)) return `the scale of '${name}' is not a float32 constant`;
  const zpName = p.inputs[2];
  let zeroPoint: number[] = new Array<number>(scale.length).fill(0);
  if (zpName !== undefined && zpName !== '') {
    const zp = ctx.tensors[zpName]?.data;
    if (zp === undefined || Array.isArray(zp)) {
      return `the zero point of '${name}' is not a constant`;
    }
    zeroPoint = Array.from(zp as ArrayLike<number>);
  }
  return { q, scale, zeroPoint };
}

/** What follows the op: an optional activation, then the QuantizeLinear that ends the pattern. */
export interface Tail {
  readonly q: NodeOf<'QuantizeLinear'>;
  readonly removed: readonly Node[];
  readonly sy: number;
  readonly zy: number;
  readonly activation: 'none' | 'relu' | { readonly lo: number; readonly hi: number };
}

export function soleReader(ctx: FoldContext, name: string): Node | undefined {
  const r = ctx.readers.get(name) ?? [];
  return r.length === 1 && ctx.uses.get(name) === 1 ? r[0] : undefined;
}

export function constNumber(ctx: FoldContext, name: string | undefined): number | undefined {
  if (name === undefined || name === '') return undefined;
  const d = ctx.tensors[name]?.data;
  return d !== undefined && d.length === 1 ? Number(d[0]) : undefined;
}

export function tailOf(ctx: FoldContext, out: string): Tail | string {
  let next = soleReader(ctx, out);
  const removed: Node[] = [];
  let activation: Tail['activation'] = 'none';
  if (next?.op === 'Relu' || next?.op === 'Clip') {
    if (next.op === 'Relu') activation = 'relu';
    else {
      const lo = next.attrs.min ?? constNumber(ctx, next.inputs[1]) ?? -Infinity;
      const hi = next.attrs.max ?? constNumber(ctx, next.inputs[2]) ?? Infinity;
      activation = { lo, hi };
    }
    removed.push(next);
    next = soleReader(ctx, next.outputs[0]);
  }
  if (next?.op !== 'QuantizeLinear') {
    return 'its output is not quantized by a QuantizeLinear it alone feeds';
  }
  const y = ctx.tensors[next.outputs[0]];
  if (y.dtype !== 'int8') return `its output is quantized to ${y.dtype}, not int8`;
  const sy = constNumber(ctx, next.inputs[1]);
  const zy = constNumber(ctx, next.inputs[2]) ?? 0;
  if (sy === undefined || !(sy > 0)) return 'the output scale is not a positive constant';
  return { q: next, removed, sy, zy, activation };
}

/** The activation the requantizer applies, or why the one in the model cannot be fused. */
export function fusedActivation(t: Tail): Requant['activation'] | string {
  const relu = (): Requant['activation'] | string =>
    t.zy === 0
      ? 'relu'
      : t.zy === -128
        ? 'none'
        : `ReLU with output zero point ${t.zy} (only 0 and −128 fuse)`;
  if (t.activation === 'none' || t.activation === 'relu') {
    return t.activation === 'none' ? 'none' : relu();
  }
  const { lo, hi } = t.activation;
  if (Math.round(hi / t.sy) + t.zy < 127) {
    return `Clip's upper bound ${hi} is inside the int8 range of the output`;
  }
  if (Math.round(lo / t.sy) + t.zy <= -128) return 'none';
  if (lo === 0) return relu();
  return `Clip's lower bound ${lo} is neither 0 nor below the int8 range of the output`;
}

export function checkActivation(d: Dequantized, what: string): string | null {
  if (d.q.dtype !== 'int8') return `the ${what} is ${d.q.dtype}, not int8`;
  if (d.scale.length !== 1) return `the ${what} has per-channel scales`;
  return null;
}
