import type { Mapping } from '../../schedule/mapping.js';
import { tileSchedule } from '../../schedule/tile_schedule.js';
import type { Spec } from '../../target/spec.js';
import type { Footprint, Problem } from '../../target/target.js';
import { convOutputSize, loopNest } from '../../workload/shape.js';
import type { Dim, Workload } from '../../workload/workload.js';

/**
 * A workload as VTA runs it: a conv (a GEMM is the 1×1 conv of a 1×M image with K channels and N
 * filters), tensors in blocked DRAM layouts (TVM's NCHW{B}c), and a mapping's tiles with what they
 * take in each buffer (entries). A step's input tile is one 2D window per channel block, its halo
 * and image border zeros added by the LOAD pads; no im2col.
 */
export type VDim = 'N' | 'K' | 'C' | 'P' | 'Q' | 'R' | 'S';

/**
 * The conv view of a workload and mapping: sizes, strides, dilations and leading pads; channel blocks
 * in DRAM (Cb, Kb); the mapping's dim behind each view dim (null: a GEMM's missing dim, extent 1);
 * the tile schedule, each view dim's tile, the tile's channel blocks and its full input window.
 */
export type View = ReturnType<typeof view>;

export function view(w: Workload, m: Mapping, spec: Spec) {
  const B = spec.array.rows;
  const s = tileSchedule(loopNest(w), m);
  const base =
    w.kind === 'gemm'
      ? { N: 1, H: 1, W: w.M, C: w.K, K: w.N, P: 1, Q: w.M, R: 1, S: 1, sh: 1, sw: 1 }
      : { ...w, ...convOutputSize(w), sh: w.strideH, sw: w.strideW };
  const c = {
    ...base,
    dh: w.kind === 'gemm' ? 1 : w.dilationH,
    dw: w.kind === 'gemm' ? 1 : w.dilationW,
    padT: w.kind === 'gemm' ? 0 : w.padTop,
    padL: w.kind === 'gemm' ? 0 : w.padLeft,
  };
  const dim: { readonly [D in VDim]: Dim | null } =
    w.kind === 'gemm'
      ? { N: null, K: 'N', C: 'K', P: null, Q: 'M', R: null, S: null }
      : { N: 'N', K: 'K', C: 'C', P: 'P', Q: 'Q', R: 'R', S: 'S' };
  const tileOf = (d: VDim): number => {
    const md = dim[d];
    return md === null ? c[d] : (s.tile[md] ?? c[d]);
  };
  const vdims = ['N', 'K', 'C', 'P', 'Q', 'R', 'S'] as const;
  const t = Object.fromEntries(vdims.map((d) => [d, tileOf(d)])) as Record<VDim, number>;
  return {
    ...c,
    B,
    Cb: Math.ceil(c.C / B),
    Kb: Math.ceil(c.K / B),
    dim,
    s,
    t,
    tCb: Math.ceil(t.C / B),
    tKb: Math.ceil(t.K / B),
    yt: (t.P - 1) * c.sh + (t.R - 1) * c.dh + 1,
    xt: (t.Q - 1) * c.sw + (t.S - 1) * c.dw + 1,
  };
}

/** Entries of one copy of each tile: the input windows, the weight blocks, the accumulators. */
export function copyEntries(x: View): { input: number; weight: number; output: number } {
  return {
    input: x.tCb * x.yt * x.xt,
    weight: x.tKb * x.tCb * x.t.R * x.t.S,
    output: x.tKb * x.t.P * x.t.Q,
  };
}

export function footprint(w: Workload, m: Mapping, spec: Spec): readonly Footprint[] {
  const e = copyEntries(view(w, m, spec));
  return [
    { memory: 'inp', tensor: 'input', rows: e.input },
    { memory: 'wgt', tensor: 'weight', rows: e.weight },
    { memory: 'acc', tensor: 'output', rows: e.output },
  ];
}

/** The extents a tile of view dim d takes: the full tile, and the last one when it is partial. */
export function extentClasses(x: View, d: VDim): number[] {
  const rest = x[d] % x.t[d];
  return rest === 0 ? [x.t[d]] : [x.t[d], rest];
}

/** The step classes a GEMM kernel depends on: extents of Q, C, R, S (each full or last). */
export interface KernelClass {
  readonly Q: number;
  readonly C: number;
  readonly R: number;
  readonly S: number;
}

export function kernelClasses(x: View): KernelClass[] {
  const out: KernelClass[] = [];
  for (const Q of extentClasses(x, 'Q'))
    for (const C of extentClasses(x, 'C'))
      for (const R of extentClasses(x, 'R'))
        for (const S of extentClasses(x, 'S')) out.push({ Q, C, R, S });
  return out;
}

/** Micro-ops of one kernel: every (out block, in block, r, s) of the tile. */
export function kernelSize(x: View, k: KernelClass): number {
  return x.tKb * Math.ceil(k.C / x.B) * k.R * k.S;
}

/** Which tensors alternate between two copies (double-buffered and loaded more than once). */
export function alternating(
  x: View,
  m: Mapping,
): { input: boolean; weight: boolean; output: boolean } {
  const on = (v: 'input' | 'weight' | 'output'): boolean => m.doubleBuffer[v] && x.s.loads[v] > 1;
  return { input: on('input'), weight: on('weight'), output: on('output') };
}

/** Micro-ops the lowering places: two reset/ALU ones, then a GEMM kernel per class and copies. */
export function uopCount(x: View, m: Mapping): number {
  const alt = alternating(x, m);
  const halves = 2 ** [alt.input, alt.weight, alt.output].filter(Boolean).length;
  return 2 + halves * kernelClasses(x).reduce((n, k) => n + kernelSize(x, k), 0);
}

/** VTA's own limits on a mapping, on top of the shared checks. */
export function checkMapping(w: Workload, m: Mapping, spec: Spec): readonly Problem[] {
  const problems: Problem[] = [];
  const need = (ok: boolean, path: string, message: string): void => {
    if (!ok) problems.push({ path, message });
  };
  const nest = loopNest(w);
  need(
    m.spatial.rows === nest.channel && m.spatial.cols === nest.outChannel,
    'spatial',
    `the GEMM core reduces ${nest.channel} blocks into ${nest.outChannel} blocks`,
  );
  for (const [t, dims] of Object.entries(m.resident)) {
    need(dims.length === 0, `resident.${t}`, 'resident panels are not supported on this target');
  }
  if (w.kind === 'conv') {
    need(w.groups === 1, 'groups', `grouped convs are not supported (got ${w.groups} groups)`);
    need((m.tile.N ?? w.N) === 1, 'tile.N', 'a step runs one image (must be 1)');
    const pads = [w.padTop, w.padBottom, w.padLeft, w.padRight];
    need(Math.max(...pads) <= 15, 'workload', 'LOAD pads at most 15 entries a side');
  }
  if (problems.length > 0) return problems;
  const x = view(w, m, spec);
  for (const d of ['C', 'K'] as const) {
    need(x.t[d] % x.B === 0 || x.t[d] === x[d], `tile.${x.dim[d]}`, `must be a multiple of ${x.B}`);
  }
  need(Math.max(x.W, x.Q, x.Cb * x.R * x.S) < 2 ** 16, 'workload', 'DMA strides exceed 16 bits');
  const uops = uopCount(x, m);
  const depth = spec.memories.uop.capacityBytes / spec.memories.uop.rowBytes;
  need(uops <= depth, 'memories.uop', `micro-op kernels need ${uops} entries (of ${depth})`);
  return problems;
}
