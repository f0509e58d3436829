/**
 * Fits the Gemmini timing model's fitted constants (the spec's `sources` marks them "fitted") to the
 * FireSim measurements in bench/data/firesim-gemmini, and to nothing else: the DRAM round-trip
 * latency a bus request holds its slot for (`dram.latencyCycles`) and the host's cycles per
 * instruction it issues (`issueCyclesPerInstruction`). Every other timing constant comes from the RTL.
 * No constant depends on a layer, a shape or a row.
 *
 *   npm run build && npx tsx bench/calibrate-firesim.ts [--rows all|small]
 *
 * The objective is the mean squared log ratio ours/FireSim over the rows of both columns that have a
 * mapping we can run. `--rows small` (the default) fits on the rows whose library tiling needs fewer
 * than 20,000 tiles × blocks (the others take minutes each to simulate); the chosen values are then
 * checked on every row by bench/firesim.ts. Coordinate descent over a fixed grid, so the result is
 * the same on every run.
 */
import { parseSpec } from '../dist/spec/load_spec.js';
import type { Spec } from '../dist/spec/spec.js';
import { targetByName } from '../dist/targets/index.js';
import { macs } from '../dist/workload/shape.js';
import { loadFiresimRows } from './firesim-data.js';
import { evaluateRowsOn } from './firesim.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const grids = {
  latency: [40, 60, 80, 100, 120, 150, 180, 220, 270, 330],
  issue: [1, 2, 4, 6, 8, 12, 16, 24, 32],
};

function withConstants(base: Spec, latency: number, issue: number): Spec {
  return parseSpec(
    { ...base, dram: { ...base.dram, latencyCycles: latency }, issueCyclesPerInstruction: issue },
    'calibration',
  );
}

function main(): void {
  const base = targetByName('gemmini').spec;
  const all = loadFiresimRows();
  const rows =
    (arg('rows') ?? 'small') === 'all' ? all : all.filter((r) => macs(r.workload) <= 2e8);
  console.log(`fitting on ${rows.length} of ${all.length} rows`);
  const loss = (latency: number, issue: number): number => {
    const results = evaluateRowsOn(withConstants(base, latency, issue), rows);
    let sum = 0;
    let n = 0;
    for (const r of results) {
      for (const [ours, theirs] of [
        [r.autoOurs, r.row.autoCycles],
        [r.mappedOurs, r.row.mappedCycles],
      ] as const) {
        if (ours === null) continue;
        sum += Math.log(ours / theirs) ** 2;
        n++;
      }
    }
    const value = sum / n;
    console.log(`latency ${latency}, issue ${issue}: mean squared log ratio ${value.toFixed(4)}`);
    return value;
  };
  let latency = base.dram.latencyCycles;
  let issue = base.issueCyclesPerInstruction;
  let best = loss(latency, issue);
  for (let round = 0; round < 3; round++) {
    let moved = false;
    for (const l of grids.latency) {
      const v = loss(l, issue);
      if (v < best - 1e-9) [best, latency, moved] = [v, l, true];
    }
    for (const h of grids.issue) {
      const v = loss(latency, h);
      if (v < best - 1e-9) [best, issue, moved] = [v, h, true];
    }
    if (!moved) break;
  }
  console.log(
    `fitted: dram.latencyCycles ${latency}, issueCyclesPerInstruction ${issue} (loss ${best.toFixed(4)})`,
  );
}

main();
