import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InternalError } from '../../src/errors.js';
import { expand, interpret } from '../../src/program/interpret.js';
import {
  add,
  and,
  bool,
  c,
  ceilDiv,
  comment,
  div,
  eq,
  fence,
  if_,
  instr,
  le,
  let_,
  loop,
  lt,
  max,
  min,
  mod,
  mul,
  ne,
  not,
  or,
  select,
  sub,
  v,
  type Cond,
  type Expr,
  type Program,
  type Stmt,
} from '../../src/program/program.js';

const x = v('x');
const y = v('y');

/** A program with no buffers. */
function prog(body: readonly Stmt[], name = 'test'): Program {
  return { name, buffers: [], body };
}

/** The value of `e` with x and y bound by lets, through the interpreter. */
function evalExpr(e: Expr, xv: number, yv: number): number {
  const items = expand<{ kind: 'r'; value: number }>(
    prog([let_('x', xv), let_('y', yv), instr('r', { value: e })]),
    {},
  );
  return (items[0] as { value: number }).value;
}

function evalCond(cnd: Cond, xv: number, yv: number): boolean {
  const items = expand(prog([let_('x', xv), let_('y', yv), instr('r', { value: cnd })]), {});
  return (items[0] as unknown as { value: boolean }).value;
}

describe('builders fold constants', () => {
  it('add sums the constants and puts their sum last; nothing left is the constant', () => {
    expect(add(1, 2, 3)).toEqual(c(6));
    expect(add()).toEqual(c(0));
    expect(add(x)).toEqual(x);
    expect(add(x, 0)).toEqual(x);
    expect(add(x, 2, -2)).toEqual(x);
    expect(add(2, x, 3)).toEqual({ kind: 'add', terms: [x, c(5)] });
    expect(add(x, y)).toEqual({ kind: 'add', terms: [x, y] });
  });

  it('mul multiplies the constants and puts their product first; zero absorbs', () => {
    expect(mul(2, 3)).toEqual(c(6));
    expect(mul()).toEqual(c(1));
    expect(mul(x, 0)).toEqual(c(0));
    expect(mul(x, 1)).toEqual(x);
    expect(mul(x, 2, 3)).toEqual({ kind: 'mul', args: [c(6), x] });
    expect(mul(x, y)).toEqual({ kind: 'mul', args: [x, y] });
  });

  it('sub is add of the negation', () => {
    expect(sub(5, 3)).toEqual(c(2));
    expect(sub(x, 3)).toEqual({ kind: 'add', terms: [x, c(-3)] });
    expect(sub(x, y)).toEqual({ kind: 'add', terms: [x, { kind: 'mul', args: [c(-1), y] }] });
  });

  it('min and max fold only when every argument is a constant', () => {
    expect(min(3, 1, 2)).toEqual(c(1));
    expect(max(3, 1, 2)).toEqual(c(3));
    expect(min(x)).toEqual(x);
    expect(max(y)).toEqual(y);
    expect(min(x, 3)).toEqual({ kind: 'min', args: [x, c(3)] });
    expect(max(4, x, 7)).toEqual({ kind: 'max', args: [c(4), x, c(7)] });
  });

  it('div floors constants (also negative ones) and drops a divisor of 1', () => {
    expect(div(7, 2)).toEqual(c(3));
    expect(div(-7, 2)).toEqual(c(-4));
    expect(div(x, 1)).toEqual(x);
    expect(div(x, 4)).toEqual({ kind: 'div', of: x, divisor: c(4) });
  });

  it('mod and ceilDiv are built from div, and fold on constants', () => {
    expect(mod(7, 3)).toEqual(c(1));
    expect(mod(6, 3)).toEqual(c(0));
    expect(ceilDiv(7, 2)).toEqual(c(4));
    expect(ceilDiv(8, 2)).toEqual(c(4));
    // x − 4·⌊x/4⌋: the −1 and the 4 are two nested products (mul does not flatten).
    const q = { kind: 'div', of: x, divisor: c(4) };
    expect(mod(x, 4)).toEqual({
      kind: 'add',
      terms: [x, { kind: 'mul', args: [c(-1), { kind: 'mul', args: [c(4), q] }] }],
    });
    // ⌊(x + 4 − 1) / 4⌋, the constants folded into one 3.
    expect(ceilDiv(x, 4)).toEqual({
      kind: 'div',
      of: { kind: 'add', terms: [x, c(3)] },
      divisor: c(4),
    });
    // x + 1 − 1 folds to x, and a divisor of 1 drops.
    expect(ceilDiv(x, 1)).toEqual(x);
  });

  it('select picks a branch when the condition is a constant', () => {
    expect(select(bool(true), 1, 2)).toEqual(c(1));
    expect(select(bool(false), x, 2)).toEqual(c(2));
    expect(select(lt(x, 3), x, 0)).toEqual({
      kind: 'select',
      cond: { kind: 'lt', a: x, b: c(3) },
      then: x,
      else: c(0),
    });
  });
});

describe('expand', () => {
  it('expands nested loops, lets, if/else, select, div/mod and record args exactly', () => {
    const p: Program = {
      name: 'hand',
      buffers: [
        { name: 'A', bytes: 64, role: 'input' },
        { name: 'C', bytes: 16, role: 'output' },
      ],
      body: [
        comment('rows of A'),
        loop('i', 0, 3, 1, [
          let_('q', div(v('i'), 2)),
          let_('r', mod(v('i'), 2)),
          loop('j', v('i'), 5, 2, [
            if_(
              or(eq(v('r'), 0), bool(false)),
              [
                instr('mvin', {
                  dram: add(v('A'), mul(v('i'), 16), v('j')),
                  dst: {
                    addr: select(lt(v('j'), 2), v('j'), 100),
                    rows: min(v('j'), 2),
                    cols: max(v('q'), 1),
                  },
                  flag: and(lt(v('j'), 3), not(eq(v('q'), 1))),
                }),
              ],
              [instr('compute', { k: add(mul(v('q'), 10), v('j')) }), fence],
            ),
          ]),
        ]),
        instr('mvout', { dram: v('C'), n: c(7) }),
      ],
    };
    // i = 0 (q 0, r 0): j = 0, 2, 4 load; i = 1 (q 0, r 1): j = 1, 3 compute and fence;
    // i = 2 (q 1, r 0): j = 2, 4 load, flag false since q = 1.
    expect(expand(p, { A: 1000, C: 2000 })).toEqual([
      { kind: 'mvin', dram: 1000, dst: { addr: 0, rows: 0, cols: 1 }, flag: true },
      { kind: 'mvin', dram: 1002, dst: { addr: 100, rows: 2, cols: 1 }, flag: true },
      { kind: 'mvin', dram: 1004, dst: { addr: 100, rows: 2, cols: 1 }, flag: false },
      { kind: 'compute', k: 1 },
      { kind: 'fence' },
      { kind: 'compute', k: 3 },
      { kind: 'fence' },
      { kind: 'mvin', dram: 1034, dst: { addr: 100, rows: 2, cols: 1 }, flag: false },
      { kind: 'mvin', dram: 1036, dst: { addr: 100, rows: 2, cols: 1 }, flag: false },
      { kind: 'mvout', dram: 2000, n: 7 },
    ]);
  });

  it('evaluates every comparison and connective', () => {
    const cases: [Cond, boolean][] = [
      [lt(x, y), true],
      [lt(y, x), false],
      [le(x, 2), true],
      [le(x, 1), false],
      [eq(x, 2), true],
      [ne(x, 2), false],
      [ne(x, y), true],
      [and(), true],
      [or(), false],
      [and(lt(x, y), eq(y, 5)), true],
      [and(lt(x, y), eq(y, 4)), false],
      [or(eq(x, 0), eq(y, 5)), true],
      [not(eq(x, 2)), false],
      [bool(true), true],
    ];
    for (const [cnd, want] of cases) expect(evalCond(cnd, 2, 5), JSON.stringify(cnd)).toBe(want);
  });

  it('evaluates a loop bound once, at loop entry, and runs an empty range zero times', () => {
    const p = prog([
      let_('n', 3),
      loop('i', 0, v('n'), 1, [let_('n', 0), instr('it', { i: v('i') })]),
      loop('k', 5, 5, 1, [instr('never', {})]),
      loop('k', 6, 5, 1, [instr('never', {})]),
    ]);
    expect(expand(p, {})).toEqual([
      { kind: 'it', i: 0 },
      { kind: 'it', i: 1 },
      { kind: 'it', i: 2 },
    ]);
  });

  it('an inner loop variable shadows the outer one only inside its body', () => {
    const p = prog([
      loop('i', 0, 2, 1, [
        instr('a', { i: v('i') }),
        loop('i', 10, 12, 1, [instr('b', { i: v('i') })]),
        instr('c', { i: v('i') }),
      ]),
    ]);
    expect(expand(p, {})).toEqual([
      { kind: 'a', i: 0 },
      { kind: 'b', i: 10 },
      { kind: 'b', i: 11 },
      { kind: 'c', i: 0 },
      { kind: 'a', i: 1 },
      { kind: 'b', i: 10 },
      { kind: 'b', i: 11 },
      { kind: 'c', i: 1 },
    ]);
  });

  it('a let is seen by what follows it in its block; a re-let reads the old value', () => {
    const p = prog([
      let_('t', 1),
      instr('a', { t: v('t') }),
      let_('t', add(v('t'), 1)),
      instr('b', { t: v('t') }),
      if_(bool(true), [let_('t', 40), instr('c', { t: v('t') })]),
      loop('i', 0, 1, 1, [let_('t', 50), instr('d', { t: v('t') })]),
      instr('e', { t: v('t') }),
    ]);
    // The lets inside the if and the loop have their own slots: after them, t is 2 again.
    expect(expand(p, {})).toEqual([
      { kind: 'a', t: 1 },
      { kind: 'b', t: 2 },
      { kind: 'c', t: 40 },
      { kind: 'd', t: 50 },
      { kind: 'e', t: 2 },
    ]);
  });

  it('lets and loop variables do not leak out of their block', () => {
    const afterLoop = prog([loop('i', 0, 1, 1, [let_('t', 5)]), instr('u', { t: v('t') })]);
    expect(() => expand(afterLoop, {})).toThrow(InternalError);
    expect(() => expand(afterLoop, {})).toThrow('program: variable "t" is not defined');
    const loopVar = prog([loop('i', 0, 1, 1, []), instr('u', { i: v('i') })]);
    expect(() => expand(loopVar, {})).toThrow('program: variable "i" is not defined');
    const fromElse = prog([if_(bool(false), [], [let_('t', 5)]), instr('u', { t: v('t') })]);
    expect(() => expand(fromElse, {})).toThrow('program: variable "t" is not defined');
  });

  it('an undefined variable throws InternalError, even in a branch never taken', () => {
    const p = prog([if_(bool(false), [instr('u', { a: { b: v('nope') } })])]);
    expect(() => expand(p, {})).toThrow(InternalError);
    expect(() => expand(p, {})).toThrow('program: variable "nope" is not defined');
  });

  it('a buffer without an address throws InternalError naming the program and buffer', () => {
    const p: Program = {
      name: 'needs B',
      buffers: [
        { name: 'A', bytes: 1, role: 'input' },
        { name: 'B', bytes: 1, role: 'weight' },
      ],
      body: [instr('u', { a: v('A'), b: v('B') })],
    };
    expect(() => expand(p, { A: 0 })).toThrow(InternalError);
    expect(() => expand(p, { A: 0 })).toThrow('program needs B: no address for buffer "B"');
    expect(expand(p, { A: 0, B: 64 })).toEqual([{ kind: 'u', a: 0, b: 64 }]);
    // The program is compiled once; each run reads its own addresses.
    expect(expand(p, { A: 8, B: 1024 })).toEqual([{ kind: 'u', a: 8, b: 1024 }]);
  });

  it('a field or instruction name is data, never code', () => {
    const odd = 'a"); throw new Error("x';
    const p = prog([instr(odd, { [odd]: c(-0), 'b c': c(-3), d: { e: c(0.5) } })]);
    const [item] = expand(p, {}) as unknown as Record<string, unknown>[];
    expect(item).toEqual({ kind: odd, [odd]: -0, 'b c': -3, d: { e: 0.5 } });
    expect(Object.is(item[odd], -0)).toBe(true);
    expect(Object.keys(item)).toEqual(['kind', odd, 'b c', 'd']);
  });

  it('a loop with a non-positive step throws InternalError', () => {
    expect(() => expand(prog([loop('i', 0, 4, 0, [])]), {})).toThrow('program: loop i has step 0');
  });

  it('an argument with an unknown kind throws InternalError', () => {
    const bad = { kind: 'pow', of: x } as unknown as Expr;
    expect(() => expand(prog([let_('x', 1), instr('u', { a: bad })]), {})).toThrow(
      'program: "pow" is not an expression',
    );
  });
});

describe('interpret', () => {
  it('hands the sink the same items, in the same order, as expand returns', () => {
    const p: Program = {
      name: 'stream',
      buffers: [{ name: 'D', bytes: 8, role: 'input' }],
      body: [
        loop('i', 0, 4, 1, [
          if_(eq(mod(v('i'), 2), 0), [instr('even', { at: add(v('D'), v('i')) })], [fence]),
          instr('any', { rec: { i: v('i'), half: div(v('i'), 2) } }),
        ]),
      ],
    };
    const seen: unknown[] = [];
    interpret(p, { D: 7 }, (item) => seen.push(item));
    expect(seen).toEqual(expand(p, { D: 7 }));
    expect(seen).toHaveLength(8);
    expect(seen[0]).toEqual({ kind: 'even', at: 7 });
    expect(seen[1]).toEqual({ kind: 'any', rec: { i: 0, half: 0 } });
    expect(seen[2]).toEqual({ kind: 'fence' });
  });
});

/** An affine expression tree over x and y, as data, so it can be built two ways and evaluated in JS. */
type Tree =
  | { t: 'const'; value: number }
  | { t: 'var'; name: 'x' | 'y' }
  | { t: 'add'; args: Tree[] }
  | { t: 'scale'; by: number; arg: Tree }
  | { t: 'min' | 'max'; args: Tree[] }
  | { t: 'div'; arg: Tree; by: number };

const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ t: fc.constant('const' as const), value: fc.integer({ min: -20, max: 20 }) }),
    fc.record({
      t: fc.constant('var' as const),
      name: fc.constantFrom('x' as const, 'y' as const),
    }),
    fc.record({
      t: fc.constant('add' as const),
      args: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      t: fc.constant('scale' as const),
      by: fc.integer({ min: -5, max: 5 }),
      arg: tie('tree'),
    }),
    fc.record({
      t: fc.constantFrom('min' as const, 'max' as const),
      args: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      t: fc.constant('div' as const),
      arg: tie('tree'),
      by: fc.integer({ min: 1, max: 7 }),
    }),
  ),
})).tree;

/** Floor division written without Math.floor of a quotient. */
const floorDiv = (a: number, d: number): number => (a - (((a % d) + d) % d)) / d;

function jsEval(tr: Tree, xv: number, yv: number): number {
  switch (tr.t) {
    case 'const':
      return tr.value;
    case 'var':
      return tr.name === 'x' ? xv : yv;
    case 'add':
      return tr.args.reduce((s, a) => s + jsEval(a, xv, yv), 0);
    case 'scale':
      return tr.by * jsEval(tr.arg, xv, yv);
    case 'min':
      return tr.args.map((a) => jsEval(a, xv, yv)).reduce((m, a) => (a < m ? a : m));
    case 'max':
      return tr.args.map((a) => jsEval(a, xv, yv)).reduce((m, a) => (a > m ? a : m));
    case 'div':
      return floorDiv(jsEval(tr.arg, xv, yv), tr.by);
  }
}

/** The tree as raw IR nodes, nothing folded. */
function rawExpr(tr: Tree): Expr {
  switch (tr.t) {
    case 'const':
      return { kind: 'const', value: tr.value };
    case 'var':
      return { kind: 'var', name: tr.name };
    case 'add':
      return { kind: 'add', terms: tr.args.map(rawExpr) };
    case 'scale':
      return { kind: 'mul', args: [{ kind: 'const', value: tr.by }, rawExpr(tr.arg)] };
    case 'min':
    case 'max':
      return { kind: tr.t, args: tr.args.map(rawExpr) };
    case 'div':
      return { kind: 'div', of: rawExpr(tr.arg), divisor: { kind: 'const', value: tr.by } };
  }
}

/** The tree through the folding builders. */
function builtExpr(tr: Tree): Expr {
  switch (tr.t) {
    case 'const':
      return c(tr.value);
    case 'var':
      return v(tr.name);
    case 'add':
      return add(...tr.args.map(builtExpr));
    case 'scale':
      return mul(tr.by, builtExpr(tr.arg));
    case 'min':
      return min(...tr.args.map(builtExpr));
    case 'max':
      return max(...tr.args.map(builtExpr));
    case 'div':
      return div(builtExpr(tr.arg), tr.by);
  }
}

describe('compiled expressions (property)', () => {
  const point = fc.integer({ min: -50, max: 50 });

  it('raw and builder-folded affine trees both evaluate as in plain JS', () => {
    fc.assert(
      fc.property(treeArb, point, point, (tr, xv, yv) => {
        const want = jsEval(tr, xv, yv);
        // `+ 0` turns a −0 (from 0 times a negative) into 0, as a JS evaluation would compare.
        expect(evalExpr(rawExpr(tr), xv, yv) + 0).toBe(want + 0);
        expect(evalExpr(builtExpr(tr), xv, yv) + 0).toBe(want + 0);
      }),
      { numRuns: 300 },
    );
  });
});
