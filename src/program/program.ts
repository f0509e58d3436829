/**
 * The loop IR a lowering produces: loops with affine bounds, lets, conditionals and calls of a target's
 * instructions whose fields are expressions. One program is interpreted into an instruction stream for
 * the simulator (interpret.ts) and printed as C for the device. Plain data, JSON-serialisable.
 */

export type Expr =
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: 'add'; readonly terms: readonly Expr[] }
  | { readonly kind: 'mul'; readonly args: readonly Expr[] }
  | { readonly kind: 'min'; readonly args: readonly Expr[] }
  | { readonly kind: 'max'; readonly args: readonly Expr[] }
  /** floor(of / divisor), divisor positive. */
  | { readonly kind: 'div'; readonly of: Expr; readonly divisor: Expr }
  | { readonly kind: 'select'; readonly cond: Cond; readonly then: Expr; readonly else: Expr };

export type Cond =
  | { readonly kind: 'lt' | 'le' | 'eq' | 'ne'; readonly a: Expr; readonly b: Expr }
  | { readonly kind: 'and' | 'or'; readonly args: readonly Cond[] }
  | { readonly kind: 'not'; readonly arg: Cond }
  | { readonly kind: 'bool'; readonly value: boolean };

/** An instruction field: a number, a flag, or a record of fields (an operand). Records have no `kind`. */
export type Arg = Expr | Cond | { readonly [field: string]: Arg };

export type Stmt =
  | {
      readonly kind: 'for';
      readonly var: string;
      readonly from: Expr;
      /** Exclusive. */
      readonly to: Expr;
      readonly step: number;
      readonly body: readonly Stmt[];
    }
  | { readonly kind: 'let'; readonly name: string; readonly value: Expr }
  | {
      readonly kind: 'if';
      readonly cond: Cond;
      readonly then: readonly Stmt[];
      readonly else: readonly Stmt[];
    }
  | {
      readonly kind: 'instr';
      readonly op: string;
      readonly args: { readonly [field: string]: Arg };
    }
  | { readonly kind: 'fence' }
  | { readonly kind: 'comment'; readonly text: string };

/** A DRAM buffer the program reads or writes, by name, with its size and role; the runtime places it. */
export interface Buffer {
  readonly name: string;
  readonly bytes: number;
  readonly role: 'input' | 'weight' | 'bias' | 'output' | 'scratch' | 'constant';
  /** A constant buffer's data (e.g. micro-op kernels): little-endian int32 words, written before a run. */
  readonly contents?: readonly number[];
}

export interface Program {
  readonly name: string;
  /** Buffers whose base addresses are the program's free variables (named as the buffers). */
  readonly buffers: readonly Buffer[];
  readonly body: readonly Stmt[];
}

// Builders: short, so lowerings read like the loops they describe.

/** A variable: a handle on a let or a loop index, by which it is read and declared. */
export type Var = Extract<Expr, { kind: 'var' }>;

export const c = (value: number): Expr => ({ kind: 'const', value });
export const v = (name: string): Var => ({ kind: 'var', name });

type E = Expr | number;
const ex = (e: E): Expr => (typeof e === 'number' ? c(e) : e);

export function add(...terms: E[]): Expr {
  const es = terms.map(ex);
  const constant = es.reduce((s, e) => (e.kind === 'const' ? s + e.value : s), 0);
  const rest = es.filter((e) => e.kind !== 'const');
  if (rest.length === 0) return c(constant);
  const all = constant === 0 ? rest : [...rest, c(constant)];
  return all.length === 1 ? all[0] : { kind: 'add', terms: all };
}

export function mul(...factors: E[]): Expr {
  const es = factors.map(ex);
  const constant = es.reduce((p, e) => (e.kind === 'const' ? p * e.value : p), 1);
  const rest = es.filter((e) => e.kind !== 'const');
  if (constant === 0 || rest.length === 0) return c(constant);
  const all = constant === 1 ? rest : [c(constant), ...rest];
  return all.length === 1 ? all[0] : { kind: 'mul', args: all };
}

export function sub(a: E, b: E): Expr {
  return add(a, mul(-1, b));
}

export function min(...args: E[]): Expr {
  const es = args.map(ex);
  if (es.every((e) => e.kind === 'const'))
    return c(Math.min(...es.map((e) => (e as { value: number }).value)));
  return es.length === 1 ? es[0] : { kind: 'min', args: es };
}

export function max(...args: E[]): Expr {
  const es = args.map(ex);
  if (es.every((e) => e.kind === 'const'))
    return c(Math.max(...es.map((e) => (e as { value: number }).value)));
  return es.length === 1 ? es[0] : { kind: 'max', args: es };
}

export function div(of: E, divisor: E): Expr {
  const e = ex(of);
  const d = ex(divisor);
  if (e.kind === 'const' && d.kind === 'const') return c(Math.floor(e.value / d.value));
  if (d.kind === 'const' && d.value === 1) return e;
  return { kind: 'div', of: e, divisor: d };
}

/** x mod n for x >= 0. */
export function mod(of: E, n: E): Expr {
  return sub(of, mul(n, div(of, n)));
}

/** ceil(x / n) for x >= 0. */
export function ceilDiv(of: E, n: E): Expr {
  return div(add(of, n, -1), n);
}

export function select(cond: Cond, then: E, otherwise: E): Expr {
  if (cond.kind === 'bool') return ex(cond.value ? then : otherwise);
  return { kind: 'select', cond, then: ex(then), else: ex(otherwise) };
}

export const lt = (a: E, b: E): Cond => ({ kind: 'lt', a: ex(a), b: ex(b) });
export const le = (a: E, b: E): Cond => ({ kind: 'le', a: ex(a), b: ex(b) });
export const eq = (a: E, b: E): Cond => ({ kind: 'eq', a: ex(a), b: ex(b) });
export const ne = (a: E, b: E): Cond => ({ kind: 'ne', a: ex(a), b: ex(b) });
export const and = (...args: Cond[]): Cond => ({ kind: 'and', args });
export const or = (...args: Cond[]): Cond => ({ kind: 'or', args });
export const not = (arg: Cond): Cond => ({ kind: 'not', arg });
export const bool = (value: boolean): Cond => ({ kind: 'bool', value });

export function loop(name: string, from: E, to: E, step: number, body: readonly Stmt[]): Stmt {
  return { kind: 'for', var: name, from: ex(from), to: ex(to), step, body };
}

export function let_(name: string | Var, value: E): Stmt {
  return { kind: 'let', name: typeof name === 'string' ? name : name.name, value: ex(value) };
}

export function if_(cond: Cond, then: readonly Stmt[], otherwise: readonly Stmt[] = []): Stmt {
  return { kind: 'if', cond, then, else: otherwise };
}

export function instr(op: string, args: { readonly [field: string]: Arg }): Stmt {
  return { kind: 'instr', op, args };
}

export const fence: Stmt = { kind: 'fence' };
export const comment = (text: string): Stmt => ({ kind: 'comment', text });

/** The host waits until every earlier instruction has completed (a RISC-V `fence` after RoCC work). */
export interface Fence {
  readonly kind: 'fence';
}

export const fenceItem: Fence = { kind: 'fence' };

/** What a program expands to: the target's instructions, and fences. */
export type StreamItem<I> = I | Fence;
