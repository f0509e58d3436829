import { InternalError } from '../errors.js';
import {
  fenceItem,
  type Arg,
  type Cond,
  type Expr,
  type Program,
  type Stmt,
  type StreamItem,
} from './program.js';

/**
 * The interpreter: expands a program into the instruction stream the simulator runs. It is the
 * definition of what a program means (the C emitter is checked against it). Programs are compiled to
 * closures over a slot array first, so expanding a million instructions stays fast.
 */

type Env = Float64Array;
type NumFn = (env: Env) => number;
type BoolFn = (env: Env) => boolean;
type ArgFn = (env: Env) => unknown;
type Sink = (item: unknown) => void;
type StmtFn = (env: Env, out: Sink) => void;

interface Scope {
  readonly slots: Map<string, number>;
  size: number;
}

const exprKinds = new Set(['const', 'var', 'add', 'mul', 'min', 'max', 'div', 'select']);
const condKinds = new Set(['lt', 'le', 'eq', 'ne', 'and', 'or', 'not', 'bool']);

function slotOf(scope: Scope, name: string): number {
  const s = scope.slots.get(name);
  if (s === undefined) throw new InternalError(`program: variable "${name}" is not defined`);
  return s;
}

function compileExpr(e: Expr, scope: Scope): NumFn {
  switch (e.kind) {
    case 'const': {
      const value = e.value;
      return () => value;
    }
    case 'var': {
      const s = slotOf(scope, e.name);
      return (env) => env[s];
    }
    case 'add': {
      const fs = e.terms.map((t) => compileExpr(t, scope));
      if (fs.length === 2) {
        const [f, g] = fs;
        return (env) => f(env) + g(env);
      }
      return (env) => {
        let s = 0;
        for (const f of fs) s += f(env);
        return s;
      };
    }
    case 'mul': {
      const fs = e.args.map((t) => compileExpr(t, scope));
      if (fs.length === 2) {
        const [f, g] = fs;
        return (env) => f(env) * g(env);
      }
      return (env) => {
        let p = 1;
        for (const f of fs) p *= f(env);
        return p;
      };
    }
    case 'min': {
      const fs = e.args.map((t) => compileExpr(t, scope));
      return (env) => {
        let m = fs[0](env);
        for (let i = 1; i < fs.length; i++) m = Math.min(m, fs[i](env));
        return m;
      };
    }
    case 'max': {
      const fs = e.args.map((t) => compileExpr(t, scope));
      return (env) => {
        let m = fs[0](env);
        for (let i = 1; i < fs.length; i++) m = Math.max(m, fs[i](env));
        return m;
      };
    }
    case 'div': {
      const f = compileExpr(e.of, scope);
      const d = compileExpr(e.divisor, scope);
      return (env) => Math.floor(f(env) / d(env));
    }
    case 'select': {
      const cond = compileCond(e.cond, scope);
      const t = compileExpr(e.then, scope);
      const f = compileExpr(e.else, scope);
      return (env) => (cond(env) ? t(env) : f(env));
    }
  }
}

function compileCond(cnd: Cond, scope: Scope): BoolFn {
  switch (cnd.kind) {
    case 'lt':
    case 'le':
    case 'eq':
    case 'ne': {
      const a = compileExpr(cnd.a, scope);
      const b = compileExpr(cnd.b, scope);
      if (cnd.kind === 'lt') return (env) => a(env) < b(env);
      if (cnd.kind === 'le') return (env) => a(env) <= b(env);
      if (cnd.kind === 'eq') return (env) => a(env) === b(env);
      return (env) => a(env) !== b(env);
    }
    case 'and': {
      const fs = cnd.args.map((x) => compileCond(x, scope));
      return (env) => fs.every((f) => f(env));
    }
    case 'or': {
      const fs = cnd.args.map((x) => compileCond(x, scope));
      return (env) => fs.some((f) => f(env));
    }
    case 'not': {
      const f = compileCond(cnd.arg, scope);
      return (env) => !f(env);
    }
    case 'bool': {
      const value = cnd.value;
      return () => value;
    }
  }
}

function compileArg(a: Arg, scope: Scope): ArgFn {
  const kind = (a as { kind?: unknown }).kind;
  if (typeof kind === 'string' && exprKinds.has(kind)) return compileExpr(a as Expr, scope);
  if (typeof kind === 'string' && condKinds.has(kind)) return compileCond(a as Cond, scope);
  if (kind !== undefined)
    throw new InternalError(`program: "${String(kind)}" is not an expression`);
  return compileRecord(a as { readonly [field: string]: Arg }, scope, undefined);
}

function compileRecord(
  rec: { readonly [field: string]: Arg },
  scope: Scope,
  op: string | undefined,
): ArgFn {
  const keys = Object.keys(rec);
  const fns = keys.map((k) => compileArg(rec[k], scope));
  return (env) => {
    const o: Record<string, unknown> = op === undefined ? {} : { kind: op };
    for (let i = 0; i < keys.length; i++) o[keys[i]] = fns[i](env);
    return o;
  };
}

function compileBlock(body: readonly Stmt[], scope: Scope): StmtFn {
  const saved = new Map(scope.slots);
  const fns = body.map((s) => compileStmt(s, scope));
  scope.slots.clear();
  for (const [k, s] of saved) scope.slots.set(k, s);
  return (env, out) => {
    for (let i = 0; i < fns.length; i++) fns[i](env, out);
  };
}

function newSlot(scope: Scope, name: string): number {
  const s = scope.size++;
  scope.slots.set(name, s);
  return s;
}

function compileStmt(s: Stmt, scope: Scope): StmtFn {
  switch (s.kind) {
    case 'for': {
      const from = compileExpr(s.from, scope);
      const to = compileExpr(s.to, scope);
      const saved = scope.slots.get(s.var);
      const slot = newSlot(scope, s.var);
      const body = compileBlock(s.body, scope);
      if (saved === undefined) scope.slots.delete(s.var);
      else scope.slots.set(s.var, saved);
      const step = s.step;
      if (!(step > 0)) throw new InternalError(`program: loop ${s.var} has step ${step}`);
      return (env, out) => {
        const end = to(env);
        for (let i = from(env); i < end; i += step) {
          env[slot] = i;
          body(env, out);
        }
      };
    }
    case 'let': {
      const value = compileExpr(s.value, scope);
      const slot = newSlot(scope, s.name);
      return (env) => {
        env[slot] = value(env);
      };
    }
    case 'if': {
      const cond = compileCond(s.cond, scope);
      const then = compileBlock(s.then, scope);
      const otherwise = compileBlock(s.else, scope);
      return (env, out) => (cond(env) ? then(env, out) : otherwise(env, out));
    }
    case 'instr': {
      const make = compileRecord(s.args, scope, s.op);
      return (env, out) => {
        out(make(env));
      };
    }
    case 'fence':
      return (_env, out) => {
        out(fenceItem);
      };
    case 'comment':
      return () => undefined;
  }
}

/**
 * Runs a program, handing each instruction to `sink` as it is produced (`{ kind: op, ...fields }`, the
 * target's plain decoded objects), given the DRAM base address of each buffer. Nothing is kept, so a
 * program of any length runs in constant memory.
 */
export function interpret<I>(
  program: Program,
  bases: Readonly<Record<string, number>>,
  sink: (item: StreamItem<I>) => void,
): void {
  const scope: Scope = { slots: new Map(), size: 0 };
  for (const b of program.buffers) {
    if (bases[b.name] === undefined) {
      throw new InternalError(`program ${program.name}: no address for buffer "${b.name}"`);
    }
    newSlot(scope, b.name);
  }
  const body = compileBlock(program.body, scope);
  const env = new Float64Array(Math.max(scope.size, 1));
  program.buffers.forEach((b, i) => (env[i] = bases[b.name]));
  body(env, sink as Sink);
}

/** Expands a program into its whole instruction stream. */
export function expand<I>(
  program: Program,
  bases: Readonly<Record<string, number>>,
): StreamItem<I>[] {
  const out: StreamItem<I>[] = [];
  interpret<I>(program, bases, (item) => out.push(item));
  return out;
}
