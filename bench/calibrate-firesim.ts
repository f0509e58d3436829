/**
 * Fits the Gemmini timing model's fitted constants (the spec's `sources` marks them "fitted") to the
 * FireSim measurements in bench/data/firesim-gemmini, and to nothing else: the DRAM round-trip
 * latency a bus request holds its slot for (`dram.latencyCycles`), the host's cycles per tile it
 * hands to a loop instruction (`hostCyclesPerTile`) and the host's cycles per candidate tile the
 * library's tiled_conv_auto checks while it searches its tiling at run time
 * (`hostCyclesPerTilingCheck`, paid by the data's auto runs only). Every other timing constant comes
 * from the RTL.
 * No constant depends on a layer, a shape or a row. The measured programs ran bare metal (physical
 * addresses), so address translation has nothing to fit: the presets have no `dram.translation`.
 *
 *   npm run build && npx tsx bench/calibrate-firesim.ts [--rows all|small]
 *
 * The objective is the mean squared log ratio ours/FireSim over the rows of both columns that have a
 * mapping we run (DOSA mappings the measured library ran unchecked included, timed as they ran:
 * bench/firesim.ts). `--rows small` (the default) fits on the rows of at most 10^8 MACs (62 of 148;
 * the others take tens of seconds each to simulate); bench/firesim.ts then checks the values on every
 * row. Coordinate descent over fixed grids, so the result is the same on every run.
 */
import { parseSpec } from '../dist/spec/load_spec.js';
import type { Spec } from '../dist/spec/spec.js';
import { targetByName } from '../dist/targets/index.js';
import { macs } from '../dist/workload/shape.js';
import { loadFiresimRows } from './firesim-data.js';
import { evaluateRowsOn, rowKey, type KnownCycles } from './firesim.js';
import { writeFitLog } from './stats.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const grids = {
  latency: [60, 70, 80, 90, 100, 110, 120, 130, 140, 160],
  tile: [0, 100, 200, 400, 800, 1600],
  check: [0, 50, 100, 150, 200, 250, 300, 400],
};

interface Constants {
  readonly latency: number;
  readonly tile: number;
  readonly check: number;
}

function withConstants(base: Spec, c: Constants): Spec {
  return parseSpec(
    {
      ...base,
      dram: { ...base.dram, latencyCycles: c.latency },
      hostCyclesPerTile: c.tile,
      hostCyclesPerTilingCheck: c.check,
    },
    'calibration',
  );
}

function main(): void {
  const base = targetByName('gemmini').spec;
  const all = loadFiresimRows();
  const rows =
    (arg('rows') ?? 'small') === 'all' ? all : all.filter((r) => macs(r.workload) <= 1e8);
  const log: string[] = [];
  const say = (line: string): void => {
    console.log(line);
    log.push(line);
  };
  say(`fitting on ${rows.length} of ${all.length} rows`);
  // The search's cycles add to the simulated ones: simulate once per latency and tile cost.
  const simulated = new Map<string, Map<string, KnownCycles>>();
  const loss = (c: Constants): number => {
    const key = `${c.latency}/${c.tile}`;
    const results = evaluateRowsOn(withConstants(base, c), rows, simulated.get(key));
    if (!simulated.has(key)) {
      const known = results.map((r): [string, KnownCycles] => [
        rowKey(r.row),
        { autoProgram: r.autoOurs - r.autoSearch, mappedOurs: r.mappedOurs },
      ]);
      simulated.set(key, new Map(known));
    }
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
    say(`${JSON.stringify(c)}: mean squared log ratio ${value.toFixed(4)}`);
    return value;
  };
  let best: Constants = {
    latency: base.dram.latencyCycles,
    tile: base.hostCyclesPerTile ?? 0,
    check: base.hostCyclesPerTilingCheck ?? 0,
  };
  let bestLoss = loss(best);
  for (let round = 0; round < 3; round++) {
    let moved = false;
    for (const key of ['check', 'latency', 'tile'] as const) {
      for (const value of grids[key]) {
        if (value === best[key]) continue;
        const c = { ...best, [key]: value };
        const v = loss(c);
        if (v < bestLoss - 1e-9) [bestLoss, best, moved] = [v, c, true];
      }
    }
    if (!moved) break;
  }
  say(`fitted: ${JSON.stringify(best)} (mean squared log ratio ${bestLoss.toFixed(4)})`);
  const command = `npm run build && npx tsx bench/calibrate-firesim.ts ${process.argv.slice(2).join(' ')}`;
  writeFitLog(
    'bench/results/calibrate-firesim.md',
    'The Gemmini spec constants fitted to the FireSim data',
    command,
    "Every evaluation of the coordinate descent, from the spec presets' values at the time:",
    log,
  );
}

main();
