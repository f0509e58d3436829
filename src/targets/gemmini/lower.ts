import { UnsupportedError } from '../../errors.js';
import type { Program } from '../../program/program.js';
import type { Mapping } from '../../schedule/mapping.js';
import type { Spec } from '../../target/spec.js';
import type { Footprint, LowerOptions, Problem } from '../../target/target.js';
import type { Workload } from '../../workload/workload.js';
import { gemmFootprint } from './gemm_layout.js';
import { lowerGemm } from './lower_gemm.js';

/** Mapping → Gemmini program, per workload kind. */
export function lower(w: Workload, m: Mapping, spec: Spec, options: LowerOptions): Program {
  switch (w.kind) {
    case 'gemm':
      return lowerGemm(w, m, spec, options);
    case 'conv':
      throw new UnsupportedError(w.name, 'convolution lowering is not built yet');
  }
}

export function footprint(w: Workload, m: Mapping, spec: Spec): readonly Footprint[] {
  switch (w.kind) {
    case 'gemm':
      return gemmFootprint(w, m, spec);
    case 'conv':
      throw new UnsupportedError(w.name, 'convolution layout is not built yet');
  }
}

/** Gemmini's own limits on a mapping: the array axes its lowering uses, panel alignment. */
export function checkMapping(w: Workload, m: Mapping, spec: Spec): readonly Problem[] {
  const dim = spec.array.rows;
  const problems: Problem[] = [];
  const want =
    w.kind === 'gemm'
      ? m.dataflow === 'weight-stationary'
        ? { rows: 'K', cols: 'N' }
        : { rows: 'M', cols: 'N' }
      : m.dataflow === 'weight-stationary'
        ? { rows: 'C', cols: 'K' }
        : { rows: 'Q', cols: 'K' };
  if (m.spatial.rows !== want.rows || m.spatial.cols !== want.cols) {
    problems.push({
      path: 'spatial',
      message: `${m.dataflow} on this array puts ${want.rows} on its rows and ${want.cols} on its columns`,
    });
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
