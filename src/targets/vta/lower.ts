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
  max,
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
import { copyBase, stepLets } from '../../program/steps.js';
import { shiftOf } from '../../reference/requantize.js';
import type { Mapping } from '../../mapping/mapping.js';
import type { Spec } from '../../spec/spec.js';
import type { LowerOptions } from '../../contract/target.js';
import type { Workload } from '../../workload/workload.js';
import { Alu, encodeUop, fieldsOf, flagFields, Mem, vtaConfig, type Kind } from './instr.js';
import { alternating, copyEntries, kernels, view, type VDim } from './layout.js';

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

type F = Expr | number;
const ex = (e: F): Expr => (typeof e === 'number' ? c(e) : e);

/** An instruction with every field not given 0 (false for flags). */
function op(kind: Kind, f: Record<string, Arg>): Stmt {
  return instr(kind, {
    ...Object.fromEntries(fieldsOf(kind).map((n) => [n, flagFields.has(n) ? bool(false) : c(0)])),
    ...f,
  });
}

/** Entry `first`, then each [index, extent] in Horner form, of a blocked DRAM tensor at `base`. */
function entry(base: Expr, first: F, ...rest: [F, number][]): Expr {
  return add(
    base,
    rest.reduce<Expr>((at, [i, n]) => add(mul(at, n), i), ex(first)),
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

export function lower(w: Workload, m: Mapping, spec: Spec, options: LowerOptions): Program {
  const x = view(w, m, spec);
  const cfg = vtaConfig(spec);
  const { B, s: sch } = x;
  const S = sch.steps;
  const size = copyEntries(x);
  const alt = alternating(x, m);
  const reloaded = (t: 'input' | 'weight'): boolean => sch.loads[t] > 1 && !m.doubleBuffer[t];
  const D = reloaded('input') || reloaded('weight') ? 1 : 2;
  const Dout = alt.output ? 2 : 1;
  const blk = x.yt * x.xt;
  const accTile = x.t.P * x.t.Q;

  const I = (p: string, d: VDim): Expr => (x.dim[d] === null ? c(0) : v(`${p}i${x.dim[d]}`));
  const E = (p: string, d: VDim): Expr => (x.dim[d] === null ? c(x[d]) : v(`${p}e${x.dim[d]}`));
  const nb = (p: string, d: 'C' | 'K'): Expr => v(`${p}b${x.dim[d]}`);
  /** The first block of a step's C or K tile, plus `k`. */
  const at = (p: string, d: 'C' | 'K', k: F): Expr =>
    add(mul(I(p, d), d === 'C' ? x.tCb : x.tKb), k);
  const half = (p: string, t: 'input' | 'weight' | 'output'): Expr =>
    alt[t] ? mod(div(v(`${p}step`), sch.period[t]), 2) : c(0);

  const { uops, classes, altList } = kernels(x, alt);

  /**
   * A step's input window along one axis (y: P and R over H; x: Q and S over W): its first row
   * (`lo`, from −pad), entries (`t`), the pads a LOAD adds before and after, and the DRAM entries
   * between them (`Size`; ≤ 0 when the window misses the image).
   */
  const axis = (p: string, a: 'y' | 'x'): Stmt[] => {
    const [o, k, st, dil, pad, size] =
      a === 'y'
        ? (['P', 'R', x.sh, x.dh, x.padT, x.H] as const)
        : (['Q', 'S', x.sw, x.dw, x.padL, x.W] as const);
    const n = (name: string): Expr => v(`${p}${a}${name}`);
    return [
      let_(`${p}${a}lo`, add(mul(I(p, o), x.t[o] * st), mul(I(p, k), x.t[k] * dil), -pad)),
      let_(`${p}${a}t`, add(mul(sub(E(p, o), 1), st), mul(sub(E(p, k), 1), dil), 1)),
      let_(`${p}${a}Pad0`, max(0, mul(-1, n('lo')))),
      let_(`${p}${a}Pad1`, max(0, sub(add(n('lo'), n('t')), size))),
      let_(`${p}${a}Size`, sub(n('t'), add(n('Pad0'), n('Pad1')))),
    ];
  };
  const lets = (p: string, step: F): Stmt[] => [
    ...stepLets(sch, p, ex(step), B),
    ...axis(p, 'y'),
    ...axis(p, 'x'),
    ...(['input', 'weight', 'output'] as const).map((t) =>
      let_(`${p}base_${t}`, copyBase(0, size[t], alt[t] ? 2 : 1, sch.period[t], v(`${p}step`))),
    ),
  ];

  /** Whether the step's input window meets the image (else its GEMM would add only zeros). */
  const ok = (p: string): Cond => and(lt(0, v(`${p}ySize`)), lt(0, v(`${p}xSize`)));
  const loadGroup = (p: string): Stmt[] => {
    const step = v(`${p}step`);
    const due = (t: 'input' | 'weight'): Cond => eq(mod(step, sch.period[t]), 0);
    const pop = le(D, step);
    const f = v('f');
    const pads = ['yPad0', 'yPad1', 'xPad0', 'xPad1'];
    const flags = { popNext: and(eq(f, 0), pop), pushNext: eq(f, sub(v('nld'), 1)) };
    const inputLoad = op('load', {
      ...flags,
      memType: c(Mem.inp),
      sramBase: add(v(`${p}base_input`), mul(f, blk)),
      dramBase: entry(
        div(v('I'), B),
        I(p, 'N'),
        [at(p, 'C', f), x.Cb],
        [add(v(`${p}ylo`), v(`${p}yPad0`)), x.H],
        [add(v(`${p}xlo`), v(`${p}xPad0`)), x.W],
      ),
      xStride: c(x.W),
      ...Object.fromEntries(['ySize', 'xSize', ...pads].map((n) => [n, v(`${p}${n}`)])),
    });
    // Whole filters: one 2D load of the tile's K blocks × (C blocks, R, S); else one per block pair.
    const whole = x.t.R === x.R && x.t.S === x.S;
    const g = sub(f, v('nin'));
    const [wkb, wcb] = whole ? [c(0), c(0)] : [div(g, nb(p, 'C')), mod(g, nb(p, 'C'))];
    const pair = add(mul(wkb, nb(p, 'C')), wcb);
    const weightLoad = op('load', {
      ...flags,
      memType: c(Mem.wgt),
      sramBase: add(v(`${p}base_weight`), mul(pair, E(p, 'R'), E(p, 'S'))),
      dramBase: entry(
        div(v('Wt'), B * B),
        at(p, 'K', wkb),
        [at(p, 'C', wcb), x.Cb],
        [mul(I(p, 'R'), x.t.R), x.R],
        [mul(I(p, 'S'), x.t.S), x.S],
      ),
      ySize: whole ? nb(p, 'K') : E(p, 'R'),
      xSize: whole ? mul(nb(p, 'C'), x.R * x.S) : E(p, 'S'),
      xStride: c(whole ? x.Cb * x.R * x.S : x.S),
    });
    const nW = whole ? c(1) : mul(nb(p, 'K'), nb(p, 'C'));
    return [
      let_('nin', select(and(due('input'), ok(p)), nb(p, 'C'), 0)),
      let_('nld', add(v('nin'), select(due('weight'), nW, 0))),
      loop('f', 0, v('nld'), 1, [if_(lt(f, v('nin')), [inputLoad], [weightLoad])]),
      if_(eq(v('nld'), 0), [
        op('load', { memType: c(Mem.inp), popNext: pop, pushNext: bool(true) }),
      ]),
    ];
  };

  const reduction = (['C', 'R', 'S'] as const).flatMap((d) => x.dim[d] ?? []);
  const compute = (p: string): Stmt[] => {
    const step = v(`${p}step`);
    const first = and(...reduction.map((d) => eq(v(`${p}i${d}`), 0)));
    const lastC = and(...reduction.map((d) => eq(v(`${p}i${d}`), (sch.trips[d] ?? 1) - 1)));
    const popS = le(Dout, div(step, sch.period.output));
    const releases = le(step, S - 1 - D);
    const nkb = nb(p, 'K');
    const pixels = mul(E(p, 'P'), E(p, 'Q'));
    const kbStride = select(lt(1, nkb), accTile, 0);
    const hOut = half(p, 'output');
    const accBase = add(v(`${p}base_output`), mul(v('kb'), accTile));
    // Every accumulator of the tile: uop 0 or 1 (the copy), out blocks × pixels.
    const accLoops = { uopBgn: hOut, uopEnd: add(hOut, 1), iterOut: nkb, iterIn: pixels };
    const init = w.bias
      ? loop('kb', 0, nkb, 1, [
          op('load', {
            memType: c(Mem.acc),
            popPrev: eq(v('kb'), 0),
            popNext: and(eq(v('kb'), 0), popS),
            sramBase: accBase,
            dramBase: entry(div(v('bias'), 4 * B), at(p, 'K', v('kb'))),
            ySize: pixels,
            xSize: c(1),
          }),
        ])
      : op('gemm', {
          popPrev: bool(true),
          popNext: popS,
          reset: bool(true),
          ...accLoops,
          accOut: kbStride,
          accIn: c(1),
        });
    const hIdx = altList.reduce<Expr>((acc, t, i) => add(acc, mul(2 ** i, half(p, t))), c(0));
    const bgn = classes.reduceRight<Expr | null>((rest, g) => {
      const here = add(g.at, mul(hIdx, g.size));
      const is = and(...(['Q', 'C', 'R', 'S'] as const).map((d) => eq(E(p, d), g.k[d])));
      return rest === null ? here : select(is, here, rest);
    }, null) as Expr;
    // The kernel is (C block, r, s) groups of the tile's K blocks. A whole tile of 3 or more K blocks
    // runs as one GEMM (consecutive uops write different accumulators, see layout.ts); otherwise
    // each group of the step's K blocks is its own GEMM, so no accumulator repeats within a kernel.
    const whole = x.tKb >= 3 ? eq(nkb, x.tKb) : bool(false);
    const groups = mul(nb(p, 'C'), E(p, 'R'), E(p, 'S'));
    const tall = lt(1, E(p, 'P'));
    const gemm = op('gemm', {
      popPrev: and(eq(v('g'), 0), not(first)),
      pushPrev: and(eq(v('g'), sub(v('ngrp'), 1)), releases),
      uopBgn: add(v('ubgn'), mul(v('g'), x.tKb)),
      uopEnd: add(v('ubgn'), mul(v('g'), x.tKb), select(whole, mul(nkb, groups), nkb)),
      iterOut: E(p, 'P'),
      iterIn: E(p, 'Q'),
      accOut: select(tall, E(p, 'Q'), 0),
      accIn: c(1),
      inpOut: select(tall, mul(x.sh, v(`${p}xt`)), 0),
      inpIn: c(x.sw),
    });
    const ops = epilogue(shiftOf(options.scale), w.activation === 'relu');
    const alus = ops.map(([o, imm], k) =>
      op('alu', {
        pushNext: bool(k === ops.length - 1),
        ...accLoops,
        dstOut: kbStride,
        dstIn: c(1),
        aluOp: c(o),
        useImm: bool(true),
        imm: c(imm),
      }),
    );
    const stores = loop('kb', 0, nkb, 1, [
      op('store', {
        memType: c(Mem.out),
        popPrev: eq(v('kb'), 0),
        pushPrev: eq(v('kb'), sub(nkb, 1)),
        sramBase: accBase,
        dramBase: entry(
          div(v('O'), B),
          I(p, 'N'),
          [at(p, 'K', v('kb')), x.Kb],
          [mul(I(p, 'P'), x.t.P), x.P],
          [mul(I(p, 'Q'), x.t.Q), x.Q],
        ),
        ySize: E(p, 'P'),
        xSize: E(p, 'Q'),
        xStride: c(x.Q),
      }),
    ]);
    const nop = op('load', { memType: c(Mem.uop), popPrev: not(first), pushPrev: releases });
    return [
      if_(first, [init]),
      let_('ubgn', bgn),
      let_('ngrp', select(whole, 1, groups)),
      if_(ok(p), [loop('g', 0, v('ngrp'), 1, [gemm])], [nop]),
      if_(lastC, [...alus, stores]),
    ];
  };

  const next = (s: Expr): Stmt[] => [
    ...lets('n', min(S - 1, add(s, 1))),
    if_(lt(s, S - 1), loadGroup('n')),
  ];
  const stepBody: Stmt[] = [...lets('c', v('s'))];
  if (D === 2) stepBody.push(...next(v('s')), ...compute('c'));
  else stepBody.push(...compute('c'), ...next(v('s')));
  const words = uops.map((u) => encodeUop(cfg, u));
  const n = words.length;
  const body: Stmt[] = [
    op('load', {
      memType: c(Mem.uop),
      dramBase: div(v('U'), 4),
      ySize: c(1),
      xSize: c(n),
      xStride: c(n),
    }),
    ...lets('n', 0),
    ...loadGroup('n'),
    loop('s', 0, S, 1, stepBody),
    ...Array.from({ length: Math.min(sch.loads.output, Dout) }, () =>
      op('load', { memType: c(Mem.uop), popNext: bool(true) }),
    ),
    op('finish', {}),
  ];
  const buffers: Program['buffers'] = [
    { name: 'I', bytes: x.N * x.Cb * x.H * x.W * B, role: 'input' },
    { name: 'Wt', bytes: x.Kb * x.Cb * x.R * x.S * B * B, role: 'weight' },
    ...(w.bias ? [{ name: 'bias', bytes: x.Kb * B * 4, role: 'bias' } as const] : []),
    { name: 'O', bytes: x.N * x.Kb * x.P * x.Q * B, role: 'output' },
    { name: 'U', bytes: 4 * n, role: 'constant', contents: words },
  ];
  return { name: w.name, buffers, body };
}
