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
import type { Mapping } from '../../schedule/mapping.js';
import type { Spec } from '../../target/spec.js';
import type { LowerOptions } from '../../target/target.js';
import type { Workload } from '../../workload/workload.js';
import { encodeUop } from './encoding.js';
import { Alu, fieldLists, flagFields, Mem, vtaConfig, type Kind } from './instr.js';
import {
  alternating,
  copyEntries,
  kernelClasses,
  kernelSize,
  view,
  type KernelClass,
  type VDim,
} from './layout.js';

/**
 * A mapping as a VTA program (VTA.md §4, §5). Step s of the tile schedule: the load module brings in
 * the input windows and the weight blocks that are due, compute resets the accumulators (or loads
 * the bias) on the first reduction step, runs one GEMM over the step's micro-op kernel, and on the
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
  const all = ['popPrev', 'popNext', 'pushPrev', 'pushNext', ...fieldLists[kind]];
  return instr(kind, {
    ...Object.fromEntries(all.map((n) => [n, flagFields.has(n) ? bool(false) : c(0)])),
    ...f,
  });
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
  const shift = shiftOf(options.scale);
  const size = copyEntries(x);
  const alt = alternating(x, m);
  const reloaded = (t: 'input' | 'weight'): boolean => sch.loads[t] > 1 && !m.doubleBuffer[t];
  const D = reloaded('input') || reloaded('weight') ? 1 : 2;
  const Dout = alt.output ? 2 : 1;
  const RS = x.R * x.S;
  const blk = x.yt * x.xt;
  const accTile = x.t.P * x.t.Q;

  const I = (p: string, d: VDim): Expr => (x.dim[d] === null ? c(0) : v(`${p}i${x.dim[d]}`));
  const E = (p: string, d: VDim): Expr => (x.dim[d] === null ? c(x[d]) : v(`${p}e${x.dim[d]}`));
  const nb = (p: string, d: 'C' | 'K'): Expr => v(`${p}b${x.dim[d]}`);
  const half = (p: string, t: 'input' | 'weight' | 'output'): Expr =>
    alt[t] ? mod(div(v(`${p}step`), sch.period[t]), 2) : c(0);

  // Micro-ops: [0] and [1] address the two accumulator copies (reset, ALU); then the GEMM kernels,
  // per kernel class one per combination of buffer copies.
  const uops: number[] = [{ dst: 0 }, { dst: alt.output ? size.output : 0 }].map((u) =>
    encodeUop(cfg, { src: 0, wgt: 0, ...u }),
  );
  const altList = (['input', 'weight', 'output'] as const).filter((t) => alt[t]);
  const classes = kernelClasses(x).map((k) => {
    const at = uops.length;
    const xtE = (k.Q - 1) * x.sw + (k.S - 1) * x.dw + 1;
    const ncb = Math.ceil(k.C / B);
    for (let h = 0; h < 2 ** altList.length; h++) {
      const copy = (t: 'input' | 'weight' | 'output'): number =>
        altList.includes(t) ? ((h >> altList.indexOf(t)) & 1) * size[t] : 0;
      for (let kb = 0; kb < x.tKb; kb++)
        for (let cb = 0; cb < ncb; cb++)
          for (let r = 0; r < k.R; r++)
            for (let s = 0; s < k.S; s++) {
              const u = {
                dst: copy('output') + kb * accTile,
                src: copy('input') + cb * blk + r * x.dh * xtE + s * x.dw,
                wgt: copy('weight') + ((kb * ncb + cb) * k.R + r) * k.S + s,
              };
              uops.push(encodeUop(cfg, u));
            }
    }
    return { k, at, size: kernelSize(x, k) };
  });

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
    const at = (n: string): Expr => v(`${p}${a}${n}`);
    return [
      let_(`${p}${a}lo`, add(mul(I(p, o), x.t[o] * st), mul(I(p, k), x.t[k] * dil), -pad)),
      let_(`${p}${a}t`, add(mul(sub(E(p, o), 1), st), mul(sub(E(p, k), 1), dil), 1)),
      let_(`${p}${a}Pad0`, max(0, mul(-1, at('lo')))),
      let_(`${p}${a}Pad1`, max(0, sub(add(at('lo'), at('t')), size))),
      let_(`${p}${a}Size`, sub(at('t'), add(at('Pad0'), at('Pad1')))),
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
    const first = (ff: Expr): Cond => and(eq(ff, 0), pop);
    const last = eq(f, sub(v('nld'), 1));
    const row = add(mul(I(p, 'N'), x.Cb), mul(I(p, 'C'), x.tCb), f);
    const inputLoad = op('load', {
      memType: c(Mem.inp),
      popNext: first(f),
      pushNext: last,
      sramBase: add(v(`${p}base_input`), mul(f, blk)),
      dramBase: add(
        div(v('I'), B),
        mul(add(mul(row, x.H), v(`${p}ylo`), v(`${p}yPad0`)), x.W),
        v(`${p}xlo`),
        v(`${p}xPad0`),
      ),
      xStride: c(x.W),
      ...Object.fromEntries(
        ['ySize', 'xSize', 'yPad0', 'yPad1', 'xPad0', 'xPad1'].map((n) => [n, v(`${p}${n}`)]),
      ),
    });
    const whole = x.t.R === x.R && x.t.S === x.S;
    const nW = whole ? c(1) : mul(nb(p, 'K'), nb(p, 'C'));
    const g = sub(f, v('nin'));
    const wkb = whole ? c(0) : div(g, nb(p, 'C'));
    const wcb = whole ? c(0) : mod(g, nb(p, 'C'));
    const window = mul(E(p, 'R'), E(p, 'S'));
    const weightLoad = op('load', {
      memType: c(Mem.wgt),
      popNext: first(f),
      pushNext: last,
      sramBase: add(v(`${p}base_weight`), mul(add(mul(wkb, nb(p, 'C')), wcb), window)),
      dramBase: add(
        div(v('Wt'), B * B),
        mul(add(mul(add(mul(I(p, 'K'), x.tKb), wkb), x.Cb), mul(I(p, 'C'), x.tCb), wcb), RS),
        mul(I(p, 'R'), x.t.R * x.S),
        mul(I(p, 'S'), x.t.S),
      ),
      ySize: whole ? nb(p, 'K') : E(p, 'R'),
      xSize: whole ? mul(nb(p, 'C'), RS) : E(p, 'S'),
      xStride: c(whole ? x.Cb * RS : x.S),
    });
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
    const nkb = nb(p, 'K');
    const pixels = mul(E(p, 'P'), E(p, 'Q'));
    const kbStride = select(lt(1, nkb), accTile, 0);
    const hOut = half(p, 'output');
    // Every accumulator of the tile: uop 0 or 1 (the copy), out blocks × pixels.
    const accLoops = { uopBgn: hOut, uopEnd: add(hOut, 1), iterOut: nkb, iterIn: pixels };
    const init = w.bias
      ? loop('kb', 0, nkb, 1, [
          op('load', {
            memType: c(Mem.acc),
            popPrev: eq(v('kb'), 0),
            popNext: and(eq(v('kb'), 0), popS),
            sramBase: add(v(`${p}base_output`), mul(v('kb'), accTile)),
            dramBase: add(div(v('bias'), 4 * B), mul(I(p, 'K'), x.tKb), v('kb')),
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
    const is = (k: KernelClass): Cond =>
      and(...(['Q', 'C', 'R', 'S'] as const).map((d) => eq(E(p, d), k[d])));
    const bgn = classes.reduceRight<Expr | null>((rest, g) => {
      const here = add(g.at, mul(hIdx, g.size));
      return rest === null ? here : select(is(g.k), here, rest);
    }, null) as Expr;
    const tall = lt(1, E(p, 'P'));
    const gemm = op('gemm', {
      popPrev: not(first),
      pushPrev: le(step, S - 1 - D),
      uopBgn: v('ubgn'),
      uopEnd: add(v('ubgn'), mul(nkb, nb(p, 'C'), E(p, 'R'), E(p, 'S'))),
      iterOut: E(p, 'P'),
      iterIn: E(p, 'Q'),
      accOut: select(tall, E(p, 'Q'), 0),
      accIn: c(1),
      inpOut: select(tall, mul(x.sh, v(`${p}xt`)), 0),
      inpIn: c(x.sw),
    });
    const ops = epilogue(shift, w.activation === 'relu');
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
        sramBase: add(v(`${p}base_output`), mul(v('kb'), accTile)),
        dramBase: add(
          div(v('O'), B),
          mul(
            add(
              mul(add(mul(I(p, 'N'), x.Kb), mul(I(p, 'K'), x.tKb), v('kb')), x.P),
              mul(I(p, 'P'), x.t.P),
            ),
            x.Q,
          ),
          mul(I(p, 'Q'), x.t.Q),
        ),
        ySize: E(p, 'P'),
        xSize: E(p, 'Q'),
        xStride: c(x.Q),
      }),
    ]);
    const nop = op('load', {
      memType: c(Mem.uop),
      popPrev: not(first),
      pushPrev: le(step, S - 1 - D),
    });
    return [
      if_(first, [init]),
      let_('ubgn', bgn),
      if_(ok(p), [gemm], [nop]),
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
  const tiles = sch.loads.output;
  const body: Stmt[] = [
    op('load', {
      memType: c(Mem.uop),
      dramBase: div(v('U'), 4),
      ySize: c(1),
      xSize: c(uops.length),
      xStride: c(uops.length),
    }),
    ...lets('n', 0),
    ...loadGroup('n'),
    loop('s', 0, S, 1, stepBody),
    ...Array.from({ length: Math.min(tiles, Dout) }, () =>
      op('load', { memType: c(Mem.uop), popNext: bool(true) }),
    ),
    op('finish', {}),
  ];
  const buffers: Program['buffers'] = [
    { name: 'I', bytes: x.N * x.Cb * x.H * x.W * B, role: 'input' },
    { name: 'Wt', bytes: x.Kb * x.Cb * RS * B * B, role: 'weight' },
    ...(w.bias ? [{ name: 'bias', bytes: x.Kb * B * 4, role: 'bias' } as const] : []),
    { name: 'O', bytes: x.N * x.Kb * x.P * x.Q * B, role: 'output' },
    { name: 'U', bytes: 4 * uops.length, role: 'constant', contents: uops },
  ];
  return { name: w.name, buffers, body };
}
