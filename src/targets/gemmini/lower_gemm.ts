import {
  add,
  bool,
  c,
  ceilDiv,
  div,
  eq,
  fence,
  if_,
  instr,
  let_,
  loop,
  lt,
  min,
  mod,
  mul,
  ne,
  or,
  select,
  sub,
  v,
  type Cond,
  type Expr,
  type Program,
  type Stmt,
} from '../../program/program.js';
import type { Mapping } from '../../mapping/mapping.js';
import {
  chunk,
  copyBaseLets,
  nmem,
  pipelinedSteps,
  stepLets as sharedStepLets,
  stepVars,
  type MemOps,
  type Segment,
  type StepVars,
} from '../../program/steps.js';
import { tileSchedule, type TileSchedule } from '../../mapping/tile_schedule.js';
import type { Spec } from '../../spec/spec.js';
import type { LowerOptions } from '../../contract/target.js';
import { loopNest } from '../../workload/shape.js';
import type { Dim, GemmWorkload } from '../../workload/workload.js';
import { gemmLayout, type TensorLayout } from './gemm_layout.js';
import { accFlag, accumulateFlag, garbage, preloadCompute, preamble } from './lower_common.js';

/**
 * A GEMM mapping as a Gemmini program. The DRAM loops are flattened into steps (the tile schedule); a
 * step computes one tile in DIM blocks. Double-buffered tensors are software-pipelined: the next step's
 * loads and the previous step's stores are spread between this step's computes. The others load at the
 * start of their step and store at its end. The C tile stays in the accumulator across the reduction;
 * bias enters it by mvin; ReLU and the scale apply on mvout.
 */

interface Ctx {
  readonly w: GemmWorkload;
  readonly m: Mapping;
  readonly s: TileSchedule;
  readonly dim: number;
  readonly A: TensorLayout;
  readonly B: TensorLayout;
  readonly C: TensorLayout;
  /** Column blocks one mvin moves into the scratchpad / accumulator, and one mvout moves out. */
  readonly groupSp: number;
  readonly groupAcc: number;
  readonly groupOut: number;
}

const bound = (x: Ctx, d: Dim): number => x.s.bound[d] ?? 1;
const tileOf = (x: Ctx, d: Dim): number => x.s.tile[d] ?? 1;

/** Lets for a step: tile index i<d>, extent e<d>, block count b<d>, copy bases, all prefixed. */
function stepLets(x: Ctx, at: StepVars, step: Expr): Stmt[] {
  const copies = (l: TensorLayout) => ({ ...l, period: x.s.period[l.tensor] });
  return [
    ...sharedStepLets(x.s, at, step, x.dim),
    ...copyBaseLets(at, { input: copies(x.A), weight: copies(x.B), output: copies(x.C) }),
  ];
}

/** Block offset of the current tile inside a resident panel along d. */
function panelOffset(x: Ctx, l: TensorLayout, d: Dim, at: StepVars): Expr {
  return x.m.resident[l.tensor].includes(d) ? div(mul(tileOf(x, d), at.index[d]), x.dim) : c(0);
}

/** Row of block (r, col) of the current tile of tensor l at step prefix p. */
function blockRow(x: Ctx, l: TensorLayout, at: StepVars, r: Expr, col: Expr): Expr {
  const rr = add(r, panelOffset(x, l, l.rowDim, at));
  const cc = add(col, panelOffset(x, l, l.colDim, at));
  return add(at.base[l.tensor], mul(l.rowsPerBlock, add(mul(l.blockCols, rr), cc)));
}

/** What a load of tensor l moves along d: its resident panel, or the step's tile. */
function held(x: Ctx, l: TensorLayout, d: Dim, at: StepVars): { origin: Expr; extent: Expr } {
  if (x.m.resident[l.tensor].includes(d)) return { origin: c(0), extent: c(bound(x, d)) };
  return { origin: mul(tileOf(x, d), at.index[d]), extent: at.extent[d] };
}

/** Loads of A (slot 0, from buffer A, K bytes a row) or B (slot 1, from B, N bytes a row). */
function tensorLoads(x: Ctx, l: TensorLayout, at: StepVars): MemOps {
  const slot = l.tensor === 'input' ? 0 : 1;
  const buffer = l.tensor === 'input' ? 'A' : 'B';
  const rowBytes = l.tensor === 'input' ? x.w.K : x.w.N;
  const row = held(x, l, l.rowDim, at);
  const col = held(x, l, l.colDim, at);
  const span = x.groupSp * x.dim;
  const groups = ceilDiv(col.extent, span);
  return {
    count: mul(ceilDiv(row.extent, x.dim), groups),
    emit: (f) => [
      let_('lr', div(f, groups)),
      let_('lg', mod(f, groups)),
      instr('mvin', {
        slot: c(slot),
        dram: add(
          v(buffer),
          mul(rowBytes, add(row.origin, mul(x.dim, v('lr')))),
          col.origin,
          mul(span, v('lg')),
        ),
        dst: {
          addr: add(
            at.base[l.tensor],
            mul(l.rowsPerBlock, add(mul(l.blockCols, v('lr')), mul(x.groupSp, v('lg')))),
          ),
          rows: min(x.dim, sub(row.extent, mul(x.dim, v('lr')))),
          cols: min(span, sub(col.extent, mul(span, v('lg')))),
        },
      }),
    ],
  };
}

/** Bias into the accumulator blocks of the step's C tile (one DRAM row repeated: slot 2, stride 0). */
function biasLoads(x: Ctx, at: StepVars): MemOps {
  const span = x.groupAcc * x.dim;
  const groups = ceilDiv(at.extent.N, span);
  return {
    count: mul(at.blocks.M, groups),
    emit: (f) => [
      let_('br', div(f, groups)),
      let_('bg', mod(f, groups)),
      instr('mvin', {
        slot: c(2),
        dram: add(v('bias'), mul(4, add(mul(tileOf(x, 'N'), at.index.N), mul(span, v('bg'))))),
        dst: {
          addr: add(accFlag, blockRow(x, x.C, at, v('br'), mul(x.groupAcc, v('bg')))),
          rows: min(x.dim, sub(at.extent.M, mul(x.dim, v('br')))),
          cols: min(span, sub(at.extent.N, mul(span, v('bg')))),
        },
      }),
    ],
  };
}

/** Stores of the step's C tile: mvout through the scale and activation. */
function stores(x: Ctx, at: StepVars): MemOps {
  const span = x.groupOut * x.dim;
  const groups = ceilDiv(at.extent.N, span);
  return {
    count: mul(at.blocks.M, groups),
    emit: (f) => [
      let_('sr', div(f, groups)),
      let_('sg', mod(f, groups)),
      instr('mvout', {
        dram: add(
          v('C'),
          mul(x.w.N, add(mul(tileOf(x, 'M'), at.index.M), mul(x.dim, v('sr')))),
          mul(tileOf(x, 'N'), at.index.N),
          mul(span, v('sg')),
        ),
        src: {
          addr: add(accFlag, blockRow(x, x.C, at, v('sr'), mul(x.groupOut, v('sg')))),
          rows: min(x.dim, sub(at.extent.M, mul(x.dim, v('sr')))),
          cols: min(span, sub(at.extent.N, mul(span, v('sg')))),
        },
      }),
    ],
  };
}

function cAddr(x: Ctx, at: StepVars, i: Expr, j: Expr, accumulate: Cond): Expr {
  return add(accFlag, select(accumulate, accumulateFlag, 0), blockRow(x, x.C, at, i, j));
}

function computeBlocks(x: Ctx, segments: readonly Segment[]): Stmt[] {
  const cur = stepVars.c;
  const rowsI = min(x.dim, sub(cur.extent.M, mul(x.dim, v('i'))));
  const colsJ = min(x.dim, sub(cur.extent.N, mul(x.dim, v('j'))));
  const depth = min(x.dim, sub(cur.extent.K, mul(x.dim, v('k'))));
  const a = { addr: blockRow(x, x.A, cur, v('i'), v('k')), rows: rowsI, cols: depth };
  const b = { addr: blockRow(x, x.B, cur, v('k'), v('j')), rows: depth, cols: colsJ };
  const firstK = or(bool(x.w.bias), lt(0, cur.index.K));
  if (x.m.dataflow === 'weight-stationary') {
    const cOp = {
      addr: cAddr(x, cur, v('i'), v('j'), or(firstK, lt(0, v('k')))),
      rows: rowsI,
      cols: colsJ,
    };
    return [
      loop('j', 0, cur.blocks.N, 1, [
        loop('k', 0, cur.blocks.K, 1, [
          loop('i', 0, cur.blocks.M, 1, [
            ...chunk(
              segments,
              nmem,
              add(mul(add(mul(v('j'), cur.blocks.K), v('k')), cur.blocks.M), v('i')),
              mul(cur.blocks.N, cur.blocks.K, cur.blocks.M),
            ),
            preloadCompute(eq(v('i'), 0), b, cOp, a),
          ]),
        ]),
      ]),
    ];
  }
  const cOp = { addr: cAddr(x, cur, v('i'), v('j'), firstK), rows: rowsI, cols: colsJ };
  return [
    loop('i', 0, cur.blocks.M, 1, [
      loop('j', 0, cur.blocks.N, 1, [
        loop('k', 0, cur.blocks.K, 1, [
          ...chunk(
            segments,
            nmem,
            add(mul(add(mul(v('i'), cur.blocks.N), v('j')), cur.blocks.K), v('k')),
            mul(cur.blocks.M, cur.blocks.N, cur.blocks.K),
          ),
          if_(
            eq(v('k'), sub(cur.blocks.K, 1)),
            [instr('preload', { bd: garbage, c: cOp })],
            [instr('preload', { bd: garbage, c: garbage })],
          ),
          instr('compute', { accumulated: ne(v('k'), 0), a, bd: b }),
        ]),
      ]),
    ]),
  ];
}

function configs(x: Ctx, options: LowerOptions): Stmt[] {
  return preamble({
    dataflow: x.m.dataflow,
    aStride: 1,
    relu: x.w.activation === 'relu',
    outRowBytes: x.w.N,
    scale: options.scale,
    loads: [
      { dramStride: x.w.K, blockStride: x.A.rowsPerBlock },
      { dramStride: x.w.N, blockStride: x.B.rowsPerBlock },
      { dramStride: 0, blockStride: x.C.rowsPerBlock },
    ],
  });
}

export function lowerGemm(w: GemmWorkload, m: Mapping, spec: Spec, options: LowerOptions): Program {
  const dim = spec.array.rows;
  const s = tileSchedule(loopNest(w), m);
  const { A, B, C } = gemmLayout(w, m, spec);
  const x: Ctx = {
    w,
    m,
    s,
    dim,
    A,
    B,
    C,
    groupSp: Math.max(1, Math.floor(spec.dram.maxTransferBytes / dim)),
    groupAcc: Math.max(1, Math.floor(spec.dram.maxTransferBytes / (4 * dim))),
    groupOut:
      C.rowsPerBlock === dim ? Math.max(1, Math.floor(spec.dram.maxTransferBytes / dim)) : 1,
  };
  const lastK = (s.trips.K ?? 1) - 1;
  const body: Stmt[] = [...configs(x, options)];
  body.push(
    ...pipelinedSteps({
      steps: s.steps,
      lets: (at, step) => stepLets(x, at, step),
      loads: [
        {
          name: 'A',
          doubleBuffered: m.doubleBuffer.input,
          period: s.period.input,
          loads: (at) => tensorLoads(x, A, at),
        },
        {
          name: 'B',
          doubleBuffered: m.doubleBuffer.weight,
          period: s.period.weight,
          loads: (at) => tensorLoads(x, B, at),
        },
      ],
      output: {
        doubleBuffered: m.doubleBuffer.output,
        init: w.bias ? (at) => biasLoads(x, at) : null,
        stores: (at) => stores(x, at),
        first: (at) => eq(at.index.K, 0),
        last: (at) => eq(at.index.K, lastK),
      },
      compute: (segments) => computeBlocks(x, segments),
    }),
  );
  body.push(fence);
  const buffers: Program['buffers'] = [
    { name: 'A', bytes: w.M * w.K, role: 'input' },
    { name: 'B', bytes: w.K * w.N, role: 'weight' },
    ...(w.bias ? [{ name: 'bias', bytes: 4 * w.N, role: 'bias' } as const] : []),
    { name: 'C', bytes: w.M * w.N, role: 'output' },
  ];
  return { name: w.name, buffers, body };
}
