import { elementCount, type NodeOf } from '../../ir/graph.js';
import { normAxis, type RuleContext } from './rule_context.js';

/** Output shapes of the ops that only move data: Slice, Reshape, Unsqueeze, Squeeze, Split. */

/** Slice parameters per axis of the data (start, step, count), from attributes or inputs. */
export function sliceRanges(
  node: NodeOf<'Slice'>,
  ctx: RuleContext,
): readonly { start: number; step: number; count: number }[] {
  const shape = ctx.input(0).shape;
  const old = ctx.opset < 10;
  const starts = old ? node.attrs.starts : ctx.value(1, 'starts');
  const ends = old ? node.attrs.ends : ctx.value(2, 'ends');
  if (starts === undefined || ends === undefined || starts.length !== ends.length) {
    return ctx.fail('starts and ends must be given with equal lengths');
  }
  const axes = old ? node.attrs.axes : ctx.has(3) ? ctx.value(3, 'axes') : undefined;
  const steps = !old && ctx.has(4) ? ctx.value(4, 'steps') : undefined;
  const ranges = shape.map((dim) => ({ start: 0, step: 1, count: dim }));
  starts.forEach((s, i) => {
    const axis = normAxis(axes?.[i] ?? i, shape.length, ctx);
    const dim = shape[axis];
    const step = steps?.[i] ?? 1;
    if (step === 0) {
      ctx.fail('a step of 0');
    }
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    const norm = (v: number) => (v < 0 ? v + dim : v);
    const start = step > 0 ? clamp(norm(s), 0, dim) : clamp(norm(s), 0, dim - 1);
    const end = step > 0 ? clamp(norm(ends[i]), 0, dim) : clamp(norm(ends[i]), -1, dim - 1);
    const count = Math.max(0, Math.ceil((end - start) / step));
    ranges[axis] = { start, step, count };
  });
  return ranges;
}

export function reshapeShape(node: NodeOf<'Reshape'>, ctx: RuleContext): number[] {
  const x = ctx.input(0).shape;
  const target = ctx.value(1, 'the target shape');
  const out = target.map((d, i) => (d === 0 && !node.attrs.allowzero ? x[i] : d));
  const known = out.filter((d) => d !== -1);
  const total = elementCount(x);
  const inferred = out.length - known.length;
  const rest = elementCount(known);
  if (inferred > 1 || (inferred === 1 && (rest === 0 || total % rest !== 0))) {
    ctx.fail(`cannot reshape [${x}] to [${target}]`);
  }
  const shape = out.map((d) => (d === -1 ? total / rest : d));
  if (elementCount(shape) !== total) {
    ctx.fail(`cannot reshape [${x}] (${total} elements) to [${target}]`);
  }
  return shape;
}

export function unsqueezeShape(
  x: readonly number[],
  axes: readonly number[],
  ctx: RuleContext,
): number[] {
  const rank = x.length + axes.length;
  const norm = new Set(axes.map((a) => normAxis(a, rank, ctx)));
  const rest = [...x];
  return Array.from({ length: rank }, (_, d) => (norm.has(d) ? 1 : (rest.shift() ?? 1)));
}

export function squeezeShape(
  x: readonly number[],
  axes: readonly number[] | undefined,
  ctx: RuleContext,
) {
  const norm = new Set((axes ?? []).map((a) => normAxis(a, x.length, ctx)));
  norm.forEach((d) => {
    if (x[d] !== 1) {
      ctx.fail(`cannot squeeze dimension ${d} of size ${x[d]}`);
    }
  });
  return x.filter((d, i) => (axes === undefined ? d !== 1 : !norm.has(i)));
}

export function splitSizes(
  node: NodeOf<'Split'>,
  ctx: RuleContext,
  dim: number,
): readonly number[] {
  const given =
    node.attrs.split ?? (ctx.opset >= 13 && ctx.has(1) ? ctx.value(1, 'split') : undefined);
  const n = node.outputs.length;
  if (given !== undefined) {
    if (given.length !== n || given.reduce((a, b) => a + b, 0) !== dim) {
      ctx.fail(`split [${given}] does not divide dimension ${dim} into ${n} outputs`);
    }
    return given;
  }
  const chunk = Math.ceil(dim / n);
  return Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
}
