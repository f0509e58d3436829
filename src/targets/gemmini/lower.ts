import type { Program } from '../../program/program.js';
import type { Mapping } from '../../mapping/mapping.js';
import type { Spec } from '../../spec/spec.js';
import type { Footprint, LowerOptions, Problem } from '../../contract/target.js';
import type { Workload } from '../../workload/workload.js';
import { foldProblems } from './conv_fold.js';
import {
  convFootprint,
  isDiagonal,
  packChannelMajorWeights,
  packDiagonalWeights,
} from './conv_layout.js';
import { gemmFootprint } from './gemm_layout.js';
import { isDepthwise } from '../../workload/shape.js';
import { lowerConv } from './lower_conv.js';
import { lowerGemm } from './lower_gemm.js';
import { loopLoweringProblem, lowerConvLoops, lowerGemmLoops } from './lower_loops.js';

/** Mapping → Gemmini program, per workload kind. */
export function lower(w: Workload, m: Mapping, spec: Spec, options: LowerOptions): Program {
  if (m.hardwareLoops === true) {
    return w.kind === 'gemm'
      ? lowerGemmLoops(w, m, spec, options)
      : lowerConvLoops(w, m, spec, options);
  }
  switch (w.kind) {
    case 'gemm':
      return lowerGemm(w, m, spec, options);
    case 'conv':
      return lowerConv(w, m, spec, options);
  }
}

export function footprint(w: Workload, m: Mapping, spec: Spec): readonly Footprint[] {
  switch (w.kind) {
    case 'gemm':
      return gemmFootprint(w, m, spec);
    case 'conv':
      return convFootprint(w, m, spec);
  }
}

/** Gemmini's own limits on a mapping: the array axes its lowering uses, panel alignment. */
export function checkMapping(w: Workload, m: Mapping, spec: Spec): readonly Problem[] {
  const dim = spec.array.rows;
  const problems: Problem[] = [];
  if (m.hardwareLoops === true) {
    const why = loopLoweringProblem(w, m, spec);
    if (why !== null) problems.push({ path: 'hardwareLoops', message: why });
  }
  const ws = m.dataflow === 'weight-stationary';
  const depthwise = isDepthwise(w);
  const want =
    w.kind === 'gemm'
      ? ws
        ? { rows: 'K', cols: 'N' }
        : { rows: 'M', cols: 'N' }
      : isDiagonal(m)
        ? ws
          ? { rows: 'G', cols: 'G' }
          : { rows: 'Q', cols: 'G' }
        : ws
          ? { rows: 'C', cols: 'K' }
          : { rows: 'Q', cols: 'K' };
  if (m.spatial.rows !== want.rows || m.spatial.cols !== want.cols) {
    problems.push({
      path: 'spatial',
      message: `${m.dataflow} on this array puts ${want.rows} on its rows and ${want.cols} on its columns`,
    });
  }
  if (isDiagonal(m) && !depthwise) {
    problems.push({
      path: 'spatial',
      message: 'groups on the array columns need a depthwise conv',
    });
  }
  if (w.kind === 'conv') {
    const tG = m.tile.G ?? 1;
    if (!isDiagonal(m) && tG !== 1) {
      problems.push({ path: 'tile.G', message: `a step runs one group at a time (got ${tG})` });
    }
    if (isDiagonal(m) && tG % dim !== 0 && tG !== w.groups) {
      problems.push({
        path: 'tile.G',
        message: `diagonal blocks need a multiple of ${dim} groups, or all ${w.groups} (got ${tG})`,
      });
    }
    for (const [tensor, dims] of Object.entries(m.resident)) {
      if (dims.length > 0) {
        problems.push({ path: `resident.${tensor}`, message: 'conv panels are not supported yet' });
      }
    }
    problems.push(...foldProblems(w, m, spec));
  }
  for (const [tensor, dims] of Object.entries(m.resident)) {
    for (const d of dims) {
      const t = m.tile[d as never] as number | undefined;
      const bound = w.kind === 'gemm' ? (d === 'M' ? w.M : d === 'N' ? w.N : w.K) : undefined;
      if (t !== undefined && bound !== undefined && t < bound && t % dim !== 0) {
        problems.push({
          path: `resident.${tensor}`,
          message: `a panel over ${d} needs tile.${d} to be a multiple of ${dim} (got ${t})`,
        });
      }
    }
  }
  return problems;
}

/**
 * Depthwise weights for the diagonal path are packed as DIM×DIM diagonal blocks; for the loop
 * instruction's depthwise path channel by channel, as gemmini.h's tiled_conv_dw reads them.
 */
export function packWeights(w: Workload, m: Mapping, spec: Spec, weights: Int8Array): Int8Array {
  if (w.kind !== 'conv') return weights;
  if (isDiagonal(m)) return packDiagonalWeights(w, weights, spec.array.rows);
  if (m.hardwareLoops === true && isDepthwise(w)) return packChannelMajorWeights(w, weights);
  return weights;
}
