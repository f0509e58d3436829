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
 * definition of what a program means (the C emitter is checked against it). A program is first
 * translated into the source of one JavaScript function (every variable a local, every instruction an
 * object literal) and compiled once by the engine, so expanding millions of instructions runs at the
 * speed of ordinary code. The source holds nothing but numbers, operators and the program's own
 * instruction and field names (quoted as JSON strings).
 */

type Sink = (item: unknown) => void;

interface Scope {
  readonly slots: Map<string, number>;
  size: number;
}

const exprKinds = new Set(['const', 'var', 'add', 'mul', 'min', 'max', 'div', 'select']);
const condKinds = new Set(['lt', 'le', 'eq', 'ne', 'and', 'or', 'not', 'bool']);

function slotOf(scope: Scope, name: string): string {
  const s = scope.slots.get(name);
  if (s === undefined) throw new InternalError(`program: variable "${name}" is not defined`);
  return `v${s}`;
}

function numberSource(value: number): string {
  if (typeof value !== 'number') throw new InternalError(`program: constant ${String(value)}`);
  if (Object.is(value, -0)) return '(-0)';
  if (Number.isNaN(value)) return 'NaN';
  return value < 0 ? `(${value})` : String(value);
}

/**
 * The source of an expression. Sums and products of more than two terms start from 0 and 1 and
 * fold left, min and max nest pairwise: the same operations in the same order as the IR states them.
 */
function exprSource(e: Expr, scope: Scope): string {
  switch (e.kind) {
    case 'const':
      return numberSource(e.value);
    case 'var':
      return slotOf(scope, e.name);
    case 'add':
    case 'mul': {
      const terms = (e.kind === 'add' ? e.terms : e.args).map((t) => exprSource(t, scope));
      const op = e.kind === 'add' ? ' + ' : ' * ';
      if (terms.length === 2) return `(${terms[0]}${op}${terms[1]})`;
      return `(${[e.kind === 'add' ? '0' : '1', ...terms].join(op)})`;
    }
    case 'min':
    case 'max': {
      const fn = e.kind === 'min' ? 'Math.min' : 'Math.max';
      const args = e.args.map((t) => exprSource(t, scope));
      return args.slice(1).reduce((acc, a) => `${fn}(${acc}, ${a})`, args[0]);
    }
    case 'div':
      return `Math.floor(${exprSource(e.of, scope)} / ${exprSource(e.divisor, scope)})`;
    case 'select':
      return `(${condSource(e.cond, scope)} ? ${exprSource(e.then, scope)} : ${exprSource(e.else, scope)})`;
  }
}

const comparison = { lt: '<', le: '<=', eq: '===', ne: '!==' } as const;

function condSource(cnd: Cond, scope: Scope): string {
  switch (cnd.kind) {
    case 'lt':
    case 'le':
    case 'eq':
    case 'ne':
      return `(${exprSource(cnd.a, scope)} ${comparison[cnd.kind]} ${exprSource(cnd.b, scope)})`;
    case 'and':
    case 'or': {
      if (cnd.args.length === 0) return cnd.kind === 'and' ? 'true' : 'false';
      const op = cnd.kind === 'and' ? ' && ' : ' || ';
      return `(${cnd.args.map((x) => condSource(x, scope)).join(op)})`;
    }
    case 'not':
      return `(!${condSource(cnd.arg, scope)})`;
    case 'bool':
      return cnd.value ? 'true' : 'false';
  }
}

function argSource(a: Arg, scope: Scope): string {
  const kind = (a as { kind?: unknown }).kind;
  if (typeof kind === 'string' && exprKinds.has(kind)) return exprSource(a as Expr, scope);
  if (typeof kind === 'string' && condKinds.has(kind)) return condSource(a as Cond, scope);
  if (kind !== undefined)
    throw new InternalError(`program: "${String(kind)}" is not an expression`);
  return recordSource(a as { readonly [field: string]: Arg }, scope, undefined);
}

/** An object literal; an instruction's starts with its `kind`, then its fields in the IR's order. */
function recordSource(
  rec: { readonly [field: string]: Arg },
  scope: Scope,
  op: string | undefined,
): string {
  const fields = Object.keys(rec).map((k) => `${JSON.stringify(k)}: ${argSource(rec[k], scope)}`);
  if (op !== undefined) fields.unshift(`"kind": ${JSON.stringify(op)}`);
  return `{ ${fields.join(', ')} }`;
}

function blockSource(body: readonly Stmt[], scope: Scope, out: string[]): void {
  const saved = new Map(scope.slots);
  for (const s of body) stmtSource(s, scope, out);
  scope.slots.clear();
  for (const [k, s] of saved) scope.slots.set(k, s);
}

function newSlot(scope: Scope, name: string): string {
  const s = scope.size++;
  scope.slots.set(name, s);
  return `v${s}`;
}

function stmtSource(s: Stmt, scope: Scope, out: string[]): void {
  switch (s.kind) {
    case 'for': {
      const from = exprSource(s.from, scope);
      const to = exprSource(s.to, scope);
      const step = s.step;
      if (!(step > 0)) throw new InternalError(`program: loop ${s.var} has step ${step}`);
      const saved = scope.slots.get(s.var);
      const slot = newSlot(scope, s.var);
      const i = `i${slot}`;
      out.push(`for (let ${i} = ${from}, e${slot} = ${to}; ${i} < e${slot}; ${i} += ${step}) {`);
      out.push(`${slot} = ${i};`);
      blockSource(s.body, scope, out);
      out.push('}');
      if (saved === undefined) scope.slots.delete(s.var);
      else scope.slots.set(s.var, saved);
      return;
    }
    case 'let': {
      const value = exprSource(s.value, scope);
      out.push(`${newSlot(scope, s.name)} = ${value};`);
      return;
    }
    case 'if': {
      out.push(`if (${condSource(s.cond, scope)}) {`);
      blockSource(s.then, scope, out);
      out.push('} else {');
      blockSource(s.else, scope, out);
      out.push('}');
      return;
    }
    case 'instr':
      out.push(`out(${recordSource(s.args, scope, s.op)});`);
      return;
    case 'fence':
      out.push('out(fence);');
      return;
    case 'comment':
      return;
  }
}

type Compiled = (bases: readonly number[], out: Sink, fence: unknown) => void;

/** The program as one function of its buffers' base addresses (in `program.buffers` order). */
function compile(program: Program): Compiled {
  const scope: Scope = { slots: new Map(), size: 0 };
  const bases = program.buffers.map((b) => newSlot(scope, b.name));
  const body: string[] = [];
  blockSource(program.body, scope, body);
  const locals = Array.from({ length: scope.size }, (_, i) => `v${i} = 0`);
  const source = [
    '"use strict";',
    ...(locals.length > 0 ? [`let ${locals.join(', ')};`] : []),
    ...bases.map((b, i) => `${b} = bases[${i}];`),
    ...body,
  ].join('\n');
  return new Function('bases', 'out', 'fence', source) as Compiled;
}

/** Compiled programs, so a program run many times (a search's candidates) is translated once. */
const compiledPrograms = new WeakMap<Program, Compiled>();

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
  const addresses = program.buffers.map((b) => {
    const a = bases[b.name];
    if (a === undefined) {
      throw new InternalError(`program ${program.name}: no address for buffer "${b.name}"`);
    }
    return a;
  });
  let run = compiledPrograms.get(program);
  if (run === undefined) {
    run = compile(program);
    compiledPrograms.set(program, run);
  }
  run(addresses, sink as Sink, fenceItem);
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
