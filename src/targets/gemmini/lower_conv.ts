import {
  add,
  and,
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
  max,
  min,
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
import {
  chunk,
  copyBase,
  digits,
  pipelinedSteps,
  stepLets as sharedStepLets,
  type MemOps,
  type Segment,
} from '../../program/steps.js';
import type { Mapping } from '../../mapping/mapping.js';
import { tileSchedule, type TileSchedule } from '../../mapping/tile_schedule.js';
import type { Spec } from '../../spec/spec.js';
import type { LowerOptions } from '../../contract/target.js';
import { loopNest } from '../../workload/shape.js';
import type { ConvWorkload, Dim } from '../../workload/workload.js';
import { convLayout, type ConvLayout } from './conv_layout.js';
import { accFlag, accumulateFlag, garbage, preamble } from './lower_common.js';

/**
 * A conv mapping as a Gemmini program: implicit im2col straight from the NHWC input. A step loads an
 * input tile with its halo (padding written as zeros by mvins from address 0), the weight blocks and
 * the bias, then for each weight block (weight-stationary) or output block (output-stationary) streams
 * DIM output columns at a time: their input rows are strideW apart in the scratchpad, shifted by the
 * kernel position, so the tile is loaded once for all R×S positions. Steps are pipelined as for GEMM.
 * A depthwise conv mapped with its groups on the array takes DIM groups at once: the input tile holds
 * DIM channels per row, and each kernel position's weights are a DIM×DIM diagonal block.
 */

interface Ctx {
  readonly w: ConvWorkload;
  readonly m: Mapping;
  readonly s: TileSchedule;
  readonly l: ConvLayout;
  readonly dim: number;
  readonly groupSp: number;
  readonly groupAcc: number;
  readonly groupOut: number;
}

const tileOf = (x: Ctx, d: Dim): number => x.s.tile[d] ?? 1;
/** The group index of a step (0 without groups). */
const groupOf = (x: Ctx, p: string): Expr => (x.w.groups > 1 ? v(`${p}iG`) : c(0));
/** A tile index or 0 for a dim that is not in the nest. */
const idx = (p: string, d: Dim): Expr => v(`${p}i${d}`);

function copyBaseOf(x: Ctx, which: 'input' | 'weight' | 'output', step: Expr): Expr {
  const r = x.l[which];
  return copyBase(r.base, r.copyRows, r.copies, x.s.period[which], step);
}

function stepLets(x: Ctx, p: string, step: Expr): Stmt[] {
  const w = x.w;
  const out = sharedStepLets(x.s, p, step, x.dim);
  const at = v(`${p}step`);
  out.push(
    let_(`${p}base_input`, copyBaseOf(x, 'input', at)),
    let_(`${p}base_weight`, copyBaseOf(x, 'weight', at)),
    let_(`${p}base_output`, copyBaseOf(x, 'output', at)),
    // The input tile: rows × columns with halo, and where it starts in the (unpadded) image.
    let_(
      `${p}irows`,
      w.R === 1
        ? v(`${p}eP`)
        : add(mul(w.strideH, sub(v(`${p}eP`), 1)), mul(w.dilationH, sub(v(`${p}eR`), 1)), 1),
    ),
    let_(
      `${p}icols`,
      w.S === 1
        ? v(`${p}eQ`)
        : add(mul(w.strideW, sub(v(`${p}eQ`), 1)), mul(w.dilationW, sub(v(`${p}eS`), 1)), 1),
    ),
    let_(
      `${p}h0`,
      add(
        mul(w.strideH * tileOf(x, 'P'), idx(p, 'P')),
        mul(w.dilationH * tileOf(x, 'R'), idx(p, 'R')),
        -w.padTop,
      ),
    ),
    let_(
      `${p}w0`,
      add(
        mul(w.strideW * tileOf(x, 'Q'), idx(p, 'Q')),
        mul(w.dilationW * tileOf(x, 'S'), idx(p, 'S')),
        -w.padLeft,
      ),
    ),
    // First input channel, output channel and image of the tile.
    let_(
      `${p}c0`,
      add(mul((w.C / w.groups) * tileOf(x, 'G'), groupOf(x, p)), mul(tileOf(x, 'C'), idx(p, 'C'))),
    ),
    let_(
      `${p}k0`,
      add(mul((w.K / w.groups) * tileOf(x, 'G'), groupOf(x, p)), mul(tileOf(x, 'K'), idx(p, 'K'))),
    ),
    let_(`${p}n0`, mul(tileOf(x, 'N'), idx(p, 'N'))),
    // Channels of the tile and their blocks: input (ech) and output (eoc). On the diagonal path
    // both are the tile's groups.
    let_(`${p}ech`, x.l.diag ? v(`${p}eG`) : v(`${p}eC`)),
    let_(`${p}bch`, x.l.diag ? v(`${p}bG`) : v(`${p}bC`)),
    let_(`${p}eoc`, x.l.diag ? v(`${p}eG`) : v(`${p}eK`)),
    let_(`${p}boc`, x.l.diag ? v(`${p}bG`) : v(`${p}bK`)),
  );
  return out;
}

/** Input tile loads: per image, input row, channel group and DIM-column chunk; padding as zeros. */
function inputLoads(x: Ctx, p: string): MemOps {
  const { w, l, dim } = x;
  const span = x.groupSp * dim;
  const groups = ceilDiv(v(`${p}ech`), span);
  const chunks = ceilDiv(v(`${p}icols`), dim);
  const mvin = (from: Expr, to: Expr, zero: boolean): Stmt =>
    if_(lt(from, to), [
      instr('mvin', {
        slot: c(0),
        dram: zero
          ? c(0)
          : add(
              v('input'),
              mul(
                w.C,
                add(
                  mul(w.W, add(mul(w.H, add(v(`${p}n0`), v('xn'))), v('xh'))),
                  v(`${p}w0`),
                  mul(l.colStep, from),
                ),
              ),
              v(`${p}c0`),
              mul(span, v('xg')),
            ),
        dst: {
          addr: add(
            v(`${p}base_input`),
            mul(l.inPixels * x.groupSp, v('xg')),
            mul(l.inCols, add(mul(l.inRows, v('xn')), v('xr'))),
            from,
          ),
          rows: sub(to, from),
          cols: min(span, sub(v(`${p}ech`), mul(span, v('xg')))),
        },
      }),
    ]);
  return {
    count: mul(v(`${p}eN`), v(`${p}irows`), groups, chunks),
    emit: (f) => [
      ...digits(f, ['xn', 'xr', 'xg', 'xc'], [v(`${p}eN`), v(`${p}irows`), groups, chunks]),
      let_('xh', add(v(`${p}h0`), mul(l.rowStep, v('xr')))),
      let_('xa', mul(dim, v('xc'))),
      let_('xb', min(v(`${p}icols`), add(v('xa'), dim))),
      // Columns of the tile inside the image: [lo, hi).
      let_('xlo', max(v('xa'), min(v('xb'), ceilDiv(sub(0, v(`${p}w0`)), l.colStep)))),
      let_('xhi', max(v('xlo'), min(v('xb'), ceilDiv(sub(w.W, v(`${p}w0`)), l.colStep)))),
      if_(
        or(lt(v('xh'), 0), le_(w.H, v('xh'))),
        [mvin(v('xa'), v('xb'), true)],
        [
          mvin(v('xa'), v('xlo'), true),
          mvin(v('xlo'), v('xhi'), false),
          mvin(v('xhi'), v('xb'), true),
        ],
      ),
    ],
  };
}

const le_ = (a: number, b: Expr): Cond => ({ kind: 'le', a: c(a), b });

/**
 * Diagonal weight blocks of the tile: per kernel position and block of DIM groups, one DIM×DIM block
 * of the packed weights (packDiagonalWeights), DIM bytes a row.
 */
function diagonalWeightLoads(x: Ctx, p: string): MemOps {
  const { w, l, dim } = x;
  const blocks = Math.ceil(w.groups / dim);
  return {
    count: mul(v(`${p}eR`), v(`${p}eS`), v(`${p}bch`)),
    emit: (f) => [
      ...digits(f, ['wr', 'ws', 'wc'], [v(`${p}eR`), v(`${p}eS`), v(`${p}bch`)]),
      let_('wn', min(dim, sub(v(`${p}ech`), mul(dim, v('wc'))))),
      instr('mvin', {
        slot: c(1),
        dram: add(
          v('weight'),
          mul(
            dim * dim,
            add(
              mul(
                blocks,
                add(
                  mul(w.S, add(mul(tileOf(x, 'R'), idx(p, 'R')), v('wr'))),
                  mul(tileOf(x, 'S'), idx(p, 'S')),
                  v('ws'),
                ),
              ),
              div(v(`${p}c0`), dim),
              v('wc'),
            ),
          ),
        ),
        dst: {
          addr: add(
            v(`${p}base_weight`),
            mul(dim, add(mul(l.channelBlocks, add(mul(l.t.S, v('wr')), v('ws'))), v('wc'))),
          ),
          rows: v('wn'),
          cols: v('wn'),
        },
      }),
    ],
  };
}

/** Weight blocks of the tile: per kernel position, channel block and output-channel group. */
function weightLoads(x: Ctx, p: string): MemOps {
  if (x.l.diag) return diagonalWeightLoads(x, p);
  const { w, l, dim } = x;
  const span = x.groupSp * dim;
  const groups = ceilDiv(v(`${p}eK`), span);
  return {
    count: mul(v(`${p}eR`), v(`${p}eS`), v(`${p}bC`), groups),
    emit: (f) => [
      ...digits(f, ['wr', 'ws', 'wc', 'wg'], [v(`${p}eR`), v(`${p}eS`), v(`${p}bC`), groups]),
      instr('mvin', {
        slot: c(1),
        dram: add(
          v('weight'),
          mul(
            w.K,
            add(
              mul(
                w.C / w.groups,
                add(
                  mul(w.S, add(mul(tileOf(x, 'R'), idx(p, 'R')), v('wr'))),
                  mul(tileOf(x, 'S'), idx(p, 'S')),
                  v('ws'),
                ),
              ),
              mul(tileOf(x, 'C'), idx(p, 'C')),
              mul(dim, v('wc')),
            ),
          ),
          v(`${p}k0`),
          mul(span, v('wg')),
        ),
        dst: {
          addr: add(
            v(`${p}base_weight`),
            mul(l.weightRegion * x.groupSp, v('wg')),
            mul(l.t.C, add(mul(l.t.S, v('wr')), v('ws'))),
            mul(dim, v('wc')),
          ),
          rows: min(dim, sub(v(`${p}eC`), mul(dim, v('wc')))),
          cols: min(span, sub(v(`${p}eK`), mul(span, v('wg')))),
        },
      }),
    ],
  };
}

/** Accumulator row of output block (n, p, column block, output-channel block) at step prefix q. */
function outRow(x: Ctx, q: string, n: Expr, p: Expr, qb: Expr, kb: Expr): Expr {
  const l = x.l;
  return add(
    v(`${q}base_output`),
    mul(l.outRegion, kb),
    mul(l.t.Q, add(mul(l.t.P, n), p)),
    mul(x.dim, qb),
  );
}

/** Per output block of the tile: bias mvins (init) or mvouts (stores). */
function outputOps(x: Ctx, q: string, kind: 'bias' | 'store'): MemOps {
  const { w, l, dim } = x;
  const group = kind === 'bias' ? x.groupAcc : x.groupOut;
  const span = group * dim;
  const groups = ceilDiv(v(`${q}eoc`), span);
  const pixel = add(
    mul(l.Q, add(mul(l.P, add(v(`${q}n0`), v('on'))), mul(tileOf(x, 'P'), idx(q, 'P')), v('op'))),
    mul(tileOf(x, 'Q'), idx(q, 'Q')),
    mul(dim, v('oq')),
  );
  const local = {
    addr: add(accFlag, outRow(x, q, v('on'), v('op'), v('oq'), mul(group, v('og')))),
    rows: min(dim, sub(v(`${q}eQ`), mul(dim, v('oq')))),
    cols: min(span, sub(v(`${q}eoc`), mul(span, v('og')))),
  };
  const channel = add(v(`${q}k0`), mul(span, v('og')));
  return {
    count: mul(v(`${q}eN`), v(`${q}eP`), v(`${q}bQ`), groups),
    emit: (f) => [
      ...digits(f, ['on', 'op', 'oq', 'og'], [v(`${q}eN`), v(`${q}eP`), v(`${q}bQ`), groups]),
      kind === 'bias'
        ? instr('mvin', { slot: c(2), dram: add(v('bias'), mul(4, channel)), dst: local })
        : instr('mvout', { dram: add(v('output'), mul(w.K, pixel), channel), src: local }),
    ],
  };
}

/** The step's blocks: A (input rows), B (weights), C (accumulator) for the current loop variables. */
function operands(x: Ctx, first: Cond) {
  const { w, l, dim } = x;
  const rows = min(dim, sub(v('ceQ'), mul(dim, v('qb'))));
  const chans = min(dim, sub(v('cech'), mul(dim, v('cb'))));
  const outs = min(dim, sub(v('ceoc'), mul(dim, v('kb'))));
  const a = {
    addr: add(
      v('cbase_input'),
      mul(l.inPixels, v('cb')),
      mul(
        l.inCols,
        add(
          mul(l.inRows, v('n')),
          w.R === 1 ? v('p') : add(mul(w.strideH, v('p')), mul(w.dilationH, v('r'))),
        ),
      ),
      w.S === 1 ? mul(dim, v('qb')) : mul(dim * w.strideW, v('qb')),
      mul(w.dilationW, v('ks')),
    ),
    rows,
    cols: chans,
  };
  const b = {
    addr: l.diag
      ? add(
          v('cbase_weight'),
          mul(dim, add(mul(l.channelBlocks, add(mul(l.t.S, v('r')), v('ks'))), v('cb'))),
        )
      : add(
          v('cbase_weight'),
          mul(l.weightRegion, v('kb')),
          mul(l.t.C, add(mul(l.t.S, v('r')), v('ks'))),
          mul(dim, v('cb')),
        ),
    rows: chans,
    cols: outs,
  };
  const cOp = {
    addr: add(
      accFlag,
      select(first, 0, accumulateFlag),
      outRow(x, 'c', v('n'), v('p'), v('qb'), v('kb')),
    ),
    rows,
    cols: outs,
  };
  return { a, b, cOp };
}

function computeBlocks(x: Ctx, segments: readonly Segment[]): Stmt[] {
  const firstDram = and(
    ...(['C', 'R', 'S'] as const).map((d) => eq(idx('c', d), 0)),
    bool(!x.w.bias),
  );
  const diag = x.l.diag;
  // On the diagonal path a weight block's output channels are its input channels: kb = cb.
  const weightBlock = (index: Expr): Stmt[] =>
    diag
      ? [...digits(index, ['cb', 'r', 'ks'], [v('cbch'), v('ceR'), v('ceS')]), let_('kb', v('cb'))]
      : digits(index, ['kb', 'r', 'ks', 'cb'], [v('cboc'), v('ceR'), v('ceS'), v('cbch')]);
  if (x.m.dataflow === 'weight-stationary') {
    const G = diag
      ? mul(v('cbch'), v('ceR'), v('ceS'))
      : mul(v('cboc'), v('ceR'), v('ceS'), v('cbch'));
    const first = and(firstDram, eq(v('r'), 0), eq(v('ks'), 0), diag ? bool(true) : eq(v('cb'), 0));
    const { a, b, cOp } = operands(x, first);
    const isFirstPixel = and(eq(v('n'), 0), eq(v('p'), 0), eq(v('qb'), 0));
    return [
      loop('wb', 0, G, 1, [
        ...weightBlock(v('wb')),
        loop('n', 0, v('ceN'), 1, [
          loop('p', 0, v('ceP'), 1, [
            loop('qb', 0, v('cbQ'), 1, [
              ...chunk(
                segments,
                'nmem',
                add(
                  mul(add(mul(add(mul(v('wb'), v('ceN')), v('n')), v('ceP')), v('p')), v('cbQ')),
                  v('qb'),
                ),
                mul(G, v('ceN'), v('ceP'), v('cbQ')),
              ),
              if_(
                isFirstPixel,
                [
                  instr('preload', { bd: b, c: cOp }),
                  instr('compute', { accumulated: bool(false), a, bd: garbage }),
                ],
                [
                  instr('preload', { bd: garbage, c: cOp }),
                  instr('compute', { accumulated: bool(true), a, bd: garbage }),
                ],
              ),
            ]),
          ]),
        ]),
      ]),
    ];
  }
  const G = mul(v('ceN'), v('ceP'), v('cbQ'), v('cboc'));
  const RB = diag ? mul(v('ceR'), v('ceS')) : mul(v('ceR'), v('ceS'), v('cbch'));
  const { a, b, cOp } = operands(x, firstDram);
  return [
    loop('ob', 0, G, 1, [
      ...digits(v('ob'), ['n', 'p', 'qb', 'kb'], [v('ceN'), v('ceP'), v('cbQ'), v('cboc')]),
      loop('rb', 0, RB, 1, [
        ...(diag
          ? [...digits(v('rb'), ['r', 'ks'], [v('ceR'), v('ceS')]), let_('cb', v('kb'))]
          : digits(v('rb'), ['r', 'ks', 'cb'], [v('ceR'), v('ceS'), v('cbch')])),
        ...chunk(segments, 'nmem', add(mul(v('ob'), RB), v('rb')), mul(G, RB)),
        if_(
          eq(v('rb'), sub(RB, 1)),
          [instr('preload', { bd: garbage, c: cOp })],
          [instr('preload', { bd: garbage, c: garbage })],
        ),
        instr('compute', { accumulated: ne(v('rb'), 0), a, bd: b }),
      ]),
    ]),
  ];
}

function configs(x: Ctx, options: LowerOptions): Stmt[] {
  const { w, l } = x;
  return preamble({
    dataflow: x.m.dataflow,
    aStride: w.S === 1 ? 1 : w.strideW,
    relu: w.activation === 'relu',
    outRowBytes: w.K,
    scale: options.scale,
    loads: [
      { dramStride: w.C * l.colStep, blockStride: l.inPixels },
      l.diag
        ? { dramStride: x.dim, blockStride: x.dim }
        : { dramStride: w.K, blockStride: l.weightRegion },
      { dramStride: 0, blockStride: l.outRegion },
    ],
  });
}

export function lowerConv(w: ConvWorkload, m: Mapping, spec: Spec, options: LowerOptions): Program {
  const dim = spec.array.rows;
  const s = tileSchedule(loopNest(w), m);
  const l = convLayout(w, m, spec);
  const x: Ctx = {
    w,
    m,
    s,
    l,
    dim,
    groupSp: Math.max(1, Math.floor(spec.dram.maxTransferBytes / dim)),
    groupAcc: Math.max(1, Math.floor(spec.dram.maxTransferBytes / (4 * dim))),
    groupOut: l.outRegion === dim ? Math.max(1, Math.floor(spec.dram.maxTransferBytes / dim)) : 1,
  };
  const lastOf = (d: Dim): number => (s.trips[d] ?? 1) - 1;
  const reduction = ['C', 'R', 'S'] as const;
  const body: Stmt[] = [...configs(x, options)];
  body.push(
    ...pipelinedSteps({
      steps: s.steps,
      lets: (p, step) => stepLets(x, p, step),
      loads: [
        {
          name: 'input',
          doubleBuffered: m.doubleBuffer.input,
          period: s.period.input,
          loads: (p) => inputLoads(x, p),
        },
        {
          name: 'weight',
          doubleBuffered: m.doubleBuffer.weight,
          period: s.period.weight,
          loads: (p) => weightLoads(x, p),
        },
      ],
      output: {
        doubleBuffered: m.doubleBuffer.output,
        init: w.bias ? (p) => outputOps(x, p, 'bias') : null,
        stores: (p) => outputOps(x, p, 'store'),
        first: (p) => and(...reduction.map((d) => eq(idx(p, d), 0))),
        last: (p) => and(...reduction.map((d) => eq(idx(p, d), lastOf(d)))),
      },
      compute: (segments) => computeBlocks(x, segments),
    }),
  );
  body.push(fence);
  const { P, Q } = l;
  return {
    name: w.name,
    buffers: [
      { name: 'input', bytes: w.N * w.H * w.W * w.C, role: 'input' },
      {
        name: 'weight',
        bytes: l.diag
          ? w.R * w.S * Math.ceil(w.groups / dim) * dim * dim
          : w.R * w.S * (w.C / w.groups) * w.K,
        role: 'weight',
      },
      ...(w.bias ? [{ name: 'bias', bytes: 4 * w.K, role: 'bias' } as const] : []),
      { name: 'output', bytes: w.N * P * Q * w.K, role: 'output' },
    ],
    body,
  };
}
