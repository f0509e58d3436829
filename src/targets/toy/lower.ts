import type { Footprint, LowerOptions, Problem } from '../../contract/target.js';
import { InternalError } from '../../errors.js';
import type { Mapping } from '../../mapping/mapping.js';
import { tileSchedule } from '../../mapping/tile_schedule.js';
import { f32Bits } from '../../numeric/numeric.js';
import { pipelinedSteps, stepLets, stepVars, type StepVars } from '../../program/steps.js';
import { add, bool, c, eq, instr, loop, lt, min, mul, or, sub, v } from '../../program/program.js';
import type { Program, Stmt } from '../../program/program.js';
import type { Spec } from '../../spec/spec.js';
import { loopNest } from '../../workload/shape.js';
import type { Dim, GemmWorkload, Workload } from '../../workload/workload.js';

/** The tiles of a GEMM mapping; A's sits at buffer element 0, B's after it, C's at accumulator 0. */
function tiles(w: GemmWorkload, m: Mapping) {
  const s = tileSchedule(loopNest(w), m);
  const t = (d: Dim) => s.tile[d] ?? 1;
  return { s, t, bBase: t('M') * t('K') };
}

/**
 * A GEMM mapping as a toy program: per DRAM step (the tile schedule), load the A and B tiles when
 * due, the bias on the first reduction step, a gemm per DIM×DIM weight block, the store on the last.
 */
export function lower(w: Workload, m: Mapping, spec: Spec, options: LowerOptions): Program {
  if (w.kind !== 'gemm')
    throw new InternalError(`toy: ${w.name} is not a GEMM (checkMapping refuses it)`);
  const dim = spec.array.rows;
  const { s, t, bBase } = tiles(w, m);
  /** DRAM offset of the step's tile of a row-major matrix, rows `rowBytes` apart. */
  const at = (p: StepVars, rowDim: Dim, rowBytes: number, colDim: Dim) =>
    add(mul(rowBytes, t(rowDim), p.index[rowDim]), mul(t(colDim), p.index[colDim]));
  const one = (stmt: Stmt) => ({ count: c(1), emit: () => [stmt] });
  const tileLoad =
    (buffer: string, rowDim: Dim, colDim: Dim, rowBytes: number, addr: number) => (p: StepVars) =>
      one(
        instr('load', {
          dram: add(v(buffer), at(p, rowDim, rowBytes, colDim)),
          stride: c(rowBytes),
          addr: c(addr),
          rows: p.extent[rowDim],
          cols: p.extent[colDim],
          toAcc: bool(false),
        }),
      );
  const bias = (p: StepVars) =>
    one(
      instr('load', {
        dram: add(v('bias'), mul(4, t('N'), p.index.N)),
        stride: c(0),
        addr: c(0),
        rows: p.extent.M,
        cols: p.extent.N,
        toAcc: bool(true),
      }),
    );
  const store = (p: StepVars) =>
    one(
      instr('store', {
        dram: add(v('C'), at(p, 'M', w.N, 'N')),
        stride: c(w.N),
        addr: c(0),
        rows: p.extent.M,
        cols: p.extent.N,
        relu: bool(w.activation === 'relu'),
        scale: c(f32Bits(options.scale)),
      }),
    );
  const cur = stepVars.c;
  const gemm = instr('gemm', {
    a: mul(dim, v('kb')),
    b: add(bBase, mul(dim, v('kb'), cur.extent.N), mul(dim, v('nb'))),
    c: mul(dim, v('nb')),
    m: cur.extent.M,
    k: min(dim, sub(cur.extent.K, mul(dim, v('kb')))),
    n: min(dim, sub(cur.extent.N, mul(dim, v('nb')))),
    lda: cur.extent.K,
    ldb: cur.extent.N,
    ldc: cur.extent.N,
    accumulate: or(bool(w.bias), lt(0, cur.index.K), lt(0, v('kb'))),
  });
  const body = pipelinedSteps({
    steps: s.steps,
    lets: (p, step) => stepLets(s, p, step, dim),
    loads: [
      {
        name: 'A',
        doubleBuffered: false,
        period: s.period.input,
        loads: tileLoad('A', 'M', 'K', w.K, 0),
      },
      {
        name: 'B',
        doubleBuffered: false,
        period: s.period.weight,
        loads: tileLoad('B', 'K', 'N', w.N, bBase),
      },
    ],
    output: {
      doubleBuffered: false,
      init: w.bias ? bias : null,
      stores: store,
      first: (p) => eq(p.index.K, 0),
      last: (p) => eq(p.index.K, (s.trips.K ?? 1) - 1),
    },
    compute: () => [loop('kb', 0, cur.blocks.K, 1, [loop('nb', 0, cur.blocks.N, 1, [gemm])])],
  });
  const buffers: Program['buffers'] = [
    { name: 'A', bytes: w.M * w.K, role: 'input' },
    { name: 'B', bytes: w.K * w.N, role: 'weight' },
    ...(w.bias ? [{ name: 'bias', bytes: 4 * w.N, role: 'bias' } as const] : []),
    { name: 'C', bytes: w.M * w.N, role: 'output' },
  ];
  return { name: w.name, buffers, body: [...body, { kind: 'fence' }] };
}

/** Rows of the buffer (A and B tiles) and of the accumulator (the C tile) a mapping takes. */
export function footprint(w: Workload, m: Mapping, spec: Spec): readonly Footprint[] {
  if (w.kind !== 'gemm') return [];
  const { t } = tiles(w, m);
  const rows = (memory: string, elements: number, bytes: number) =>
    Math.ceil((elements * bytes) / spec.memories[memory].rowBytes);
  return [
    { memory: 'buffer', tensor: 'input', rows: rows('buffer', t('M') * t('K'), 1) },
    { memory: 'buffer', tensor: 'weight', rows: rows('buffer', t('K') * t('N'), 1) },
    { memory: 'accumulator', tensor: 'output', rows: rows('accumulator', t('M') * t('N'), 4) },
  ];
}

/** GEMMs only, weight-stationary with K on the array's rows and N on its columns, no panels. */
export function checkMapping(w: Workload, m: Mapping): readonly Problem[] {
  if (w.kind !== 'gemm') {
    return [{ path: 'workload', message: `the toy target runs GEMMs only (got a ${w.kind})` }];
  }
  const problems: Problem[] = [];
  if (m.spatial.rows !== 'K' || m.spatial.cols !== 'N') {
    problems.push({
      path: 'spatial',
      message: 'the array holds K on its rows and N on its columns',
    });
  }
  for (const [tensor, dims] of Object.entries(m.resident)) {
    if (dims.length > 0) {
      problems.push({ path: `resident.${tensor}`, message: 'the toy keeps no panels on chip' });
    }
  }
  return problems;
}
