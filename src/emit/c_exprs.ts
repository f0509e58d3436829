import { InternalError } from '../errors.js';
import { refer, type CScope } from './c_names.js';
import type { Arg, Cond, Expr, Stmt } from '../program/program.js';

/**
 * Expressions and conditions of the loop IR as C: int64_t arithmetic with the helpers of the emitted
 * prelude (floor division, min, max), conditions as C ints. Also what a statement reads, so unused
 * lets can be left out (C warns about them).
 */

const exprKinds: ReadonlySet<string> = new Set([
  'const',
  'var',
  'add',
  'mul',
  'min',
  'max',
  'div',
  'select',
]);
const condKinds: ReadonlySet<string> = new Set([
  'lt',
  'le',
  'eq',
  'ne',
  'and',
  'or',
  'not',
  'bool',
]);

/** An instruction argument by shape: a number, a flag, or a record of fields. */
export type ArgShape =
  | { readonly kind: 'expr'; readonly expr: Expr }
  | { readonly kind: 'cond'; readonly cond: Cond }
  | { readonly kind: 'record'; readonly fields: { readonly [field: string]: Arg } };

export function argShape(a: Arg, where: string): ArgShape {
  if (!('kind' in a)) return { kind: 'record', fields: a };
  const kind = a.kind;
  if (typeof kind !== 'string') return { kind: 'record', fields: a };
  if (exprKinds.has(kind)) return { kind: 'expr', expr: a as Expr };
  if (condKinds.has(kind)) return { kind: 'cond', cond: a as Cond };
  throw new InternalError(`${where}: "${kind}" is not an expression`);
}

/** An integer constant as a C int64_t expression. */
export function cInt(value: number, where: string): string {
  if (!Number.isSafeInteger(value)) {
    throw new InternalError(`${where}: ${value} is not an integer C can hold exactly`);
  }
  if (value < 0) return `(-${cInt(-value, where)})`;
  return value <= 0x7fff_ffff ? String(value) : `INT64_C(${value})`;
}

/** -t as an expression, when t is a negative constant or a product with one (`a - b`, not `a + -1*b`). */
function negation(t: Expr): Expr | undefined {
  if (t.kind === 'const' && t.value < 0) return { kind: 'const', value: -t.value };
  if (t.kind !== 'mul' || t.args.length < 2) return undefined;
  const [first, ...rest] = t.args;
  if (first.kind !== 'const' || first.value >= 0) return undefined;
  if (first.value === -1) return rest.length === 1 ? rest[0] : { kind: 'mul', args: rest };
  return { kind: 'mul', args: [{ kind: 'const', value: -first.value }, ...rest] };
}

export function cExpr(e: Expr, scope: CScope, where: string): string {
  const sub = (x: Expr): string => cExpr(x, scope, where);
  switch (e.kind) {
    case 'const':
      return cInt(e.value, where);
    case 'var':
      return refer(scope, e.name, where);
    case 'add': {
      if (e.terms.length === 0) return '0';
      // Integer sums reorder freely: a positive term leads, negated ones follow as subtractions.
      const lead = Math.max(
        0,
        e.terms.findIndex((t) => negation(t) === undefined),
      );
      const terms = [e.terms[lead], ...e.terms.filter((_, i) => i !== lead)];
      const text = terms.map((t, i) => {
        const negated = negation(t);
        if (negated === undefined) return i === 0 ? sub(t) : ` + ${sub(t)}`;
        return i === 0 ? `-${sub(negated)}` : ` - ${sub(negated)}`;
      });
      return `(${text.join('')})`;
    }
    case 'mul': {
      if (e.args.length === 0) return '1';
      const negated = negation(e);
      if (negated !== undefined && negated.kind !== 'mul') return `(-${sub(negated)})`;
      return `(${e.args.map(sub).join(' * ')})`;
    }
    case 'min':
    case 'max': {
      if (e.args.length === 0) throw new InternalError(`${where}: ${e.kind} of nothing`);
      return e.args.map(sub).reduce((acc, x) => `gf_${e.kind}(${acc}, ${x})`);
    }
    case 'div':
      return `gf_floordiv(${sub(e.of)}, ${sub(e.divisor)})`;
    case 'select':
      return `(${cCond(e.cond, scope, where)} ? ${sub(e.then)} : ${sub(e.else)})`;
  }
}

const comparisons = { lt: '<', le: '<=', eq: '==', ne: '!=' } as const;

export function cCond(cnd: Cond, scope: CScope, where: string): string {
  const sub = (x: Cond): string => cCond(x, scope, where);
  switch (cnd.kind) {
    case 'lt':
    case 'le':
    case 'eq':
    case 'ne': {
      const a = cExpr(cnd.a, scope, where);
      const b = cExpr(cnd.b, scope, where);
      return `(${a} ${comparisons[cnd.kind]} ${b})`;
    }
    case 'and':
      return cnd.args.length === 0 ? '1' : `(${cnd.args.map(sub).join(' && ')})`;
    case 'or':
      return cnd.args.length === 0 ? '0' : `(${cnd.args.map(sub).join(' || ')})`;
    case 'not':
      return `(!${sub(cnd.arg)})`;
    case 'bool':
      return cnd.value ? '1' : '0';
  }
}

/** Adds the variables `e` reads to `out`. */
export function readsOf(e: Expr | Cond, out: Set<string>): void {
  switch (e.kind) {
    case 'const':
    case 'bool':
      return;
    case 'var':
      out.add(e.name);
      return;
    case 'add':
      for (const t of e.terms) readsOf(t, out);
      return;
    case 'mul':
    case 'min':
    case 'max':
    case 'and':
    case 'or':
      for (const t of e.args) readsOf(t, out);
      return;
    case 'div':
      readsOf(e.of, out);
      readsOf(e.divisor, out);
      return;
    case 'select':
      readsOf(e.cond, out);
      readsOf(e.then, out);
      readsOf(e.else, out);
      return;
    case 'lt':
    case 'le':
    case 'eq':
    case 'ne':
      readsOf(e.a, out);
      readsOf(e.b, out);
      return;
    case 'not':
      readsOf(e.arg, out);
      return;
  }
}

/**
 * A block without the lets nothing reads (expressions are pure, so dropping them changes nothing),
 * and the variables from outside it the block reads. `instrReads` gives what an instruction reads.
 */
export function withoutDeadLets(
  body: readonly Stmt[],
  instrReads: (s: Extract<Stmt, { kind: 'instr' }>, out: Set<string>) => void,
): { readonly body: Stmt[]; readonly reads: Set<string> } {
  const live = new Set<string>();
  const kept: Stmt[] = [];
  const nested = (b: readonly Stmt[], bound?: string): Stmt[] => {
    const inner = withoutDeadLets(b, instrReads);
    if (bound !== undefined) inner.reads.delete(bound);
    for (const name of inner.reads) live.add(name);
    return inner.body;
  };
  for (let i = body.length - 1; i >= 0; i--) {
    const s = body[i];
    switch (s.kind) {
      case 'let':
        if (!live.has(s.name)) continue;
        live.delete(s.name);
        readsOf(s.value, live);
        kept.push(s);
        break;
      case 'for': {
        const loopBody = nested(s.body, s.var);
        readsOf(s.from, live);
        readsOf(s.to, live);
        kept.push({ ...s, body: loopBody });
        break;
      }
      case 'if': {
        const then = nested(s.then);
        const otherwise = nested(s.else);
        readsOf(s.cond, live);
        kept.push({ ...s, then, else: otherwise });
        break;
      }
      case 'instr':
        instrReads(s, live);
        kept.push(s);
        break;
      case 'fence':
      case 'comment':
        kept.push(s);
        break;
    }
  }
  return { body: kept.reverse(), reads: live };
}
