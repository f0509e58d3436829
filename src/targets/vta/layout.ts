import type { Mapping } from '../../mapping/mapping.js';
import { tileSchedule } from '../../mapping/tile_schedule.js';
import { memoryRows, type Spec } from '../../spec/spec.js';
import type { Footprint, Problem } from '../../contract/target.js';
import { convOutputSize, isDepthwise, loopNest } from '../../workload/shape.js';
import type { Dim, Workload } from '../../workload/workload.js';
import type { Uop } from './instr.js';

/**
 * A workload as VTA runs it: a conv (a GEMM is the 1×1 conv of a 1×M image with K channels and N
 * filters), tensors in blocked DRAM layouts (TVM's NCHW{B}c), and a mapping's tiles with what they
 * take in each buffer (entries). A step's input tile is one 2D window per channel block, its halo
 * and image border zeros added by the LOAD pads; no im2col.
 */
export type VDim = 'N' | 'K' | 'C' | 'P' | 'Q' | 'R' | 'S';
const tensors = ['input', 'weight', 'output'] as const;
type Tensor = (typeof tensors)[number];

/**
 * How a conv's groups run: `none` (one group, or a GEMM); `grouped`, one group a step, each a plain
 * conv on its slice of channel blocks (per-group channels whole blocks); `diagonal`, a depthwise conv
 * with its groups on the GEMM core, B of them at once through diagonal weight blocks (the groups are
 * then the view's channels, C and K alike).
 */
export type GroupMode = 'none' | 'grouped' | 'diagonal';

export function groupMode(w: Workload, m: Mapping): GroupMode {
  if (w.kind === 'gemm' || w.groups === 1) return 'none';
  return m.spatial.cols === 'G' ? 'diagonal' : 'grouped';
}

/**
 * The conv view of a workload and mapping: sizes, strides, dilations and leading pads, C and K the
 * loop bounds of the channel dims (per group; the groups under `diagonal`); channel blocks of the
 * whole tensors in DRAM (`inBlocks`, `outBlocks`), the weights' C blocks per output block (`wCb`),
 * and the blocks a group index moves the input and output by (`groupBlocks`, `grouped` only); the
 * mapping's dim behind each view dim (null: a GEMM's missing dim, extent 1); the tile schedule, each
 * view dim's tile, the tile's channel blocks (`tWCb` of them in the weights) and its input window.
 */
export type View = ReturnType<typeof view>;

export function view(w: Workload, m: Mapping, spec: Spec) {
  const B = spec.array.rows;
  const nest = loopNest(w);
  const s = tileSchedule(nest, m);
  const mode = groupMode(w, m);
  const groups = w.kind === 'conv' ? w.groups : 1;
  const inChannels = w.kind === 'gemm' ? w.K : w.C;
  const outChannels = w.kind === 'gemm' ? w.N : w.K;
  const [C, K] =
    mode === 'diagonal' ? [groups, groups] : [inChannels / groups, outChannels / groups];
  const base =
    w.kind === 'gemm'
      ? { N: 1, H: 1, W: w.M, P: 1, Q: w.M, R: 1, S: 1, sh: 1, sw: 1 }
      : { ...w, ...convOutputSize(w), sh: w.strideH, sw: w.strideW };
  const c = {
    ...base,
    C,
    K,
    dh: w.kind === 'gemm' ? 1 : w.dilationH,
    dw: w.kind === 'gemm' ? 1 : w.dilationW,
    padT: w.kind === 'gemm' ? 0 : w.padTop,
    padL: w.kind === 'gemm' ? 0 : w.padLeft,
  };
  const diagonal = mode === 'diagonal';
  const dim: { readonly [D in VDim]: Dim | null } =
    w.kind === 'gemm'
      ? { N: null, K: 'N', C: 'K', P: null, Q: 'M', R: null, S: null }
      : diagonal
        ? { N: 'N', K: 'G', C: 'G', P: 'P', Q: 'Q', R: 'R', S: 'S' }
        : { N: 'N', K: 'K', C: 'C', P: 'P', Q: 'Q', R: 'R', S: 'S' };
  const tileOf = (d: VDim): number => (dim[d] === null ? c[d] : (s.tile[dim[d]] ?? c[d]));
  const vdims = ['N', 'K', 'C', 'P', 'Q', 'R', 'S'] as const;
  const t = Object.fromEntries(vdims.map((d) => [d, tileOf(d)])) as Record<VDim, number>;
  const tCb = Math.ceil(t.C / B);
  return {
    ...c,
    B,
    mode,
    inChannels,
    outChannels,
    inBlocks: Math.ceil(inChannels / B),
    outBlocks: Math.ceil(outChannels / B),
    wCb: diagonal ? 1 : Math.ceil(C / B),
    groupBlocks: mode === 'grouped' ? { C: C / B, K: K / B } : { C: 0, K: 0 },
    reduction: nest.reduction,
    dim,
    s,
    t,
    tCb,
    tKb: Math.ceil(t.K / B),
    tWCb: diagonal ? 1 : tCb,
    yt: (t.P - 1) * c.sh + (t.R - 1) * c.dh + 1,
    xt: (t.Q - 1) * c.sw + (t.S - 1) * c.dw + 1,
  };
}

/** Entries of one copy of each tile: the input windows, the weight blocks, the accumulators. */
export function copyEntries(x: View): Record<Tensor, number> {
  return {
    input: x.tCb * x.yt * x.xt,
    weight: x.tKb * x.tWCb * x.t.R * x.t.S,
    output: x.tKb * x.t.P * x.t.Q,
  };
}

export function footprint(w: Workload, m: Mapping, spec: Spec): readonly Footprint[] {
  const e = copyEntries(view(w, m, spec));
  const memory = { input: 'inp', weight: 'wgt', output: 'acc' } as const;
  return tensors.map((tensor) => ({ memory: memory[tensor], tensor, rows: e[tensor] }));
}

/** The extents a tile of view dim d takes: the full tile, and the last one when it is partial. */
export function extentClasses(x: View, d: VDim): number[] {
  const rest = x[d] % x.t[d];
  return rest === 0 ? [x.t[d]] : [x.t[d], rest];
}

/** The step classes a GEMM kernel depends on: extents of Q, C, R, S (each full or last). */
export type KernelClass = { readonly [D in 'Q' | 'C' | 'R' | 'S']: number };

export function kernelClasses(x: View): KernelClass[] {
  return (['Q', 'C', 'R', 'S'] as const).reduce<Partial<KernelClass>[]>(
    (ks, d) => ks.flatMap((k) => extentClasses(x, d).map((e) => ({ ...k, [d]: e }))),
    [{}],
  ) as KernelClass[];
}

type Alternating = Readonly<Record<Tensor, boolean>>;

/** Which tensors alternate between two copies (double-buffered and loaded more than once). */
export function alternating(x: View, m: Mapping): Alternating {
  const on = (t: Tensor): boolean => m.doubleBuffer[t] && x.s.loads[t] > 1;
  return { input: on('input'), weight: on('weight'), output: on('output') };
}

/** The length of `kernels`, counted without building them (checks run on every candidate). */
export function uopCount(x: View, m: Mapping): number {
  const halves = 2 ** Object.values(alternating(x, m)).filter(Boolean).length;
  const rows = rowKernels(x);
  const per = (k: KernelClass): number =>
    rows ? k.R * Math.ceil(k.C / x.B) * k.Q : x.tKb * weightInBlocks(x, k) * k.R * k.S;
  return 2 + halves * kernelClasses(x).reduce((n, k) => n + per(k), 0);
}

/**
 * Whether diagonal blocks run as row kernels: a micro-op per (kernel row r, block of groups, output
 * column q), the GEMM's loops over the tile's output rows and kernel columns, so a step is one GEMM
 * of many micro-ops (a tap a micro-op leaves one per GEMM pass when the tile has one block of
 * groups, and each pass refills the pipeline, docs/vta.md §6). A micro-op's accumulator recurs
 * blocks × columns micro-ops later (the next r): at least 3 keeps clear of the hazard (§3.5), else
 * the tap kernels of `kernels` run.
 */
export function rowKernels(x: View): boolean {
  return (
    x.mode === 'diagonal' &&
    kernelClasses(x).every((k) => k.R === 1 || Math.ceil(k.C / x.B) * k.Q >= 3)
  );
}

/** The weights' C blocks of a kernel class: its C blocks, or 1 on diagonal blocks. */
function weightInBlocks(x: View, k: KernelClass): number {
  return x.mode === 'diagonal' ? 1 : Math.ceil(k.C / x.B);
}

/**
 * The micro-ops: [0] and [1] address the two accumulator copies (reset, ALU); then per kernel class
 * one GEMM kernel per combination of buffer copies (`altList`, bit i: copy of altList[i]), in (in
 * block, r, s, out block) order. Out blocks innermost, so that consecutive uops write different
 * accumulators whenever the tile has 3 or more of them (the hazard rule, semantics.ts). On diagonal
 * blocks an out block reads the input block of the same groups, and its weight block alone.
 */
export function kernels(x: View, alt: Alternating) {
  const size = copyEntries(x);
  const uops: Uop[] = [0, alt.output ? size.output : 0].map((dst) => ({ dst, src: 0, wgt: 0 }));
  const altList = tensors.filter((t) => alt[t]);
  const diagonal = x.mode === 'diagonal';
  const rows = rowKernels(x);
  const classes = kernelClasses(x).map((k) => {
    const at = uops.length;
    const xtE = (k.Q - 1) * x.sw + (k.S - 1) * x.dw + 1;
    const ncb = weightInBlocks(x, k);
    for (let h = 0; h < 2 ** altList.length; h++) {
      const copy = (t: Tensor): number =>
        altList.includes(t) ? ((h >> altList.indexOf(t)) & 1) * size[t] : 0;
      if (rows) {
        for (let r = 0; r < k.R; r++)
          for (let gb = 0; gb < Math.ceil(k.C / x.B); gb++)
            for (let q = 0; q < k.Q; q++)
              uops.push({
                dst: copy('output') + gb * x.t.P * x.t.Q + q,
                src: copy('input') + gb * x.yt * x.xt + r * x.dh * xtE + q * x.sw,
                wgt: copy('weight') + (gb * k.R + r) * k.S,
              });
        continue;
      }
      for (let cb = 0; cb < ncb; cb++)
        for (let r = 0; r < k.R; r++)
          for (let s = 0; s < k.S; s++)
            for (let kb = 0; kb < x.tKb; kb++)
              uops.push({
                dst: copy('output') + kb * x.t.P * x.t.Q,
                src: copy('input') + (diagonal ? kb : cb) * x.yt * x.xt + r * x.dh * xtE + s * x.dw,
                wgt: copy('weight') + ((kb * ncb + cb) * k.R + r) * k.S + s,
              });
    }
    return { k, at, size: (uops.length - at) / 2 ** altList.length };
  });
  return { uops, classes, altList };
}

/** What VTA cannot run of a workload, whatever the mapping (also the patterns' check). */
export function unsupported(w: Workload, spec: Spec): Problem[] {
  const problems: Problem[] = [];
  const B = spec.array.rows;
  if (w.kind === 'conv' && w.groups !== 1 && !isDepthwise(w)) {
    const [cg, kg] = [w.C / w.groups, w.K / w.groups];
    if (cg % B !== 0 || kg % B !== 0) {
      const message =
        `a grouped conv runs group by group on whole blocks: its ${cg} input and ${kg} output ` +
        `channels per group must be multiples of ${B} (or one each: depthwise)`;
      problems.push({ path: 'groups', message });
    }
  }
  if (w.kind === 'conv' && Math.max(w.padTop, w.padBottom, w.padLeft, w.padRight) > 15) {
    problems.push({ path: 'workload', message: 'LOAD pads at most 15 entries a side' });
  }
  return problems;
}

/** The GEMM core's axes for a workload: the channels into the output channels, or the groups. */
function coreAxes(w: Workload): Mapping['spatial'] {
  const nest = loopNest(w);
  return isDepthwise(w) ? { rows: 'G', cols: 'G' } : { rows: nest.channel, cols: nest.outChannel };
}

/** VTA's own limits on a mapping, on top of the shared checks. */
export function checkMapping(w: Workload, m: Mapping, spec: Spec): readonly Problem[] {
  const problems = unsupported(w, spec);
  const need = (ok: boolean, path: string, message: string): void => {
    if (!ok) problems.push({ path, message });
  };
  const want = coreAxes(w);
  need(
    m.spatial.rows === want.rows && m.spatial.cols === want.cols,
    'spatial',
    isDepthwise(w)
      ? 'a depthwise conv runs its groups on the GEMM core (diagonal weight blocks): G on both axes'
      : `the GEMM core reduces ${want.rows} blocks into ${want.cols} blocks`,
  );
  for (const [t, dims] of Object.entries(m.resident)) {
    need(dims.length === 0, `resident.${t}`, 'resident panels are not supported on this target');
  }
  need(w.kind !== 'conv' || (m.tile.N ?? w.N) === 1, 'tile.N', 'a step runs one image (must be 1)');
  if (problems.length > 0) return problems;
  const x = view(w, m, spec);
  if (x.mode === 'grouped') {
    const tG = x.s.tile.G ?? 1;
    need(tG === 1, 'tile.G', `a step runs one group (must be 1, got ${tG})`);
  }
  // On diagonal blocks C and K are both the groups: one check.
  for (const d of x.mode === 'diagonal' ? (['C'] as const) : (['C', 'K'] as const)) {
    need(x.t[d] % x.B === 0 || x.t[d] === x[d], `tile.${x.dim[d]}`, `must be a multiple of ${x.B}`);
  }
  need(Math.max(x.W, x.Q, x.wCb * x.R * x.S) < 2 ** 16, 'workload', 'DMA strides exceed 16 bits');
  const uops = uopCount(x, m);
  const depth = memoryRows(spec.memories.uop);
  need(uops <= depth, 'memories.uop', `micro-op kernels need ${uops} entries (of ${depth})`);
  return problems;
}
