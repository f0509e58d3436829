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
  type Buffer,
  type Expr,
  type Program,
  type Stmt,
} from '../../program/program.js';
import {
  chunk,
  copyBaseLets,
  digits,
  nmem,
  pipelinedSteps,
  stepLets as sharedStepLets,
  stepLocals,
  stepVars,
  type MemOps,
  type Segment,
  type StepVars,
} from '../../program/steps.js';
import type { Mapping } from '../../mapping/mapping.js';
import { tileSchedule, type TileSchedule } from '../../mapping/tile_schedule.js';
import type { Spec } from '../../spec/spec.js';
import type { LowerOptions } from '../../contract/target.js';
import { convPadValue, loopNest } from '../../workload/shape.js';
import type { ConvWorkload, Dim } from '../../workload/workload.js';
import { convLayout, foldedPixels, type ConvLayout } from './conv_layout.js';
import { accFlag, accumulateFlag, garbage, preloadCompute, preamble } from './lower_common.js';

/**
 * A conv mapping as a Gemmini program: implicit im2col straight from the NHWC input. A step loads an
 * input tile with its halo (padding written as zeros by mvins from address 0, or, when the padding
 * reads a value, by mvins from a small buffer filled with it: `padBuffer`), the weight blocks and
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
  /** Kernel columns one pass reduces over (conv_fold.ts); 1 unless the mapping folds them. */
  readonly pixels: number;
}

const tileOf = (x: Ctx, d: Dim): number => x.s.tile[d] ?? 1;
/** The group index of a step (0 without groups). */
const groupOf = (x: Ctx, at: StepVars): Expr => (x.w.groups > 1 ? at.index.G : c(0));
/**
 * The conv's own lets of a step: the input tile's rows and columns with halo (`irows`, `icols`) and
 * where it starts in the image (`h0`, `w0`); the tile's first input channel, output channel and image
 * (`c0`, `k0`, `n0`); its input channels and their blocks (`ech`, `bch`) and output channels
 * (`eoc`, `boc`).
 */
const tileLets = stepLocals([
  ...['irows', 'icols', 'h0', 'w0', 'c0', 'k0', 'n0'],
  ...['ech', 'bch', 'eoc', 'boc'],
] as const);

function stepLets(x: Ctx, at: StepVars, step: Expr): Stmt[] {
  const w = x.w;
  const tile = tileLets[at.prefix];
  const copies = (t: 'input' | 'weight' | 'output') => ({ ...x.l[t], period: x.s.period[t] });
  const out = sharedStepLets(x.s, at, step, x.dim);
  out.push(
    ...copyBaseLets(at, {
      input: copies('input'),
      weight: copies('weight'),
      output: copies('output'),
    }),
    // The input tile: rows × columns with halo, and where it starts in the (unpadded) image.
    let_(
      tile.irows,
      w.R === 1
        ? at.extent.P
        : add(mul(w.strideH, sub(at.extent.P, 1)), mul(w.dilationH, sub(at.extent.R, 1)), 1),
    ),
    let_(
      tile.icols,
      w.S === 1
        ? at.extent.Q
        : add(mul(w.strideW, sub(at.extent.Q, 1)), mul(w.dilationW, sub(at.extent.S, 1)), 1),
    ),
    let_(
      tile.h0,
      add(
        mul(w.strideH * tileOf(x, 'P'), at.index.P),
        mul(w.dilationH * tileOf(x, 'R'), at.index.R),
        -w.padTop,
      ),
    ),
    let_(
      tile.w0,
      add(
        mul(w.strideW * tileOf(x, 'Q'), at.index.Q),
        mul(w.dilationW * tileOf(x, 'S'), at.index.S),
        -w.padLeft,
      ),
    ),
    // First input channel, output channel and image of the tile.
    let_(
      tile.c0,
      add(mul((w.C / w.groups) * tileOf(x, 'G'), groupOf(x, at)), mul(tileOf(x, 'C'), at.index.C)),
    ),
    let_(
      tile.k0,
      add(mul((w.K / w.groups) * tileOf(x, 'G'), groupOf(x, at)), mul(tileOf(x, 'K'), at.index.K)),
    ),
    let_(tile.n0, mul(tileOf(x, 'N'), at.index.N)),
    // Channels of the tile and their blocks: input (ech) and output (eoc). On the diagonal path
    // both are the tile's groups.
    let_(tile.ech, x.l.diag ? at.extent.G : at.extent.C),
    let_(tile.bch, x.l.diag ? at.blocks.G : at.blocks.C),
    let_(tile.eoc, x.l.diag ? at.extent.G : at.extent.K),
    let_(tile.boc, x.l.diag ? at.blocks.G : at.blocks.K),
  );
  return out;
}

/**
 * The DRAM buffer padding is loaded from when it reads a non-zero value: every byte that value, as
 * many as one padding mvin reads (at most DIM rows, the input slot's row stride apart, each up to
 * a channel group wide), rounded up to whole words. Null when padding is zeros (mvins from address
 * 0 write zeros without reading DRAM, as the hardware's own loops do: ucb-bar/gemmini
 * src/main/scala/gemmini/LoopConv.scala, `is_zeros`).
 */
function padBuffer(w: ConvWorkload, l: ConvLayout, span: number): Buffer | null {
  const value = convPadValue(w);
  if (value === 0) return null;
  const bytes = (l.dim - 1) * w.C * l.colStep + Math.min(span, w.C);
  const words = Math.ceil(bytes / 4);
  const word = (value & 0xff) * 0x01010101;
  return {
    name: 'pad',
    bytes: 4 * words,
    role: 'constant',
    contents: new Array<number>(words).fill(word | 0),
  };
}

/** Input tile loads: per image, input row, channel group and DIM-column chunk, then the padding. */
function inputLoads(x: Ctx, at: StepVars): MemOps {
  const tile = tileLets[at.prefix];
  const { w, l, dim } = x;
  const span = x.groupSp * dim;
  const groups = ceilDiv(tile.ech, span);
  const chunks = ceilDiv(tile.icols, dim);
  const padFrom = convPadValue(w) === 0 ? c(0) : v('pad');
  const mvin = (from: Expr, to: Expr, pad: boolean): Stmt =>
    if_(lt(from, to), [
      instr('mvin', {
        slot: c(0),
        dram: pad
          ? padFrom
          : add(
              v('input'),
              mul(
                w.C,
                add(
                  mul(w.W, add(mul(w.H, add(tile.n0, v('xn'))), v('xh'))),
                  tile.w0,
                  mul(l.colStep, from),
                ),
              ),
              tile.c0,
              mul(span, v('xg')),
            ),
        dst: {
          addr: add(
            at.base.input,
            mul(l.inPixels * x.groupSp, v('xg')),
            mul(l.inCols, add(mul(l.inRows, v('xn')), v('xr'))),
            from,
          ),
          rows: sub(to, from),
          cols: min(span, sub(tile.ech, mul(span, v('xg')))),
        },
      }),
    ]);
  return {
    count: mul(at.extent.N, tile.irows, groups, chunks),
    emit: (f) => [
      ...digits(f, ['xn', 'xr', 'xg', 'xc'], [at.extent.N, tile.irows, groups, chunks]),
      let_('xh', add(tile.h0, mul(l.rowStep, v('xr')))),
      let_('xa', mul(dim, v('xc'))),
      let_('xb', min(tile.icols, add(v('xa'), dim))),
      // Columns of the tile inside the image: [lo, hi).
      let_('xlo', max(v('xa'), min(v('xb'), ceilDiv(sub(0, tile.w0), l.colStep)))),
      let_('xhi', max(v('xlo'), min(v('xb'), ceilDiv(sub(w.W, tile.w0), l.colStep)))),
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
function diagonalWeightLoads(x: Ctx, at: StepVars): MemOps {
  const tile = tileLets[at.prefix];
  const { w, l, dim } = x;
  const blocks = Math.ceil(w.groups / dim);
  return {
    count: mul(at.extent.R, at.extent.S, tile.bch),
    emit: (f) => [
      ...digits(f, ['wr', 'ws', 'wc'], [at.extent.R, at.extent.S, tile.bch]),
      let_('wn', min(dim, sub(tile.ech, mul(dim, v('wc'))))),
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
                  mul(w.S, add(mul(tileOf(x, 'R'), at.index.R), v('wr'))),
                  mul(tileOf(x, 'S'), at.index.S),
                  v('ws'),
                ),
              ),
              div(tile.c0, dim),
              v('wc'),
            ),
          ),
        ),
        dst: {
          addr: add(
            at.base.weight,
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
function weightLoads(x: Ctx, at: StepVars): MemOps {
  if (x.l.diag) return diagonalWeightLoads(x, at);
  const tile = tileLets[at.prefix];
  const { w, l, dim } = x;
  const span = x.groupSp * dim;
  const groups = ceilDiv(at.extent.K, span);
  return {
    count: mul(at.extent.R, at.extent.S, at.blocks.C, groups),
    emit: (f) => [
      ...digits(f, ['wr', 'ws', 'wc', 'wg'], [at.extent.R, at.extent.S, at.blocks.C, groups]),
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
                  mul(w.S, add(mul(tileOf(x, 'R'), at.index.R), v('wr'))),
                  mul(tileOf(x, 'S'), at.index.S),
                  v('ws'),
                ),
              ),
              mul(tileOf(x, 'C'), at.index.C),
              mul(dim, v('wc')),
            ),
          ),
          tile.k0,
          mul(span, v('wg')),
        ),
        dst: {
          addr: add(
            at.base.weight,
            mul(l.weightRegion * x.groupSp, v('wg')),
            mul(l.t.C, add(mul(l.t.S, v('wr')), v('ws'))),
            mul(dim, v('wc')),
          ),
          rows: min(dim, sub(at.extent.C, mul(dim, v('wc')))),
          cols: min(span, sub(at.extent.K, mul(span, v('wg')))),
        },
      }),
    ],
  };
}

/** Accumulator row of output block (n, p, column block, output-channel block) at step prefix q. */
function outRow(x: Ctx, at: StepVars, n: Expr, p: Expr, qb: Expr, kb: Expr): Expr {
  const l = x.l;
  return add(
    at.base.output,
    mul(l.outRegion, kb),
    mul(l.t.Q, add(mul(l.t.P, n), p)),
    mul(x.dim, qb),
  );
}

/** Per output block of the tile: bias mvins (init) or mvouts (stores). */
function outputOps(x: Ctx, at: StepVars, kind: 'bias' | 'store'): MemOps {
  const tile = tileLets[at.prefix];
  const { w, l, dim } = x;
  const group = kind === 'bias' ? x.groupAcc : x.groupOut;
  const span = group * dim;
  const groups = ceilDiv(tile.eoc, span);
  const pixel = add(
    mul(l.Q, add(mul(l.P, add(tile.n0, v('on'))), mul(tileOf(x, 'P'), at.index.P), v('op'))),
    mul(tileOf(x, 'Q'), at.index.Q),
    mul(dim, v('oq')),
  );
  const local = {
    addr: add(accFlag, outRow(x, at, v('on'), v('op'), v('oq'), mul(group, v('og')))),
    rows: min(dim, sub(at.extent.Q, mul(dim, v('oq')))),
    cols: min(span, sub(tile.eoc, mul(span, v('og')))),
  };
  const channel = add(tile.k0, mul(span, v('og')));
  return {
    count: mul(at.extent.N, at.extent.P, at.blocks.Q, groups),
    emit: (f) => [
      ...digits(f, ['on', 'op', 'oq', 'og'], [at.extent.N, at.extent.P, at.blocks.Q, groups]),
      kind === 'bias'
        ? instr('mvin', { slot: c(2), dram: add(v('bias'), mul(4, channel)), dst: local })
        : instr('mvout', { dram: add(v('output'), mul(w.K, pixel), channel), src: local }),
    ],
  };
}

/** The step's blocks: A (input rows), B (weights), C (accumulator) for the current loop variables. */
function operands(x: Ctx, first: Cond) {
  const { w, l, dim } = x;
  const cur = stepVars.c;
  const tile = tileLets.c;
  const rows = min(dim, sub(cur.extent.Q, mul(dim, v('qb'))));
  const channels = min(dim, sub(tile.ech, mul(dim, v('cb'))));
  // Folded: p kernel columns of C channels each, fewer in the tile's last column group.
  const chans =
    x.pixels === 1 ? channels : mul(min(x.pixels, sub(cur.extent.S, v('ks'))), channels);
  const outs = min(dim, sub(tile.eoc, mul(dim, v('kb'))));
  const a = {
    addr: add(
      cur.base.input,
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
          cur.base.weight,
          mul(dim, add(mul(l.channelBlocks, add(mul(l.t.S, v('r')), v('ks'))), v('cb'))),
        )
      : add(
          cur.base.weight,
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
      outRow(x, cur, v('n'), v('p'), v('qb'), v('kb')),
    ),
    rows,
    cols: outs,
  };
  return { a, b, cOp };
}

function computeBlocks(x: Ctx, segments: readonly Segment[]): Stmt[] {
  const cur = stepVars.c;
  const tile = tileLets.c;
  const firstDram = and(
    ...(['C', 'R', 'S'] as const).map((d) => eq(cur.index[d], 0)),
    bool(!x.w.bias),
  );
  const diag = x.l.diag;
  // Kernel-column groups of a pass: each kernel column, or p of them when folded (conv_fold.ts).
  const folded = x.pixels > 1;
  const cols = folded ? ceilDiv(cur.extent.S, x.pixels) : cur.extent.S;
  const col = folded ? 'kg' : 'ks';
  const colStart = folded ? [let_('ks', mul(x.pixels, v('kg')))] : [];
  // On the diagonal path a weight block's output channels are its input channels: kb = cb.
  const weightBlock = (index: Expr): Stmt[] =>
    diag
      ? [
          ...digits(index, ['cb', 'r', 'ks'], [tile.bch, cur.extent.R, cur.extent.S]),
          let_('kb', v('cb')),
        ]
      : [
          ...digits(index, ['kb', 'r', col, 'cb'], [tile.boc, cur.extent.R, cols, tile.bch]),
          ...colStart,
        ];
  if (x.m.dataflow === 'weight-stationary') {
    const G = diag
      ? mul(tile.bch, cur.extent.R, cur.extent.S)
      : mul(tile.boc, cur.extent.R, cols, tile.bch);
    const first = and(firstDram, eq(v('r'), 0), eq(v('ks'), 0), diag ? bool(true) : eq(v('cb'), 0));
    const { a, b, cOp } = operands(x, first);
    const isFirstPixel = and(eq(v('n'), 0), eq(v('p'), 0), eq(v('qb'), 0));
    return [
      loop('wb', 0, G, 1, [
        ...weightBlock(v('wb')),
        loop('n', 0, cur.extent.N, 1, [
          loop('p', 0, cur.extent.P, 1, [
            loop('qb', 0, cur.blocks.Q, 1, [
              ...chunk(
                segments,
                nmem,
                add(
                  mul(
                    add(mul(add(mul(v('wb'), cur.extent.N), v('n')), cur.extent.P), v('p')),
                    cur.blocks.Q,
                  ),
                  v('qb'),
                ),
                mul(G, cur.extent.N, cur.extent.P, cur.blocks.Q),
              ),
              preloadCompute(isFirstPixel, b, cOp, a),
            ]),
          ]),
        ]),
      ]),
    ];
  }
  const G = mul(cur.extent.N, cur.extent.P, cur.blocks.Q, tile.boc);
  const RB = diag ? mul(cur.extent.R, cur.extent.S) : mul(cur.extent.R, cols, tile.bch);
  const { a, b, cOp } = operands(x, firstDram);
  return [
    loop('ob', 0, G, 1, [
      ...digits(
        v('ob'),
        ['n', 'p', 'qb', 'kb'],
        [cur.extent.N, cur.extent.P, cur.blocks.Q, tile.boc],
      ),
      loop('rb', 0, RB, 1, [
        ...(diag
          ? [...digits(v('rb'), ['r', 'ks'], [cur.extent.R, cur.extent.S]), let_('cb', v('kb'))]
          : [...digits(v('rb'), ['r', col, 'cb'], [cur.extent.R, cols, tile.bch]), ...colStart]),
        ...chunk(segments, nmem, add(mul(v('ob'), RB), v('rb')), mul(G, RB)),
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
      { dramStride: w.C * l.colStep, blockStride: l.inPixels, pixelRepeats: x.pixels },
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
    pixels: foldedPixels(w, m, dim),
  };
  const lastOf = (d: Dim): number => (s.trips[d] ?? 1) - 1;
  const reduction = ['C', 'R', 'S'] as const;
  const body: Stmt[] = [...configs(x, options)];
  body.push(
    ...pipelinedSteps({
      steps: s.steps,
      lets: (at, step) => stepLets(x, at, step),
      loads: [
        {
          name: 'input',
          doubleBuffered: m.doubleBuffer.input,
          period: s.period.input,
          loads: (at) => inputLoads(x, at),
        },
        {
          name: 'weight',
          doubleBuffered: m.doubleBuffer.weight,
          period: s.period.weight,
          loads: (at) => weightLoads(x, at),
        },
      ],
      output: {
        doubleBuffered: m.doubleBuffer.output,
        init: w.bias ? (at) => outputOps(x, at, 'bias') : null,
        stores: (at) => outputOps(x, at, 'store'),
        first: (at) => and(...reduction.map((d) => eq(at.index[d], 0))),
        last: (at) => and(...reduction.map((d) => eq(at.index[d], lastOf(d)))),
      },
      compute: (segments) => computeBlocks(x, segments),
    }),
  );
  body.push(fence);
  const { P, Q } = l;
  const pad = padBuffer(w, l, x.groupSp * dim);
  return {
    name: w.name,
    buffers: [
      { name: 'input', bytes: w.N * w.H * w.W * w.C, role: 'input' },
      ...(pad === null ? [] : [pad]),
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
