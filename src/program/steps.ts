import type { TileSchedule } from '../mapping/tile_schedule.js';
import {
  add,
  and,
  c,
  eq,
  max,
  select,
  ceilDiv,
  div,
  let_,
  loop,
  lt,
  min,
  mod,
  mul,
  sub,
  v,
  type Cond,
  type Expr,
  type Stmt,
  if_,
} from './program.js';

/**
 * Program-building pieces every tiled lowering needs: decoding a flattened DRAM step into tile indices,
 * and software pipelining (spreading a list of memory operations between compute groups).
 */

/**
 * Lets for step `step` under prefix p: `${p}step`, and per dim d its tile index `${p}i${d}`, extent
 * `${p}e${d}` (the last tile may be partial) and number of `block`-sized blocks `${p}b${d}`.
 */
export function stepLets(s: TileSchedule, p: string, step: Expr, block: number): Stmt[] {
  const out: Stmt[] = [let_(`${p}step`, step)];
  const at = v(`${p}step`);
  s.order.forEach((d, n) => {
    const st = s.stride[d] ?? 1;
    const tr = s.trips[d] ?? 1;
    const t = s.tile[d] ?? 1;
    out.push(let_(`${p}i${d}`, n === 0 ? div(at, st) : mod(div(at, st), tr)));
    out.push(let_(`${p}e${d}`, min(t, sub(s.bound[d] ?? 1, mul(t, v(`${p}i${d}`))))));
    out.push(let_(`${p}b${d}`, ceilDiv(v(`${p}e${d}`), block)));
  });
  return out;
}

/**
 * First row of a buffer's copy at a step: with two copies (double buffering) they alternate every
 * `period` steps (the tensor's reload period).
 */
export function copyBase(
  base: number,
  copyRows: number,
  copies: number,
  period: number,
  step: Expr,
): Expr {
  if (copies === 1) return c(base);
  return add(base, mul(copyRows, mod(div(step, period), 2)));
}

/** Decodes f into mixed-radix digits (the innermost last), as lets named `names`. */
export function digits(f: Expr, names: readonly string[], radices: readonly Expr[]): Stmt[] {
  const out: Stmt[] = [];
  let rest: Expr = f;
  for (let i = names.length - 1; i >= 0; i--) {
    if (i === 0) {
      out.push(let_(names[i], rest));
    } else {
      out.push(let_(names[i], mod(rest, radices[i])));
      rest = div(rest, radices[i]);
    }
  }
  return out;
}

/** A list of memory operations: how many (an expression), and the statements of item f. */
export interface MemOps {
  readonly count: Expr;
  emit(f: Expr): Stmt[];
}

/** A named part of the memory-operation list of a step; `name` is a let holding its count. */
export interface Segment {
  readonly name: string;
  readonly ops: MemOps;
}

/** All of a list, in order. */
export function all(ops: MemOps, index = 'f'): Stmt[] {
  return [loop(index, 0, ops.count, 1, ops.emit(v(index)))];
}

/** Item f of the concatenation of segments. */
export function pick(segments: readonly Segment[], f: Expr): Stmt[] {
  let out: Stmt[] = [];
  for (let i = segments.length - 1; i >= 0; i--) {
    const start = segments.slice(0, i).reduce<Expr>((s, g) => add(s, v(g.name)), c(0));
    const body = segments[i].ops.emit(sub(f, start));
    out =
      i === segments.length - 1 ? body : [if_(lt(f, add(start, v(segments[i].name))), body, out)];
  }
  return out;
}

/**
 * The share of the segments (total count in the let `total`) that goes before compute group g of G:
 * items [ceil(g·L/G), ceil((g+1)·L/G)), so the list is spread evenly, memory first.
 */
export function chunk(segments: readonly Segment[], total: string, g: Expr, G: Expr): Stmt[] {
  if (segments.length === 0) return [];
  const L = v(total);
  const lo = div(add(mul(g, L), G, -1), G);
  const hi = div(add(mul(add(g, 1), L), G, -1), G);
  return [loop('f', lo, hi, 1, pick(segments, v('f')))];
}

/** One tensor the steps load: when (every `period` steps), and what to move at a step prefix. */
export interface StepLoad {
  readonly name: string;
  readonly doubleBuffered: boolean;
  readonly period: number;
  loads(p: string): MemOps;
}

/** The output: filled (e.g. bias) on the first reduction step of a tile, stored on the last. */
export interface StepOutput {
  readonly doubleBuffered: boolean;
  /** Statements that fill the tile before its first accumulation, or null. */
  init: ((p: string) => MemOps) | null;
  stores(p: string): MemOps;
  /** Whether the step under prefix p is the first / last reduction step of its output tile. */
  first(p: string): Cond;
  last(p: string): Cond;
}

export interface PipelinedSteps {
  readonly steps: number;
  /** Lets for the step under prefix p at step index `step` (indices, extents, copy bases). */
  lets(p: string, step: Expr): Stmt[];
  readonly loads: readonly StepLoad[];
  readonly output: StepOutput;
  /** The step's computes, given the segments to spread between them (count let: `nmem`). */
  compute(segments: readonly Segment[]): Stmt[];
}

/**
 * The step loop of a tiled, software-pipelined lowering. Step s runs under prefix `c`, its neighbours
 * under `p` and `n`. Tensors that are not double-buffered load at the start of their step (when due)
 * and the output stores at the end of its last reduction step; double-buffered ones are moved one step
 * ahead (loads of step s+1) or behind (stores of step s−1) and spread between step s's computes, so
 * they overlap. A prologue loads step 0's double-buffered tensors, an epilogue stores the last tile.
 */
export function pipelinedSteps(x: PipelinedSteps): Stmt[] {
  const S = x.steps;
  const due = (l: StepLoad, p: string): Cond => eq(mod(v(`${p}step`), l.period), 0);
  const body: Stmt[] = [...x.lets('n', c(0))];
  for (const l of x.loads) if (l.doubleBuffered) body.push(...all(l.loads('n')));
  const init = x.output.init;
  if (x.output.doubleBuffered && init !== null) body.push(...all(init('n')));

  const step: Stmt[] = [...x.lets('c', v('s'))];
  step.push(...x.lets('p', max(0, sub(v('s'), 1))), ...x.lets('n', min(S - 1, add(v('s'), 1))));
  for (const l of x.loads) if (!l.doubleBuffered) step.push(if_(due(l, 'c'), all(l.loads('c'))));
  if (!x.output.doubleBuffered && init !== null)
    step.push(if_(x.output.first('c'), all(init('c'))));
  const segments: Segment[] = [];
  const segment = (name: string, when: Cond, ops: MemOps): void => {
    step.push(let_(name, select(when, ops.count, 0)));
    segments.push({ name, ops });
  };
  const hasNext = lt(v('s'), S - 1);
  if (x.output.doubleBuffered) {
    segment(
      'nstore',
      { kind: 'and', args: [lt(0, v('s')), x.output.last('p')] },
      x.output.stores('p'),
    );
  }
  x.loads.forEach((l) => {
    if (l.doubleBuffered)
      segment(`nload_${l.name}`, { kind: 'and', args: [hasNext, due(l, 'n')] }, l.loads('n'));
  });
  if (x.output.doubleBuffered && init !== null) {
    segment('ninit', and(hasNext, x.output.first('n')), init('n'));
  }
  step.push(
    let_(
      'nmem',
      segments.reduce<Expr>((t, g) => add(t, v(g.name)), c(0)),
    ),
  );
  step.push(...x.compute(segments));
  if (!x.output.doubleBuffered) step.push(if_(x.output.last('c'), all(x.output.stores('c'))));
  body.push(loop('s', 0, S, 1, step));
  if (x.output.doubleBuffered) body.push(...x.lets('l', c(S - 1)), ...all(x.output.stores('l')));
  return body;
}
