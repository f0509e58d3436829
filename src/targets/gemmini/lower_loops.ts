import {
  add,
  and,
  bool,
  c,
  ceilDiv,
  div,
  eq,
  fence,
  instr,
  le,
  let_,
  loop,
  max,
  min,
  mul,
  not,
  select,
  sub,
  v,
  type Arg,
  type Expr,
  type Stmt,
} from '../../program/program.js';
import type { Program } from '../../program/program.js';
import type { Mapping } from '../../mapping/mapping.js';
import { memoryRows, type Spec } from '../../spec/spec.js';
import type { LowerOptions } from '../../contract/target.js';
import { convOutputSize, convPadValue, isDepthwise, loopNest } from '../../workload/shape.js';
import type { ConvWorkload, GemmWorkload, Workload } from '../../workload/workload.js';
import { isDiagonal } from './conv_layout.js';
import { downsamples, vendorLibrary } from './library.js';
import { preamble } from './lower_common.js';

/**
 * Mappings as the vendor library runs them (docs/gemmini.md §5): one LOOP_WS (GEMM) or LOOP_CONV_WS
 * (conv) per DRAM tile, in the mapping's tile order, with the tile's addresses and paddings computed on
 * the host; the accelerator's unrollers (unroller.ts) generate the tile's commands, loading the tile's
 * inputs and weights afresh for every tile. Bias is loaded by the first reduction tile, the output
 * stored by the last, so the reduction dims must be the innermost tile loops.
 */

/** Why the loop instructions cannot run a mapping, or null when they can. */
export function loopLoweringProblem(w: Workload, m: Mapping, spec: Spec): string | null {
  if (m.dataflow !== 'weight-stationary') return 'the loop instructions are weight-stationary';
  const reduction = w.kind === 'gemm' ? ['K'] : ['R', 'S', 'C'];
  const inner = m.order.slice(m.order.length - reduction.length);
  const bounds = new Map(loopNest(w).dims.map((d) => [d.dim as string, d.bound]));
  const tripsOf = (d: string) => {
    const bound = bounds.get(d) ?? 1;
    return Math.ceil(bound / (m.tile[d as never] ?? bound));
  };
  const outer = m.order.slice(0, m.order.length - reduction.length);
  if (
    !reduction.every((d) => inner.includes(d as never)) &&
    outer.some((d) => reduction.includes(d) && tripsOf(d) > 1)
  ) {
    return 'the reduction dims must be the innermost tile loops';
  }
  const spRows = memoryRows(spec.memories.scratchpad);
  const accRows = memoryRows(spec.memories.accumulator);
  if (w.kind === 'gemm') {
    const dim = spec.array.rows;
    const blocks = (d: 'M' | 'N' | 'K') => Math.ceil(Math.min(m.tile[d] ?? w[d], w[d]) / dim);
    const rows = (blocks('M') + blocks('N')) * blocks('K') * dim;
    // Each of the unroller's two loop slots owns half the scratchpad and half the accumulator.
    if (rows > spRows / 2) return 'the tile overflows half the scratchpad';
    if (blocks('M') * blocks('N') * dim > accRows / 2)
      return 'the tile overflows half the accumulator';
  }
  if (w.kind === 'conv') {
    if (w.groups !== 1 && !isDepthwise(w))
      return 'LOOP_CONV_WS runs plain and depthwise convs, not other grouped ones';
    if (isDiagonal(m)) return 'LOOP_CONV_WS has no diagonal weight blocks';
    // LoopConv.scala (ucb-bar/gemmini src/main/scala/gemmini/LoopConv.scala) loads padding from
    // DRAM address 0, which writes zeros.
    if (convPadValue(w) !== 0) return `LOOP_CONV_WS pads with zeros, not ${convPadValue(w)}`;
    if (w.strideH !== w.strideW) return 'LOOP_CONV_WS has one stride';
    if (w.dilationH !== 1 || w.dilationW !== 1) return 'dilated convs are not lowered to loops';
    const dim = spec.array.rows;
    const t = (d: 'N' | 'P' | 'Q' | 'K' | 'R' | 'S' | 'C') => m.tile[d] ?? 1;
    const ds = downsamples(w, spec) ? 1 : 0;
    const irows = (t('P') * w.strideH + t('R') - 1) >> ds;
    const icols = (t('Q') * w.strideW + t('S') - 1) >> ds;
    const inputRows = Math.ceil(t('C') / dim) * t('N') * irows * icols;
    const weightRows = Math.ceil(t('K') / dim) * t('R') * t('S') * t('C');
    if (inputRows + weightRows > spRows / 2) return 'the tile overflows half the scratchpad';
    const outputRows = Math.ceil(t('K') / dim) * t('N') * t('P') * t('Q');
    if (outputRows > accRows / 2) return 'the tile overflows half the accumulator';
  }
  return null;
}

/** The host's configuration before the tiles: weight-stationary, the store's stride and scale. */
function loopPreamble(
  w: Workload,
  aStride: number,
  outRowBytes: number,
  inputStride: number,
  weightStride: number,
  dim: number,
  options: LowerOptions,
): Stmt[] {
  return preamble({
    dataflow: 'weight-stationary',
    aStride,
    relu: w.activation === 'relu',
    outRowBytes,
    scale: options.scale,
    loads: [
      { dramStride: inputStride, blockStride: dim },
      { dramStride: weightStride, blockStride: dim },
      { dramStride: 0, blockStride: dim },
    ],
  });
}

const num = (x: number): Arg => c(x);

function fields(values: Record<string, number | boolean>): Record<string, Arg> {
  return Object.fromEntries(
    Object.entries(values).map(([k, x]) => [k, typeof x === 'boolean' ? bool(x) : num(x)]),
  );
}

/**
 * The tile loops in the mapping's order (outermost first) around `body`: loop variable `t<d>` is the
 * tile's first index along d, `n<d>` its size (the last tile is partial).
 */
function tileLoops<D extends string>(
  order: readonly D[],
  bound: (d: D) => number,
  tile: (d: D) => number,
  body: (x: (d: D) => Expr, n: (d: D) => Expr) => Stmt[],
): Stmt[] {
  const x = (d: D): Expr => v(`t${d}`);
  const n = (d: D): Expr => v(`n${d}`);
  const sizes = order.map((d) => let_(`n${d}`, min(tile(d), sub(bound(d), x(d)))));
  let stmts: Stmt[] = [...sizes, ...body(x, n)];
  for (const d of [...order].reverse()) stmts = [loop(`t${d}`, 0, bound(d), tile(d), stmts)];
  return stmts;
}

/**
 * A conv's tiles as LOOP_CONV_WS instructions. A depthwise conv runs as gemmini.h's tiled_conv_dw
 * runs it (docs/gemmini.md §5.4): one instruction per channel of each tile, with the `dw` flag, one
 * input and one output channel, the weights channel by channel (`packChannelMajorWeights`), and
 * with the dev library as many pixels per input row as the tile has kernel columns (at most DIM);
 * a plain conv tile of at most DIM input channels packs pixels the same way (DIM / its channels).
 */
export function lowerConvLoops(
  w: ConvWorkload,
  m: Mapping,
  spec: Spec,
  options: LowerOptions,
): Program {
  const dim = spec.array.rows;
  const { P, Q } = convOutputSize(w);
  const dw = isDepthwise(w);
  const perGroup = { K: w.K / w.groups, C: w.C / w.groups };
  const bounds = { N: w.N, G: w.groups, P, Q, K: perGroup.K, R: w.R, S: w.S, C: perGroup.C };
  type D = keyof typeof bounds;
  const t = (d: D) => Math.min(m.tile[d] ?? bounds[d], bounds[d]);
  const order = m.order.filter((d): d is D => d in bounds);
  // A downsample packs the even input rows and columns, so the array reads them with stride 1.
  const downsample = downsamples(w, spec);
  const firstLayerPacking =
    vendorLibrary(spec) === 'dev' && !downsample && w.dilationH === 1 && w.dilationW === 1;
  const body = loopPreamble(w, downsample ? 1 : w.strideW, w.K, w.C, w.K, dim, options);
  body.push(
    ...tileLoops(
      order,
      (d) => bounds[d],
      t,
      (x, n) => {
        const irow = sub(add(mul(x('P'), w.strideH), x('R')), w.padTop);
        const icol = sub(add(mul(x('Q'), w.strideW), x('S')), w.padLeft);
        const irows = add(mul(n('P'), w.strideH), n('R'), -1);
        const icols = add(mul(n('Q'), w.strideW), n('S'), -1);
        const upad = max(0, sub(0, irow));
        const lpad = max(0, sub(0, icol));
        const dpad = max(0, sub(add(irow, irows), w.H));
        const rpad = max(0, sub(add(icol, icols), w.W));
        const first = and(eq(x('R'), 0), eq(x('S'), 0), eq(x('C'), 0));
        const last = and(
          le(w.R, add(x('R'), t('R'))),
          le(w.S, add(x('S'), t('S'))),
          le(perGroup.C, add(x('C'), t('C'))),
        );
        // The tile's first input and output channel (a depthwise tile is one channel, its group).
        const group = order.includes('G') ? x('G') : c(0);
        const ich = add(mul(group, perGroup.C), x('C'));
        const och = add(mul(group, perGroup.K), x('K'));
        const input = add(
          mul(add(mul(add(mul(x('N'), w.H), irow, upad), w.W), icol, lpad), w.C),
          ich,
        );
        const weight = dw
          ? add(mul(add(mul(group, w.R), x('R')), w.S), x('S'))
          : add(mul(add(mul(add(mul(x('R'), w.S), x('S')), w.C), x('C')), w.K), x('K'));
        const output = add(mul(add(mul(add(mul(x('N'), P), x('P')), Q), x('Q')), w.K), och);
        // The dev library's first-layer optimisation (HAS_FIRST_LAYER_OPTIMIZATIONS in its
        // gemmini_params.h; the dosa branch undefines it): a tile of at most DIM input channels packs
        // DIM / kchs pixels into a scratchpad row, at most its kernel columns (sp_tiled_conv in
        // include/gemmini.h). A depthwise tile has one channel, so DIM.
        const pixelsPerRow: Arg = firstLayerPacking
          ? min(max(1, div(dim, n('C'))), n('S'))
          : num(1);
        return [
          instr(
            'loopConvWsConfig1',
            fields({
              batchSize: w.N,
              inRowDim: w.H,
              inChannels: w.C,
              outChannels: w.K,
              outRowDim: P,
              poolOutRowDim: P,
              outColDim: Q,
              stride: w.strideH,
              padding: w.padTop,
            }),
          ),
          instr('loopConvWsConfig2', {
            ...fields({
              poolPadding: 0,
              poolStride: 0,
              poolSize: 0,
              poolOutColDim: Q,
              kernelDim: w.S,
            }),
            pochs: n('K'),
            pocols: n('Q'),
            porows: n('P'),
            batches: n('N'),
          }),
          instr('loopConvWsConfig3', {
            lpad,
            kchs: n('C'),
            kcols: n('S'),
            krows: n('R'),
            inColDim: num(w.W),
            plpad: num(0),
            dpad,
            upad,
            rpad,
          }),
          instr('loopConvWsConfig4', {
            ...fields({ kernelDilation: 1, pdpad: 0, pupad: 0, prpad: 0 }),
            orows: n('P'),
            ocols: n('Q'),
            ...fields({ outStride: w.K, weightStride: dw ? 1 : w.K, inStride: w.C }),
          }),
          instr('loopConvWsConfig5', {
            weights: add(v('weight'), weight),
            output: select(last, add(v('output'), output), 0),
          }),
          instr('loopConvWsConfig6', {
            // The library passes a dummy non-zero bias address with no_bias so the first reduction
            // tile zeroes the accumulator; later ones pass none and accumulate.
            bias: select(first, w.bias ? add(v('bias'), mul(4, och)) : 1, 0),
            input: add(v('input'), input),
          }),
          instr('loopConvWs', {
            ...fields({
              noBias: !w.bias,
              wrot180: false,
              transOutput1203: false,
              transWeight1203: false,
              transWeight0132: false,
              transInput3120: false,
              dw,
            }),
            maxPixelsPerRow: pixelsPerRow,
            ...fields({
              bSpadId: 0,
              aSpadId: 0,
              noPool: true,
              downsample,
              inputDilated: false,
              activation: 0,
            }),
          }),
        ];
      },
    ),
  );
  body.push(fence);
  return {
    name: w.name,
    buffers: [
      { name: 'input', bytes: w.N * w.H * w.W * w.C, role: 'input' },
      { name: 'weight', bytes: w.R * w.S * perGroup.C * w.K, role: 'weight' },
      ...(w.bias ? [{ name: 'bias', bytes: 4 * w.K, role: 'bias' } as const] : []),
      { name: 'output', bytes: w.N * P * Q * w.K, role: 'output' },
    ],
    body,
  };
}

export function lowerGemmLoops(
  w: GemmWorkload,
  m: Mapping,
  spec: Spec,
  options: LowerOptions,
): Program {
  const dim = spec.array.rows;
  const bounds = { M: w.M, N: w.N, K: w.K };
  type D = keyof typeof bounds;
  const t = (d: D) => Math.min(m.tile[d] ?? bounds[d], bounds[d]);
  const order = m.order.filter((d): d is D => d in bounds);
  const body = loopPreamble(w, 1, w.N, w.K, w.N, dim, options);
  body.push(
    ...tileLoops(
      order,
      (d) => bounds[d],
      t,
      (x, n) => {
        const blocks = (d: D): Expr => ceilDiv(n(d), dim);
        const first = eq(x('K'), 0);
        const last = le(w.K, add(x('K'), t('K')));
        return [
          instr('loopWsConfigBounds', {
            i: blocks('M'),
            j: blocks('N'),
            k: blocks('K'),
            padI: sub(mul(blocks('M'), dim), n('M')),
            padJ: sub(mul(blocks('N'), dim), n('N')),
            padK: sub(mul(blocks('K'), dim), n('K')),
          }),
          instr('loopWsConfigAddrsAB', {
            a: add(v('A'), mul(x('M'), w.K), x('K')),
            b: add(v('B'), mul(x('K'), w.N), x('N')),
          }),
          instr('loopWsConfigAddrsDC', {
            d: w.bias ? select(first, add(v('bias'), mul(4, x('N'))), 0) : num(0),
            c: select(last, add(v('C'), mul(x('M'), w.N), x('N')), 0),
          }),
          instr('loopWsConfigStridesAB', fields({ a: w.K, b: w.N })),
          instr('loopWsConfigStridesDC', fields({ d: 0, c: w.N })),
          instr('loopWs', {
            // Accumulate onto the bias the tile loaded, or onto earlier reduction tiles.
            exAccumulate: w.bias ? bool(true) : not(first),
            ...fields({
              fullC: false,
              lowD: false,
              activation: 0,
              bSpadId: 0,
              aSpadId: 0,
              aTranspose: false,
              bTranspose: false,
              isResadd: false,
              skip: 0,
              incAccAddr: false,
              spadOnly: false,
              cSpadAddr: 0,
            }),
          }),
        ];
      },
    ),
  );
  body.push(fence);
  return {
    name: w.name,
    buffers: [
      { name: 'A', bytes: w.M * w.K, role: 'input' },
      { name: 'B', bytes: w.K * w.N, role: 'weight' },
      ...(w.bias ? [{ name: 'bias', bytes: 4 * w.N, role: 'bias' } as const] : []),
      { name: 'C', bytes: w.M * w.N, role: 'output' },
    ],
    body,
  };
}
