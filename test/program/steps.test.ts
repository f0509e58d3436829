import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expand } from '../../src/program/interpret.js';
import {
  add,
  c,
  eq,
  if_,
  instr,
  let_,
  loop,
  lt,
  mod,
  mul,
  v,
  type Expr,
  type Program,
  type Stmt,
} from '../../src/program/program.js';
import {
  all,
  chunk,
  inputWindowLets,
  pick,
  nmem,
  pipelinedSteps,
  reductionEdge,
  stepLets,
  stepVars,
  type MemOps,
  type Segment,
  type StepVars,
} from '../../src/program/steps.js';
import { noResidency, type Mapping } from '../../src/mapping/mapping.js';
import { tileSchedule, type TileSchedule } from '../../src/mapping/tile_schedule.js';
import type { Dim, LoopNest } from '../../src/workload/workload.js';

type Item = { kind: string } & Record<string, unknown>;

function run(body: readonly Stmt[]): Item[] {
  const p: Program = { name: 'steps test', buffers: [], body };
  return expand<Item>(p, {}) as Item[];
}

/** A GEMM-like loop nest over M, N, K with the given bounds. */
function nest(M: number, N: number, K: number): LoopNest {
  return {
    dims: [
      { dim: 'M', bound: M },
      { dim: 'N', bound: N },
      { dim: 'K', bound: K },
    ],
    relevant: { input: ['M', 'K'], weight: ['K', 'N'], output: ['M', 'N'] },
    reduction: ['K'],
    channel: 'K',
    outChannel: 'N',
    pixel: 'M',
  };
}

function mapping(tile: Mapping['tile'], order: readonly Dim[]): Mapping {
  return {
    dataflow: 'weight-stationary',
    spatial: { rows: 'K', cols: 'N' },
    tile,
    order,
    resident: noResidency,
    doubleBuffer: { input: false, weight: false, output: false },
  };
}

/** Every step's decoded lets, through the interpreter. */
function decodedSteps(s: TileSchedule, block: number): Item[] {
  const at = stepVars.c;
  const fields: Record<string, Expr> = { step: at.step };
  for (const d of s.order) {
    fields[`i${d}`] = at.index[d];
    fields[`e${d}`] = at.extent[d];
    fields[`b${d}`] = at.blocks[d];
  }
  return run([
    loop('s', 0, s.steps, 1, [...stepLets(s, at, v('s'), block), instr('step', fields)]),
  ]);
}

/** The same, by nested JS loops over the order (outermost first). */
function enumeratedSteps(s: TileSchedule, block: number): Item[] {
  const out: Item[] = [];
  const index: Record<string, number> = {};
  const visit = (n: number): void => {
    if (n === s.order.length) {
      const item: Item = { kind: 'step', step: out.length };
      for (const d of s.order) {
        const t = s.tile[d] ?? 1;
        const e = Math.min(t, (s.bound[d] ?? 1) - index[d] * t);
        item[`i${d}`] = index[d];
        item[`e${d}`] = e;
        item[`b${d}`] = Math.ceil(e / block);
      }
      out.push(item);
      return;
    }
    const d = s.order[n];
    for (let i = 0; i < (s.trips[d] ?? 1); i++) {
      index[d] = i;
      visit(n + 1);
    }
  };
  visit(0);
  return out;
}

describe('stepLets', () => {
  it('decodes each step of a 3-dim schedule with partial tiles', () => {
    // M 10 in tiles of 4 (4, 4, 2), N 7 in 3 (3, 3, 1), K 5 in 2 (2, 2, 1); order N, K, M.
    const s = tileSchedule(nest(10, 7, 5), mapping({ M: 4, N: 3, K: 2 }, ['N', 'K', 'M']));
    expect(s.steps).toBe(27);
    const got = decodedSteps(s, 3);
    expect(got).toEqual(enumeratedSteps(s, 3));
    // Spot checks by hand: step 0, the step 13 = (N 1, K 1, M 1), and the last one.
    expect(got[0]).toEqual({
      kind: 'step',
      step: 0,
      iN: 0,
      eN: 3,
      bN: 1,
      iK: 0,
      eK: 2,
      bK: 1,
      iM: 0,
      eM: 4,
      bM: 2,
    });
    expect(got[13]).toMatchObject({ iN: 1, iK: 1, iM: 1, eN: 3, eK: 2, eM: 4 });
    expect(got[26]).toEqual({
      kind: 'step',
      step: 26,
      iN: 2,
      eN: 1,
      bN: 1,
      iK: 2,
      eK: 1,
      bK: 1,
      iM: 2,
      eM: 2,
      bM: 1,
    });
  });

  it('a dim with one trip decodes to index 0 and its whole bound', () => {
    const s = tileSchedule(nest(33, 16, 9), mapping({ M: 16 }, ['K', 'M', 'N']));
    const got = decodedSteps(s, 16);
    expect(got.map((g) => [g.iK, g.eK, g.iM, g.eM, g.bM, g.iN, g.eN])).toEqual([
      [0, 9, 0, 16, 1, 0, 16],
      [0, 9, 1, 16, 1, 0, 16],
      [0, 9, 2, 1, 1, 0, 16],
    ]);
  });

  it('matches a nested-loop enumeration for random bounds, tiles, orders and blocks', () => {
    const dimArb = fc.record({ bound: fc.integer({ min: 1, max: 9 }), tile: fc.nat() });
    fc.assert(
      fc.property(
        dimArb,
        dimArb,
        dimArb,
        fc.constantFrom<Dim[]>(
          ['M', 'N', 'K'],
          ['M', 'K', 'N'],
          ['N', 'M', 'K'],
          ['N', 'K', 'M'],
          ['K', 'M', 'N'],
          ['K', 'N', 'M'],
        ),
        fc.integer({ min: 1, max: 4 }),
        (m, n, k, order, block) => {
          const t = (d: { bound: number; tile: number }) => 1 + (d.tile % d.bound);
          const s = tileSchedule(
            nest(m.bound, n.bound, k.bound),
            mapping({ M: t(m), N: t(n), K: t(k) }, order),
          );
          expect(decodedSteps(s, block)).toEqual(enumeratedSteps(s, block));
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** A list of `count` operations `kind` f (the item number). */
function ops(kind: string, count: number): MemOps {
  return { count: c(count), emit: (f) => [instr(kind, { f })] };
}

/** Segments a, b, c, … with the given counts, their count lets, and their total in `total`. */
function segmentsOf(counts: readonly number[]): { lets: Stmt[]; segments: Segment[] } {
  const segments = counts.map((n, i) => ({
    name: `n${i}`,
    ops: ops(String.fromCharCode(97 + i), n),
  }));
  const lets = [
    ...segments.map((s) => let_(s.name, s.ops.count)),
    let_('total', add(...segments.map((s) => v(s.name)))),
  ];
  return { lets, segments };
}

describe('pick', () => {
  it('item f of the concatenation, across an empty segment', () => {
    const { lets, segments } = segmentsOf([2, 0, 3]);
    const got = run([...lets, loop('g', 0, 5, 1, pick(segments, v('g')))]);
    expect(got).toEqual([
      { kind: 'a', f: 0 },
      { kind: 'a', f: 1 },
      { kind: 'c', f: 0 },
      { kind: 'c', f: 1 },
      { kind: 'c', f: 2 },
    ]);
  });

  it('is an if on the running count, the last segment in the innermost else', () => {
    const { segments } = segmentsOf([2, 3]);
    const f = v('f');
    expect(pick(segments, f)).toEqual([
      if_(lt(f, v('n0')), [instr('a', { f })], [instr('b', { f: add(f, mul(-1, v('n0'))) })]),
    ]);
    expect(pick(segments.slice(0, 1), f)).toEqual([instr('a', { f })]);
  });
});

describe('all', () => {
  it('loops over every item of a list', () => {
    expect(run(all(ops('x', 3)))).toEqual([
      { kind: 'x', f: 0 },
      { kind: 'x', f: 1 },
      { kind: 'x', f: 2 },
    ]);
    expect(run(all(ops('x', 0)))).toEqual([]);
  });
});

describe('chunk', () => {
  it('spreads 5 items over 3 groups as 2, 2, 1 (memory first)', () => {
    const { lets, segments } = segmentsOf([3, 2]);
    const got = run([
      ...lets,
      loop('g', 0, 3, 1, [
        instr('group', { g: v('g') }),
        ...chunk(segments, v('total'), v('g'), c(3)),
      ]),
    ]);
    expect(got.map((i) => (i.kind === 'group' ? `|${i.g}` : `${i.kind}${i.f}`)).join(' ')).toBe(
      '|0 a0 a1 |1 a2 b0 |2 b1',
    );
  });

  it('has nothing to spread without segments', () => {
    expect(chunk([], v('total'), c(0), c(2))).toEqual([]);
  });

  it('covers each of L items exactly once, in order, for random L and G (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 8 }),
        (counts, G) => {
          const { lets, segments } = segmentsOf(counts);
          const got = run([
            ...lets,
            loop('g', 0, G, 1, [
              instr('group', { g: v('g') }),
              ...chunk(segments, v('total'), v('g'), c(G)),
            ]),
          ]);
          const L = counts.reduce((s, n) => s + n, 0);
          // Every item once, in the order of the concatenated segments.
          const want = counts.flatMap((n, i) =>
            Array.from({ length: n }, (_, f) => ({ kind: String.fromCharCode(97 + i), f })),
          );
          expect(got.filter((i) => i.kind !== 'group')).toEqual(want);
          // Group g gets items [⌈g·L/G⌉, ⌈(g+1)·L/G⌉): sizes differ by at most one, larger first.
          const sizes: number[] = [];
          for (const i of got) {
            if (i.kind === 'group') sizes.push(0);
            else sizes[sizes.length - 1]++;
          }
          expect(sizes).toEqual(
            Array.from(
              { length: G },
              (_, g) => Math.ceil(((g + 1) * L) / G) - Math.ceil((g * L) / G),
            ),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('pipelinedSteps', () => {
  const lets = (at: StepVars, step: Expr): Stmt[] => [let_(at.step, step)];
  const tagged = (kind: string, count: number) => (at: StepVars) => ({
    count: c(count),
    emit: (f: Expr) => [instr(kind, { step: at.step, f })],
  });
  // Output tiles span two reduction steps: steps 0–1 are tile 0, steps 2–3 tile 1.
  const first = (at: StepVars) => eq(mod(at.step, 2), 0);
  const last = (at: StepVars) => eq(mod(at.step, 2), 1);
  const compute = (segments: readonly Segment[]): Stmt[] => [
    ...chunk(segments, nmem, c(0), c(2)),
    instr('compute', { step: v('s'), g: c(0) }),
    ...chunk(segments, nmem, c(1), c(2)),
    instr('compute', { step: v('s'), g: c(1) }),
  ];
  const show = (items: Item[]): string[] =>
    items.map((i) =>
      i.kind === 'compute'
        ? `compute ${i.step}.${i.g}`
        : `${i.kind} ${i.step}${i.f === 0 ? '' : `.${i.f}`}`,
    );

  it('single-buffered: loads when due before the computes, stores after the last reduction step', () => {
    const body = pipelinedSteps({
      steps: 4,
      lets,
      loads: [
        { name: 'x', doubleBuffered: false, period: 1, loads: tagged('loadx', 1) },
        { name: 'w', doubleBuffered: false, period: 2, loads: tagged('loadw', 1) },
      ],
      output: {
        doubleBuffered: false,
        init: tagged('init', 1),
        stores: tagged('store', 1),
        first,
        last,
      },
      compute,
    });
    expect(show(run(body))).toEqual([
      'loadx 0',
      'loadw 0',
      'init 0',
      'compute 0.0',
      'compute 0.1',
      'loadx 1',
      'compute 1.0',
      'compute 1.1',
      'store 1',
      'loadx 2',
      'loadw 2',
      'init 2',
      'compute 2.0',
      'compute 2.1',
      'loadx 3',
      'compute 3.0',
      'compute 3.1',
      'store 3',
    ]);
  });

  it('double-buffered: a prologue, next-step loads and last-step stores spread between computes', () => {
    const body = pipelinedSteps({
      steps: 4,
      lets,
      loads: [
        { name: 'x', doubleBuffered: true, period: 1, loads: tagged('loadx', 2) },
        { name: 'w', doubleBuffered: false, period: 2, loads: tagged('loadw', 1) },
      ],
      output: {
        doubleBuffered: true,
        init: tagged('init', 1),
        stores: tagged('store', 1),
        first,
        last,
      },
      compute,
    });
    // Worked by hand. Step s spreads nmem = (store of tile ending at s−1) + (x of step s+1)
    // + (init of step s+1 when it starts a tile) over two groups, ⌈nmem/2⌉ before the first.
    expect(show(run(body))).toEqual([
      // Prologue: step 0's double-buffered x and the first tile's init.
      'loadx 0',
      'loadx 0.1',
      'init 0',
      // s = 0: w is due; nmem = 0 + 2 + 0.
      'loadw 0',
      'loadx 1',
      'compute 0.0',
      'loadx 1.1',
      'compute 0.1',
      // s = 1: nmem = 0 + 2 + 1 (step 2 starts tile 1).
      'loadx 2',
      'loadx 2.1',
      'compute 1.0',
      'init 2',
      'compute 1.1',
      // s = 2: w is due; nmem = 1 (store of tile 0, ended at step 1) + 2 + 0.
      'loadw 2',
      'store 1',
      'loadx 3',
      'compute 2.0',
      'loadx 3.1',
      'compute 2.1',
      // s = 3: nothing next, and step 2 ended no tile: nmem = 0.
      'compute 3.0',
      'compute 3.1',
      // Epilogue: the last tile's store.
      'store 3',
    ]);
  });
});

describe('reductionEdge', () => {
  it('is true on the first and last step of each output tile’s reduction', () => {
    // M 4 in tiles of 2, K 6 in 2 (3 trips), order M, K: steps (M, K) = (0,0) … (1,2).
    const s = tileSchedule(nest(4, 1, 6), mapping({ M: 2, K: 2 }, ['M', 'N', 'K']));
    const at = stepVars.c;
    const edges = run([
      loop('s', 0, s.steps, 1, [
        ...stepLets(s, at, v('s'), 1),
        instr('edge', {
          first: reductionEdge(s, at, ['K'], 'first'),
          last: reductionEdge(s, at, ['K'], 'last'),
        }),
      ]),
    ]);
    expect(edges.map((e) => [e.first, e.last])).toEqual([
      [true, false],
      [false, false],
      [false, true],
      [true, false],
      [false, false],
      [false, true],
    ]);
  });
});

describe('inputWindowLets', () => {
  it('spans the output and kernel tiles, split into leading pad, image rows and trailing pad', () => {
    // Image of 5 rows, stride 2, dilation 1, pad 1; output tiles of 2 rows, the whole 3-row kernel.
    const names = ['lo', 'rows', 'pad0', 'pad1', 'inside'] as const;
    const win = {
      lo: v('lo'),
      rows: v('rows'),
      pad0: v('pad0'),
      pad1: v('pad1'),
      inside: v('inside'),
    };
    const windowOf = (index: number, extent: number): Item =>
      run([
        ...inputWindowLets(
          win,
          { index: c(index), extent: c(extent), tile: 2 },
          { index: c(0), extent: c(3), tile: 3 },
          { stride: 2, dilation: 1, pad: 1, size: 5 },
        ),
        instr('window', Object.fromEntries(names.map((n) => [n, win[n]]))),
      ])[0];
    // Output rows 0, 1 read input rows −1 … 3: one pad row, then 4 image rows.
    expect(windowOf(0, 2)).toEqual({
      kind: 'window',
      lo: -1,
      rows: 5,
      pad0: 1,
      pad1: 0,
      inside: 4,
    });
    // Output row 2 (a partial tile) reads rows 3 … 5: 2 image rows, then one pad row.
    expect(windowOf(1, 1)).toEqual({ kind: 'window', lo: 3, rows: 3, pad0: 0, pad1: 1, inside: 2 });
  });
});
