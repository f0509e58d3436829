import {
  add,
  and,
  bool,
  c,
  div,
  eq,
  if_,
  instr,
  le,
  let_,
  loop,
  lt,
  min,
  mod,
  mul,
  not,
  select,
  sub,
  v,
  type Arg,
  type Cond,
  type Expr,
  type Program,
  type Stmt,
} from '../../program/program.js';
import {
  copyBaseLets,
  inputWindowLets,
  reductionEdge as reductionEdgeOf,
  stepLets,
  stepLocals,
  stepVars,
  type StepTensor,
  type StepVars,
} from '../../program/steps.js';
import { shiftOf } from '../../reference/requantize.js';
import type { Mapping } from '../../mapping/mapping.js';
import type { Spec } from '../../spec/spec.js';
import type { LowerOptions } from '../../contract/target.js';
import type { Workload } from '../../workload/workload.js';
import { Alu, encodeUop, fieldsOf, flagFields, Mem, vtaConfig, type Kind } from './instr.js';
import {
  alternating,
  copyEntries,
  kernels,
  rowKernels,
  view,
  type VDim,
  type View,
} from './layout.js';

/**
 * A mapping as a VTA program (docs/vta.md §4, §5). Step s of the tile schedule: the load module brings in
 * the input windows and the weight blocks that are due, compute resets the accumulators (or loads
 * the bias) on the first reduction step, runs the step's micro-op kernel by GEMM, and on the
 * last one requantizes by ALU (rounding shift, clip) before the store module writes the output. One
 * token per step goes load→compute, compute→load frees the buffers (two credits when the reloaded
 * tensors are double-buffered: loads of step s+1 overlap compute of step s), compute→store and
 * store→compute do the same per output tile. Micro-op kernels (one per tile class and buffer copy)
 * are DRAM data loaded once.
 */

/** What every part of the lowering reads: the workload, its conv view and the buffer plan. */
interface Ctx {
  readonly w: Workload;
  readonly x: View;
  readonly alt: ReturnType<typeof alternating>;
  readonly kernels: ReturnType<typeof kernels>;
  /** Compute→load credits (docs/vta.md §4.3): 2 when the next step's loads overlap this compute. */
  readonly loadCredits: number;
  /** Store→compute credits: 2 when the output is double-buffered and stored more than once. */
  readonly storeCredits: number;
  readonly options: LowerOptions;
}

/** A step's input window along each axis: first row, entries, LOAD pads and DRAM entries. */
const windowLets = stepLocals([
  ...['ylo', 'yt', 'yPad0', 'yPad1', 'ySize'],
  ...['xlo', 'xt', 'xPad0', 'xPad1', 'xSize'],
] as const);

/** An instruction with every field not given 0 (false for flags). */
function op(kind: Kind, fields: Record<string, Arg>): Stmt {
  const zero = (name: string): Arg => (flagFields.has(name) ? bool(false) : c(0));
  return instr(kind, {
    ...Object.fromEntries(fieldsOf(kind).map((name) => [name, zero(name)])),
    ...fields,
  });
}

/** Entry `first`, then each [index, extent] in Horner form, of a blocked DRAM tensor at `base`. */
function entry(base: Expr, first: Expr, ...rest: [Expr, number][]): Expr {
  return add(
    base,
    rest.reduce<Expr>((at, [i, n]) => add(mul(at, n), i), first),
  );
}

/** The ALU steps of requantization by 2^-shift, exact (see reference/requantize.ts), then clip. */
export function epilogue(shift: number, relu: boolean): [number, number][] {
  const ops: [number, number][] = [];
  if (shift === 1) ops.push([Alu.add, 1], [Alu.shr, 1]);
  if (shift >= 2) {
    const k = Math.max(1, shift - 15);
    ops.push([Alu.shr, k], [Alu.add, 2 ** (shift - 1 - k)], [Alu.shr, shift - k]);
  }
  ops.push([Alu.max, relu ? 0 : -128], [Alu.min, 127]);
  return ops;
}

const viewDims = ['N', 'K', 'C', 'P', 'Q', 'R', 'S'] as const;

/**
 * A step's tile in the view's dims: handles on its lets (`at`), its tile index and extent per view
 * dim (0 and the whole dim for a GEMM's missing dims), its group (`grouped` mode, else 0), the
 * blocks of its C and K tile and of the weights' C (1 on diagonal blocks), and its input window.
 */
interface Tile {
  readonly at: StepVars;
  readonly index: { readonly [D in VDim]: Expr };
  readonly extent: { readonly [D in VDim]: Expr };
  readonly group: Expr;
  readonly blocks: { readonly C: Expr; readonly K: Expr; readonly wC: Expr };
  readonly win: (typeof windowLets)[StepVars['prefix']];
}

function tileOf(x: View, at: StepVars): Tile {
  const index: Partial<Record<VDim, Expr>> = {};
  const extent: Partial<Record<VDim, Expr>> = {};
  for (const d of viewDims) {
    const dim = x.dim[d];
    index[d] = dim === null ? c(0) : at.index[dim];
    extent[d] = dim === null ? c(x[d]) : at.extent[dim];
  }
  const blocksOf = (d: 'C' | 'K'): Expr => {
    const dim = x.dim[d];
    return dim === null ? c(0) : at.blocks[dim];
  };
  return {
    at,
    // The loop above set every view dim.
    index: index as Tile['index'],
    extent: extent as Tile['extent'],
    group: x.mode === 'grouped' ? at.index.G : c(0),
    blocks: {
      C: blocksOf('C'),
      K: blocksOf('K'),
      wC: x.mode === 'diagonal' ? c(1) : blocksOf('C'),
    },
    win: windowLets[at.prefix],
  };
}

/** Block `k` of a step's C or K tile, counted within its group. */
function blockInGroup(x: View, tile: Tile, d: 'C' | 'K', k: Expr): Expr {
  return add(mul(tile.index[d], d === 'C' ? x.tCb : x.tKb), k);
}

/** Block `k` of a step's C or K tile in the whole tensor: its group's blocks come first. */
function firstBlock(x: View, tile: Tile, d: 'C' | 'K', k: Expr): Expr {
  return add(mul(tile.group, x.groupBlocks[d]), blockInGroup(x, tile, d, k));
}

/** Which copy of a tensor the step uses (0 unless it alternates between two). */
function copyOf(cx: Ctx, tile: Tile, t: StepTensor): Expr {
  return cx.alt[t] ? mod(div(tile.at.step, cx.x.s.period[t]), 2) : c(0);
}

/** A step's input window along one axis (y: P and R over H; x: Q and S over W); docs/vta.md §3.3. */
function windowAxisLets(x: View, tile: Tile, axis: 'y' | 'x'): Stmt[] {
  const [o, k, stride, dilation, pad, size] =
    axis === 'y'
      ? (['P', 'R', x.sh, x.dh, x.padT, x.H] as const)
      : (['Q', 'S', x.sw, x.dw, x.padL, x.W] as const);
  const win = tile.win;
  const [lo, rows, pad0, pad1, inside] =
    axis === 'y'
      ? [win.ylo, win.yt, win.yPad0, win.yPad1, win.ySize]
      : [win.xlo, win.xt, win.xPad0, win.xPad1, win.xSize];
  const along = (d: VDim) => ({ index: tile.index[d], extent: tile.extent[d], tile: x.t[d] });
  return inputWindowLets({ lo, rows, pad0, pad1, inside }, along(o), along(k), {
    stride,
    dilation,
    pad,
    size,
  });
}

/** Every let of the tile's step: tile indices and extents, input windows, copy bases. */
function stepLetsOf(cx: Ctx, tile: Tile, step: Expr): Stmt[] {
  const { x, alt } = cx;
  const size = copyEntries(x);
  const copies = (t: StepTensor) => ({
    base: 0,
    copyRows: size[t],
    copies: alt[t] ? 2 : 1,
    period: x.s.period[t],
  });
  return [
    ...stepLets(x.s, tile.at, step, x.B),
    ...windowAxisLets(x, tile, 'y'),
    ...windowAxisLets(x, tile, 'x'),
    ...copyBaseLets(tile.at, {
      input: copies('input'),
      weight: copies('weight'),
      output: copies('output'),
    }),
  ];
}

/** Whether the step's input window meets the image (else its GEMM would add only zeros). */
function windowMeetsImage(tile: Tile): Cond {
  return and(lt(0, tile.win.ySize), lt(0, tile.win.xSize));
}

/** Load `f` of a step, for f < nin: one input channel block's window. */
function inputLoad(x: View, tile: Tile, flags: Record<string, Cond>): Stmt {
  const win = tile.win;
  const f = v('f');
  return op('load', {
    ...flags,
    memType: c(Mem.inp),
    sramBase: add(tile.at.base.input, mul(f, x.yt * x.xt)),
    dramBase: entry(
      div(v('I'), x.B),
      tile.index.N,
      [firstBlock(x, tile, 'C', f), x.inBlocks],
      [add(win.ylo, win.yPad0), x.H],
      [add(win.xlo, win.xPad0), x.W],
    ),
    xStride: c(x.W),
    ...{ ySize: win.ySize, xSize: win.xSize, yPad0: win.yPad0, yPad1: win.yPad1 },
    ...{ xPad0: win.xPad0, xPad1: win.xPad1 },
  });
}

/**
 * Load `f` of a step, for f ≥ nin: with whole filters one 2D load of the tile's K blocks × (C blocks,
 * R, S), else the (K block, C block) pair f − nin. The weights' C blocks are those of the group (one,
 * the diagonal block, on diagonal blocks).
 */
function weightLoad(x: View, tile: Tile, flags: Record<string, Cond>): Stmt {
  const whole = x.t.R === x.R && x.t.S === x.S;
  const pairIndex = sub(v('f'), v('nin'));
  const nCb = tile.blocks.wC;
  const weightBlock = (cb: Expr): Expr =>
    x.mode === 'diagonal' ? c(0) : blockInGroup(x, tile, 'C', cb);
  const [kb, cb] = whole ? [c(0), c(0)] : [div(pairIndex, nCb), mod(pairIndex, nCb)];
  const pair = add(mul(kb, nCb), cb);
  return op('load', {
    ...flags,
    memType: c(Mem.wgt),
    sramBase: add(tile.at.base.weight, mul(pair, tile.extent.R, tile.extent.S)),
    dramBase: entry(
      div(v('Wt'), x.B * x.B),
      firstBlock(x, tile, 'K', kb),
      [weightBlock(cb), x.wCb],
      [mul(tile.index.R, x.t.R), x.R],
      [mul(tile.index.S, x.t.S), x.S],
    ),
    ySize: whole ? tile.blocks.K : tile.extent.R,
    xSize: whole ? mul(nCb, x.R * x.S) : tile.extent.S,
    xStride: c(whole ? x.wCb * x.R * x.S : x.S),
  });
}

/**
 * The load group of a step: the input windows and weight blocks that are due, the last pushing
 * load→compute (a NOP LOAD when nothing is due); from step `loadCredits` on, the first pops
 * compute→load.
 */
function loadGroup(cx: Ctx, tile: Tile): Stmt[] {
  const x = cx.x;
  const due = (t: 'input' | 'weight'): Cond => eq(mod(tile.at.step, x.s.period[t]), 0);
  const pop = le(cx.loadCredits, tile.at.step);
  const f = v('f');
  const flags = { popNext: and(eq(f, 0), pop), pushNext: eq(f, sub(v('nld'), 1)) };
  const whole = x.t.R === x.R && x.t.S === x.S;
  const weightLoads = whole ? c(1) : mul(tile.blocks.K, tile.blocks.wC);
  return [
    let_('nin', select(and(due('input'), windowMeetsImage(tile)), tile.blocks.C, 0)),
    let_('nld', add(v('nin'), select(due('weight'), weightLoads, 0))),
    loop('f', 0, v('nld'), 1, [
      if_(lt(f, v('nin')), [inputLoad(x, tile, flags)], [weightLoad(x, tile, flags)]),
    ]),
    if_(eq(v('nld'), 0), [op('load', { memType: c(Mem.inp), popNext: pop, pushNext: bool(true) })]),
  ];
}

/** Whether the step is the first (or last) of its output tile's reduction (over C, R, S). */
function reductionEdge(cx: Ctx, tile: Tile, edge: 'first' | 'last'): Cond {
  return reductionEdgeOf(cx.x.s, tile.at, cx.x.reduction, edge);
}

/** The accumulator loops over every accumulator of the tile: uop 0 or 1 (the copy), blocks × pixels. */
function accumulatorLoops(cx: Ctx, tile: Tile) {
  const copy = copyOf(cx, tile, 'output');
  const pixels = mul(tile.extent.P, tile.extent.Q);
  return { uopBgn: copy, uopEnd: add(copy, 1), iterOut: tile.blocks.K, iterIn: pixels };
}

/** Rows between the tile's K blocks in the accumulator (0 for a single block). */
function kBlockStride(x: View, tile: Tile): Expr {
  return select(lt(1, tile.blocks.K), x.t.P * x.t.Q, 0);
}

/** The first accumulator of K block `kb` of the tile. */
function accumulatorOf(x: View, tile: Tile, kb: Expr): Expr {
  return add(tile.at.base.output, mul(kb, x.t.P * x.t.Q));
}

/**
 * The first reduction step's accumulators: the bias, one LOAD ACC per K block repeating its entry
 * over the tile's pixels; without bias a reset GEMM. Pops load→compute, and store→compute once the
 * output's copy has been stored before.
 */
function accumulatorInit(cx: Ctx, tile: Tile): Stmt {
  const x = cx.x;
  const popStore = le(cx.storeCredits, div(tile.at.step, x.s.period.output));
  const kb = v('kb');
  if (!cx.w.bias) {
    return op('gemm', {
      popPrev: bool(true),
      popNext: popStore,
      reset: bool(true),
      ...accumulatorLoops(cx, tile),
      accOut: kBlockStride(x, tile),
      accIn: c(1),
    });
  }
  return loop('kb', 0, tile.blocks.K, 1, [
    op('load', {
      memType: c(Mem.acc),
      popPrev: eq(kb, 0),
      popNext: and(eq(kb, 0), popStore),
      sramBase: accumulatorOf(x, tile, kb),
      dramBase: entry(div(v('bias'), 4 * x.B), firstBlock(x, tile, 'K', kb)),
      ySize: mul(tile.extent.P, tile.extent.Q),
      xSize: c(1),
    }),
  ]);
}

/** The first micro-op of the step's kernel: its class (extents of Q, C, R, S) and buffer copies. */
function kernelStart(cx: Ctx, tile: Tile): Expr {
  const { classes, altList } = cx.kernels;
  const copies = altList.reduce<Expr>(
    (acc, t, i) => add(acc, mul(2 ** i, copyOf(cx, tile, t))),
    c(0),
  );
  const start = classes.reduceRight<Expr | null>((rest, g) => {
    const here = add(g.at, mul(copies, g.size));
    const is = and(...(['Q', 'C', 'R', 'S'] as const).map((d) => eq(tile.extent[d], g.k[d])));
    return rest === null ? here : select(is, here, rest);
  }, null);
  if (start === null) throw new Error('VTA kernels: no kernel class');
  return start;
}

/**
 * The step's GEMMs. The kernel is (C block, r, s) groups of the tile's K blocks. A whole tile of 3
 * or more K blocks runs as one GEMM (consecutive uops write different accumulators, see layout.ts);
 * otherwise each group of the step's K blocks is its own GEMM, so no accumulator repeats within a
 * kernel. The first pops load→compute unless the init did; the last frees the buffers.
 */
function stepGemms(cx: Ctx, tile: Tile): Stmt[] {
  const x = cx.x;
  const first = reductionEdge(cx, tile, 'first');
  const releases = le(tile.at.step, x.s.steps - 1 - cx.loadCredits);
  const nkb = tile.blocks.K;
  const whole = x.tKb >= 3 ? eq(nkb, x.tKb) : bool(false);
  const groups = mul(tile.blocks.wC, tile.extent.R, tile.extent.S);
  const tall = lt(1, tile.extent.P);
  const rows = rowKernels(x);
  // Row kernels (layout.ts): one GEMM over (r, block, q) micro-ops, looping over output rows and
  // kernel columns; else GEMMs over (block) micro-ops, looping over output rows and columns.
  const loops = rows
    ? {
        uopBgn: v('ubgn'),
        uopEnd: add(v('ubgn'), mul(tile.extent.R, tile.blocks.K, tile.extent.Q)),
        iterIn: tile.extent.S,
        accIn: c(0),
        inpIn: c(x.dw),
        wgtIn: c(1),
      }
    : {
        uopBgn: add(v('ubgn'), mul(v('g'), x.tKb)),
        uopEnd: add(v('ubgn'), mul(v('g'), x.tKb), select(whole, mul(nkb, groups), nkb)),
        iterIn: tile.extent.Q,
        accIn: c(1),
        inpIn: c(x.sw),
        wgtIn: c(0),
      };
  const gemm = op('gemm', {
    popPrev: and(eq(v('g'), 0), not(first)),
    pushPrev: and(eq(v('g'), sub(v('ngrp'), 1)), releases),
    iterOut: tile.extent.P,
    accOut: select(tall, tile.extent.Q, 0),
    inpOut: select(tall, mul(x.sh, tile.win.xt), 0),
    ...loops,
  });
  const nop = op('load', { memType: c(Mem.uop), popPrev: not(first), pushPrev: releases });
  return [
    let_('ubgn', kernelStart(cx, tile)),
    let_('ngrp', rows ? c(1) : select(whole, 1, groups)),
    if_(windowMeetsImage(tile), [loop('g', 0, v('ngrp'), 1, [gemm])], [nop]),
  ];
}

/** The last reduction step's ALU requantization (the last op pushes compute→store). */
function requantize(cx: Ctx, tile: Tile): Stmt[] {
  const ops = epilogue(shiftOf(cx.options.scale), cx.w.activation === 'relu');
  return ops.map(([aluOp, imm], k) =>
    op('alu', {
      pushNext: bool(k === ops.length - 1),
      ...accumulatorLoops(cx, tile),
      dstOut: kBlockStride(cx.x, tile),
      dstIn: c(1),
      aluOp: c(aluOp),
      useImm: bool(true),
      imm: c(imm),
    }),
  );
}

/** One STORE per K block; the first pops compute→store, the last pushes store→compute. */
function storeTile(x: View, tile: Tile): Stmt {
  const kb = v('kb');
  return loop('kb', 0, tile.blocks.K, 1, [
    op('store', {
      memType: c(Mem.out),
      popPrev: eq(kb, 0),
      pushPrev: eq(kb, sub(tile.blocks.K, 1)),
      sramBase: accumulatorOf(x, tile, kb),
      dramBase: entry(
        div(v('O'), x.B),
        tile.index.N,
        [firstBlock(x, tile, 'K', kb), x.outBlocks],
        [mul(tile.index.P, x.t.P), x.P],
        [mul(tile.index.Q, x.t.Q), x.Q],
      ),
      ySize: tile.extent.P,
      xSize: tile.extent.Q,
      xStride: c(x.Q),
    }),
  ]);
}

/** The compute group of a step: init on the first reduction step, GEMMs, requantize and store. */
function computeGroup(cx: Ctx, tile: Tile): Stmt[] {
  const accumulator = requantize(cx, tile);
  return [
    if_(reductionEdge(cx, tile, 'first'), [accumulatorInit(cx, tile)]),
    ...stepGemms(cx, tile),
    if_(reductionEdge(cx, tile, 'last'), [...accumulator, storeTile(cx.x, tile)]),
  ];
}

/**
 * The step loop: step s's lets, then its compute group and the next step's load group, in that
 * order unless loads run a step ahead (two credits).
 */
function steps(cx: Ctx): Stmt[] {
  const cur = tileOf(cx.x, stepVars.c);
  const next = tileOf(cx.x, stepVars.n);
  const S = cx.x.s.steps;
  const s = v('s');
  const nextLoads = [
    ...stepLetsOf(cx, next, min(S - 1, add(s, 1))),
    if_(lt(s, S - 1), loadGroup(cx, next)),
  ];
  const body: Stmt[] = [...stepLetsOf(cx, cur, s)];
  if (cx.loadCredits === 2) body.push(...nextLoads, ...computeGroup(cx, cur));
  else body.push(...computeGroup(cx, cur), ...nextLoads);
  return [...stepLetsOf(cx, next, c(0)), ...loadGroup(cx, next), loop('s', 0, S, 1, body)];
}

export function lower(w: Workload, m: Mapping, spec: Spec, options: LowerOptions): Program {
  const x = view(w, m, spec);
  const alt = alternating(x, m);
  const reloaded = (t: 'input' | 'weight'): boolean => x.s.loads[t] > 1 && !m.doubleBuffer[t];
  const cx: Ctx = {
    w,
    x,
    alt,
    kernels: kernels(x, alt),
    loadCredits: reloaded('input') || reloaded('weight') ? 1 : 2,
    storeCredits: alt.output ? 2 : 1,
    options,
  };
  const cfg = vtaConfig(spec);
  const words = cx.kernels.uops.map((u) => encodeUop(cfg, u));
  const n = words.length;
  const body: Stmt[] = [
    op('load', {
      memType: c(Mem.uop),
      dramBase: div(v('U'), 4),
      ySize: c(1),
      xSize: c(n),
      xStride: c(n),
    }),
    ...steps(cx),
    ...Array.from({ length: Math.min(x.s.loads.output, cx.storeCredits) }, () =>
      op('load', { memType: c(Mem.uop), popNext: bool(true) }),
    ),
    op('finish', {}),
  ];
  const B = x.B;
  const buffers: Program['buffers'] = [
    { name: 'I', bytes: x.N * x.inBlocks * x.H * x.W * B, role: 'input' },
    { name: 'Wt', bytes: x.outBlocks * x.wCb * x.R * x.S * B * B, role: 'weight' },
    ...(w.bias ? [{ name: 'bias', bytes: x.outBlocks * B * 4, role: 'bias' } as const] : []),
    { name: 'O', bytes: x.N * x.outBlocks * x.P * x.Q * B, role: 'output' },
    { name: 'U', bytes: 4 * n, role: 'constant', contents: words },
  ];
  return { name: w.name, buffers, body };
}
