import type { TileSchedule } from '../mapping/tile_schedule.js';
import type { TensorRole } from '../spec/spec.js';
import { dims, type Dim } from '../workload/workload.js';
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
  type Var,
  if_,
} from './program.js';

/**
 * Program-building pieces every tiled lowering needs: decoding a flattened DRAM step into tile indices,
 * and software pipelining (spreading a list of memory operations between compute groups).
 */

/**
 * The prefix of one step's lets: the step being computed (`c`), the previous one (`p`), the next one
 * (`n`) and the last one (`l`).
 */
export type StepPrefix = 'c' | 'p' | 'n' | 'l';

type PerDim = { readonly [D in Dim]: Var };
/** The tensors a step holds copies of. */
export type StepTensor = Exclude<TensorRole, 'bias'>;

/** Handles on the lets of one step, named under its prefix (e.g. `ciK`, `cbase_input`). */
export interface StepVars {
  readonly prefix: StepPrefix;
  /** The step's index in the tile schedule. */
  readonly step: Var;
  /** Per dim: the tile index, the tile's extent (the last tile may be partial), its blocks. */
  readonly index: PerDim;
  readonly extent: PerDim;
  readonly blocks: PerDim;
  /** The first row of each tensor's copy at the step (`copyBaseLets`). */
  readonly base: { readonly [T in StepTensor]: Var };
}

function perDim(name: (d: Dim) => string): PerDim {
  return Object.fromEntries(dims.map((d) => [d, v(name(d))])) as { [D in Dim]: Var };
}

function stepVarsOf(p: StepPrefix): StepVars {
  return {
    prefix: p,
    step: v(`${p}step`),
    index: perDim((d) => `${p}i${d}`),
    extent: perDim((d) => `${p}e${d}`),
    blocks: perDim((d) => `${p}b${d}`),
    base: {
      input: v(`${p}base_input`),
      weight: v(`${p}base_weight`),
      output: v(`${p}base_output`),
    },
  };
}

/** The lets of each step prefix. */
export const stepVars: { readonly [P in StepPrefix]: StepVars } = {
  c: stepVarsOf('c'),
  p: stepVarsOf('p'),
  n: stepVarsOf('n'),
  l: stepVarsOf('l'),
};

/**
 * Handles on a lowering's own lets of a step, each name under each step prefix (e.g. `irows` gives
 * `cirows`, `nirows`, ...), so a name the lowering did not list fails to compile.
 */
export function stepLocals<N extends string>(
  names: readonly N[],
): { readonly [P in StepPrefix]: { readonly [K in N]: Var } } {
  const under = (p: StepPrefix) =>
    Object.fromEntries(names.map((n) => [n, v(`${p}${n}`)])) as { [K in N]: Var };
  return { c: under('c'), p: under('p'), n: under('n'), l: under('l') };
}

/**
 * Lets for step `step` under `at`'s prefix: the step, and per dim of the schedule its tile index,
 * extent and number of `block`-sized blocks.
 */
export function stepLets(s: TileSchedule, at: StepVars, step: Expr, block: number): Stmt[] {
  const out: Stmt[] = [let_(at.step, step)];
  s.order.forEach((d, n) => {
    const st = s.stride[d] ?? 1;
    const tr = s.trips[d] ?? 1;
    const t = s.tile[d] ?? 1;
    out.push(let_(at.index[d], n === 0 ? div(at.step, st) : mod(div(at.step, st), tr)));
    out.push(let_(at.extent[d], min(t, sub(s.bound[d] ?? 1, mul(t, at.index[d])))));
    out.push(let_(at.blocks[d], ceilDiv(at.extent[d], block)));
  });
  return out;
}

/** Where a tensor's copies are: the first row, rows a copy, copies (2: double-buffered), period. */
export interface Copies {
  readonly base: number;
  readonly copyRows: number;
  readonly copies: number;
  readonly period: number;
}

/** Lets for the first row of the input's, the weights' and the output's copy at the step. */
export function copyBaseLets(at: StepVars, copies: { readonly [T in StepTensor]: Copies }): Stmt[] {
  return (['input', 'weight', 'output'] as const).map((t) => {
    const { base, copyRows, copies: n, period } = copies[t];
    return let_(at.base[t], copyBase(base, copyRows, n, period, at.step));
  });
}

/**
 * First row of a buffer's copy at a step: with two copies (double buffering) they alternate every
 * `period` steps (the tensor's reload period).
 */
function copyBase(
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

/** The let `pipelinedSteps` gives the total count of a step's segments. */
export const nmem: Var = v('nmem');

/**
 * The share of the segments (total count in the let `total`) that goes before compute group g of G:
 * items [ceil(g·L/G), ceil((g+1)·L/G)), so the list is spread evenly, memory first.
 */
export function chunk(segments: readonly Segment[], total: Var, g: Expr, G: Expr): Stmt[] {
  if (segments.length === 0) return [];
  const L = total;
  const lo = div(add(mul(g, L), G, -1), G);
  const hi = div(add(mul(add(g, 1), L), G, -1), G);
  return [loop('f', lo, hi, 1, pick(segments, v('f')))];
}

/** One tensor the steps load: when (every `period` steps), and what to move at a step. */
export interface StepLoad {
  readonly name: string;
  readonly doubleBuffered: boolean;
  readonly period: number;
  loads(at: StepVars): MemOps;
}

/** The output: filled (e.g. bias) on the first reduction step of a tile, stored on the last. */
export interface StepOutput {
  readonly doubleBuffered: boolean;
  /** Statements that fill the tile before its first accumulation, or null. */
  init: ((at: StepVars) => MemOps) | null;
  stores(at: StepVars): MemOps;
  /** Whether the step is the first / last reduction step of its output tile. */
  first(at: StepVars): Cond;
  last(at: StepVars): Cond;
}

export interface PipelinedSteps {
  readonly steps: number;
  /** Lets for the step `at` names, at step index `step` (indices, extents, copy bases). */
  lets(at: StepVars, step: Expr): Stmt[];
  readonly loads: readonly StepLoad[];
  readonly output: StepOutput;
  /** The step's computes, given the segments to spread between them (count let: `nmem`). */
  compute(segments: readonly Segment[]): Stmt[];
}

/**
 * The step loop of a tiled, software-pipelined lowering. Step s runs under prefix `c`, its neighbours
 * under `p` and `n`, the last under `l`. Tensors that are not double-buffered load at the start of their step (when due)
 * and the output stores at the end of its last reduction step; double-buffered ones are moved one step
 * ahead (loads of step s+1) or behind (stores of step s−1) and spread between step s's computes, so
 * they overlap. A prologue loads step 0's double-buffered tensors, an epilogue stores the last tile.
 */
export function pipelinedSteps(x: PipelinedSteps): Stmt[] {
  const S = x.steps;
  const { c: cur, p: prev, n: next, l: last } = stepVars;
  const due = (l: StepLoad, at: StepVars): Cond => eq(mod(at.step, l.period), 0);
  const body: Stmt[] = [...x.lets(next, c(0))];
  for (const l of x.loads) if (l.doubleBuffered) body.push(...all(l.loads(next)));
  const init = x.output.init;
  if (x.output.doubleBuffered && init !== null) body.push(...all(init(next)));

  const step: Stmt[] = [...x.lets(cur, v('s'))];
  step.push(...x.lets(prev, max(0, sub(v('s'), 1))), ...x.lets(next, min(S - 1, add(v('s'), 1))));
  for (const l of x.loads) if (!l.doubleBuffered) step.push(if_(due(l, cur), all(l.loads(cur))));
  if (!x.output.doubleBuffered && init !== null)
    step.push(if_(x.output.first(cur), all(init(cur))));
  const segments: Segment[] = [];
  const segment = (name: string, when: Cond, ops: MemOps): void => {
    step.push(let_(name, select(when, ops.count, 0)));
    segments.push({ name, ops });
  };
  const hasNext = lt(v('s'), S - 1);
  if (x.output.doubleBuffered) {
    segment(
      'nstore',
      { kind: 'and', args: [lt(0, v('s')), x.output.last(prev)] },
      x.output.stores(prev),
    );
  }
  x.loads.forEach((l) => {
    if (l.doubleBuffered)
      segment(`nload_${l.name}`, { kind: 'and', args: [hasNext, due(l, next)] }, l.loads(next));
  });
  if (x.output.doubleBuffered && init !== null) {
    segment('ninit', and(hasNext, x.output.first(next)), init(next));
  }
  step.push(
    let_(
      nmem,
      segments.reduce<Expr>((t, g) => add(t, v(g.name)), c(0)),
    ),
  );
  step.push(...x.compute(segments));
  if (!x.output.doubleBuffered) step.push(if_(x.output.last(cur), all(x.output.stores(cur))));
  body.push(loop('s', 0, S, 1, step));
  if (x.output.doubleBuffered) body.push(...x.lets(last, c(S - 1)), ...all(x.output.stores(last)));
  return body;
}

/**
 * Whether step `at` is the first (or last) step of its output tile's reduction: the tile index of
 * every reduction dim is 0 (or its last trip).
 */
export function reductionEdge(
  s: TileSchedule,
  at: StepVars,
  reduction: readonly Dim[],
  edge: 'first' | 'last',
): Cond {
  const index = (d: Dim): number => (edge === 'first' ? 0 : (s.trips[d] ?? 1) - 1);
  return and(...reduction.map((d) => eq(at.index[d], index(d))));
}

/** A tile along one dim: its tile index, its extent (a let: the last tile may be partial), its size. */
export interface TileAxis {
  readonly index: Expr;
  readonly extent: Expr;
  readonly tile: number;
}

/** The lets of a step's input window along one image axis, as `inputWindowLets` names them. */
export interface WindowVars {
  /** The first input row it reads (negative in the leading padding), and rows it spans. */
  readonly lo: Var;
  readonly rows: Var;
  /** Rows outside the image before and after it, and the image rows between them (≤ 0: none). */
  readonly pad0: Var;
  readonly pad1: Var;
  readonly inside: Var;
}

/**
 * The input window of a conv step along one image axis (rows: output rows P and kernel rows R over H;
 * columns: Q and S over W): `out` and `kernel` are the step's tiles of the output and kernel dims,
 * the image has `size` rows, read every `stride` per output row and `dilation` per kernel row from
 * row −`pad`.
 */
export function inputWindowLets(
  at: WindowVars,
  out: TileAxis,
  kernel: TileAxis,
  conv: {
    readonly stride: number;
    readonly dilation: number;
    readonly pad: number;
    readonly size: number;
  },
): Stmt[] {
  const { stride, dilation, pad, size } = conv;
  const first = mul(out.index, out.tile * stride);
  return [
    let_(at.lo, add(first, mul(kernel.index, kernel.tile * dilation), -pad)),
    let_(at.rows, add(mul(sub(out.extent, 1), stride), mul(sub(kernel.extent, 1), dilation), 1)),
    let_(at.pad0, max(0, mul(-1, at.lo))),
    let_(at.pad1, max(0, sub(add(at.lo, at.rows), size))),
    let_(at.inside, sub(at.rows, add(at.pad0, at.pad1))),
  ];
}
