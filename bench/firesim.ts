/**
 * Our simulated cycles against Gemmini's RTL measured in FireSim, on every row of
 * bench/data/firesim-gemmini (see bench/firesim-data.ts for how a row becomes a layer). Columns:
 * the library's own tiling (`auto`: our baseline scheduler, which picks the tiles the data records,
 * on the default buffer sizes as the library did) and, when the Timeloop parser is built, the DOSA
 * mapping of the row (`mapped`). Timing-only simulation of the compiled build (dist/).
 *
 *   npm run build && npx tsx bench/firesim.ts [--target gemmini] [--rows all|small] [--render]
 *
 * Writes bench/results/firesim.md and bench/results/firesim.json. `--render` simulates nothing: it
 * takes our cycles from firesim.json (and the simulation time from firesim.md) and writes the report
 * again, e.g. after a change to the text; everything else is derived from the data as in a full run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { simulatedCycles } from '../dist/runtime/run_layer.js';
import { validateMapping } from '../dist/schedule/validate.js';
import { targetByName, targetFromSpec } from '../dist/targets/index.js';
import type { Spec } from '../dist/spec/spec.js';
import type { Mapping } from '../dist/mapping/mapping.js';
import { parseTimeloopMapping } from '../dist/mapping/timeloop.js';
import { macs } from '../dist/workload/shape.js';
import { loadFiresimRows, targetsForRows, type FiresimRow } from './firesim-data.js';
import { convTilingChecks } from '../dist/targets/gemmini/baseline.js';
import { geomean, machineLine, spearman } from './stats.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

/**
 * The library's tiling in the data's notation R_S_P_Q_C_K_N (tile sizes in elements). A GEMM's tiles
 * are whole array blocks: tiled_matmul_auto sizes tile_I, tile_J and tile_K in blocks of DIM rows of
 * the padded matrices (include/gemmini.h), so the data records a 1-row tile as DIM rows; conv tiles
 * are in elements as they are.
 */
export function tilingString(row: FiresimRow, m: Mapping, dim: number): string {
  const t = m.tile as Record<string, number | undefined>;
  const w = row.workload;
  const blocks = (x: number) => Math.ceil(x / dim) * dim;
  if (w.kind === 'gemm')
    return `1_1_${blocks(t.M ?? w.M)}_1_${blocks(t.K ?? w.K)}_${blocks(t.N ?? w.N)}_1`;
  return [t.S, t.R, t.Q, t.P, t.C, t.K, t.N].map((x) => x ?? 1).join('_');
}

export interface RowResult {
  readonly row: FiresimRow;
  /** The auto run: the simulated program plus the library's tiling search on the host (autoSearch). */
  readonly autoOurs: number;
  readonly autoSearch: number;
  readonly autoTilingMatches: boolean;
  readonly autoOnDefaultSizes: boolean;
  /** Our cycles for the row's DOSA mapping; null where we cannot run it (the reason beside). */
  readonly mappedOurs: number | null;
  readonly mappedProblem: string | null;
  /**
   * The mapping breaks a rule the library checks only with its assertions on (a tile beyond its loop
   * slot's half, a reduction outside an output loop, a tile beyond the memory), and the measured
   * library ran with them off: timed as it ran, at the addresses the hardware's loop unrollers
   * computed for its real buffers (overlapping, or wrapped), on memories four times larger so that
   * rows past the real ones stay in range.
   */
  readonly mappedUnchecked: boolean;
}

/**
 * The rules gemmini.h checks only under GEMMINI_ASSERTIONS, which the measured library (the data's
 * `dosa` branch of include/gemmini.h) undefines: its tiled_conv / tiled_matmul run such tiles, the
 * loop instructions' addresses overlapping (results wrong, commands and traffic as for a tile that
 * fits).
 */
const uncheckedByLibrary = /^(hardwareLoops|order|memories\.)/;

/**
 * The row's DOSA mapping through our Timeloop-notation parser, run as the data ran it: one hardware
 * loop per tile (tiled_conv / tiled_matmul with those tiles and that loop order). The UNet 2×2 rows
 * ran with an output one larger than their P and Q, so a short cover is accepted.
 */
function mappedMapping(row: FiresimRow, spec: Spec): Mapping | string {
  try {
    const m = parseTimeloopMapping(row.mapping, row.workload, spec, { requireCover: false });
    return { ...m, hardwareLoops: true };
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Our cycles for every row on `spec` (the default buffer sizes) resized per row. The measurements
 * ran with the `dosa` branch of gemmini.h, which has no downsample rule (src/targets/gemmini/
 * library.ts), so its auto tiling and loop conventions are the ones simulated.
 */
export function evaluateRowsOn(
  measured: Spec,
  rows: readonly FiresimRow[],
  known?: ReadonlyMap<string, KnownCycles>,
): RowResult[] {
  const spec: Spec = { ...measured, vendorLibrary: 'dosa' };
  const base = targetFromSpec(spec, 'firesim base');
  const targetOf = targetsForRows(spec, rows);
  const vendor = base.baseline;
  if (vendor === null) throw new Error(`${spec.name} has no vendor tiling`);
  return rows.map((row) => {
    const was = known?.get(rowKey(row));
    const simulated = (
      t: typeof base,
      w: FiresimRow['workload'],
      m: Mapping,
      earlier?: number | null,
    ) => earlier ?? simulatedCycles(t, w, m);
    const auto = vendor(row.workload);
    // The measured auto run chose its tiles inside the timed region (tiled_conv_auto searches on the
    // host at every call); the GEMM path's search is a few dozen multiply-compares, left out.
    const search =
      row.workload.kind === 'conv'
        ? convTilingChecks(row.workload, spec) * (spec.hostCyclesPerTilingCheck ?? 0)
        : 0;
    // The library sized its tiles for the default buffers; where they overflow the row's smaller
    // ones, the auto run cannot have had those sizes, so it is simulated on the default ones.
    const own = targetOf(row);
    const fits = validateMapping(row.workload, auto, own).length === 0;
    const mapped = mappedMapping(row, own.spec);
    const problems = typeof mapped === 'string' ? [] : validateMapping(row.workload, mapped, own);
    const mappedProblems =
      typeof mapped === 'string' ? [mapped] : problems.map((p) => `${p.path}: ${p.message}`);
    let mappedOurs: number | null = null;
    let mappedUnchecked = false;
    if (typeof mapped !== 'string') {
      if (problems.length === 0) {
        mappedOurs = simulated(own, row.workload, mapped, was?.mappedOurs);
      } else if (problems.every((p) => uncheckedByLibrary.test(p.path))) {
        const roomy = targetOf(row, 4);
        const left = validateMapping(row.workload, mapped, roomy).filter((p) => p.path !== 'order');
        if (left.length === 0) {
          mappedOurs = simulated(roomy, row.workload, mapped, was?.mappedOurs);
          mappedUnchecked = true;
        }
      }
    }
    return {
      row,
      autoOurs: simulated(fits ? own : base, row.workload, auto, was?.autoProgram) + search,
      autoSearch: search,
      autoTilingMatches: tilingString(row, auto, spec.array.rows) === row.autoTiling,
      autoOnDefaultSizes: !fits,
      mappedOurs,
      mappedProblem: mappedProblems.length === 0 ? null : mappedProblems[0],
      mappedUnchecked,
    };
  });
}

/** Our cycles of a row from an earlier run (bench/results/firesim.json). */
export interface KnownCycles {
  /** The auto run's simulated program, without the library's tiling search. */
  readonly autoProgram: number;
  readonly mappedOurs: number | null;
}

export function rowKey(row: FiresimRow): string {
  return `${row.folder}/${row.network}#${row.index}`;
}

/** All rows, or with `small` those of at most 2·10^8 MACs (the rest take minutes each to simulate). */
export function evaluateRows(
  targetName: string,
  small: boolean,
  known?: ReadonlyMap<string, KnownCycles>,
): RowResult[] {
  const rows = loadFiresimRows().filter((r) => !small || macs(r.workload) <= 2e8);
  return evaluateRowsOn(targetByName(targetName).spec, rows, known);
}

/** The cycles and simulation time of the last full run, for `--render`. */
function lastRun(): { known: Map<string, KnownCycles>; seconds: number } {
  const json = JSON.parse(readFileSync('bench/results/firesim.json', 'utf8')) as {
    data: string;
    autoOurs: number;
    autoSearch?: number;
    mappedOurs: number | null;
  }[];
  const seconds = /simulation: ([0-9.]+) s in all/.exec(
    readFileSync('bench/results/firesim.md', 'utf8'),
  );
  if (seconds === null) throw new Error('bench/results/firesim.md names no simulation time');
  const known = json.map((r): [string, KnownCycles] => [
    r.data,
    { autoProgram: r.autoOurs - (r.autoSearch ?? 0), mappedOurs: r.mappedOurs },
  ]);
  return { known: new Map(known), seconds: Number(seconds[1]) };
}

interface Summary {
  readonly geomean: number;
  readonly within10: number;
  readonly within20: number;
}

export function summarize(ratios: readonly number[]): Summary {
  const share = (tol: number) =>
    ratios.filter((r) => Math.abs(r - 1) <= tol).length / ratios.length;
  return { geomean: geomean(ratios), within10: share(0.1), within20: share(0.2) };
}

function main(): void {
  const targetName = arg('target') ?? 'gemmini';
  const started = performance.now();
  const small = (arg('rows') ?? 'all') === 'small';
  const earlier = process.argv.includes('--render') ? lastRun() : undefined;
  const results = evaluateRows(targetName, small, earlier?.known);
  const seconds = earlier?.seconds ?? (performance.now() - started) / 1000;
  const ratios = results.map((r) => r.autoOurs / r.row.autoCycles);
  const s = summarize(ratios);
  const mappedRuns = results.filter((r) => r.mappedOurs !== null);
  const mappedRatios = (rs: readonly RowResult[]) =>
    rs.map((r) => r.mappedOurs! / r.row.mappedCycles);
  const checked = mappedRuns.filter((r) => !r.mappedUnchecked);
  const unchecked = mappedRuns.filter((r) => r.mappedUnchecked);
  const ms = summarize(mappedRatios(mappedRuns));
  const msChecked = summarize(mappedRatios(checked));
  const msUnchecked = summarize(mappedRatios(unchecked));
  const speedOurs = mappedRuns.map((r) => r.autoOurs / r.mappedOurs!);
  const speedTheirs = mappedRuns.map((r) => r.row.autoCycles / r.row.mappedCycles);
  const rho = spearman(speedOurs, speedTheirs);
  const problems = new Map<string, number>();
  for (const r of results) {
    if (r.mappedOurs === null && r.mappedProblem !== null) {
      problems.set(r.mappedProblem, (problems.get(r.mappedProblem) ?? 0) + 1);
    }
  }
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  const lines: string[] = [
    '# Our cycles vs Gemmini RTL in FireSim',
    '',
    `\`npm run build && npx tsx bench/firesim.ts${small ? ' --rows small' : ''}\``,
    '',
    machineLine(),
    `${results.length} rows${small ? ' (--rows small: those of at most 2·10^8 MACs)' : ''} (bench/data/firesim-gemmini), target \`${targetName}\` with each row's ` +
      `scratchpad/accumulator sizes, timing-only simulation: ${seconds.toFixed(1)} s in all.`,
    `Library tiling reproduced (our baseline vs \`dse.auto_tiling\`): ` +
      `${results.filter((r) => r.autoTilingMatches).length} of ${results.length} rows. Where those ` +
      `tiles overflow the row's buffers (${results.filter((r) => r.autoOnDefaultSizes).length} rows), ` +
      'the auto run is simulated with the default sizes the library tiled for.',
    `The auto runs also searched their tiling on the host inside the timed region (tiled_conv_auto at ` +
      `every call): ours add each conv row's candidate checks × \`hostCyclesPerTilingCheck\` ` +
      `(${searchShare(results)}).`,
    '',
    '| column | geomean ours/FireSim | within ±10% | within ±20% |',
    '|---|---:|---:|---:|',
    `| auto (gemmini.h's tiling) | ${s.geomean.toFixed(3)} | ${pct(s.within10)} | ${pct(s.within20)} |`,
    `| mapped (DOSA's mappings, all ${mappedRuns.length} rows we run) | ${ms.geomean.toFixed(3)} | ` +
      `${pct(ms.within10)} | ${pct(ms.within20)} |`,
    `| mapped, tiles within the rules (${checked.length} rows) | ${msChecked.geomean.toFixed(3)} | ` +
      `${pct(msChecked.within10)} | ${pct(msChecked.within20)} |`,
    `| mapped, tiles the library ran unchecked (${unchecked.length} rows) | ` +
      `${msUnchecked.geomean.toFixed(3)} | ${pct(msUnchecked.within10)} | ${pct(msUnchecked.within20)} |`,
    '',
    "Unchecked tiles: the measured library (include/gemmini.h of ucb-bar/gemmini-rocc-tests' `dosa` " +
      "branch) undefines GEMMINI_ASSERTIONS, so DOSA mappings whose tile overflows the loop slot's half " +
      'of a buffer (or the whole buffer), or whose reduction loop sits outside an output loop, ran ' +
      'anyway: the same commands and traffic, with overlapping addresses and wrong results. We time ' +
      "them as they ran: the loop unrollers compute the rows the hardware's do for its real buffers " +
      '(inputs and weights overlapping, rows wrapped in the address field), so the reservation ' +
      "station's waits on those overlaps are timed; the memories are simulated four times larger so " +
      'that rows past the real ones stay in range (spec `hardwareCapacityBytes`).',
    '',
    `Speedup of the DOSA mapping over the library's (auto / mapped cycles), per row: FireSim geomean ` +
      `${geomean(speedTheirs).toFixed(2)}×, ours ${geomean(speedOurs).toFixed(2)}×; Spearman ρ ${rho.toFixed(2)}.`,
    '',
    'Rows whose DOSA mapping we do not run, by reason:',
    '',
    ...[...problems].map(([why, n]) => `- ${n} rows: ${why}`),
    '',
    '## The ten worst rows',
    '',
    '| data | layer | column | FireSim | ours | ratio | what we found |',
    '|---|---|---|---:|---:|---:|---|',
    ...worstRows(results).map(
      (x) =>
        `| ${x.r.row.folder}/${x.r.row.network}#${x.r.row.index} | ${shapeText(x.r.row)} | ${x.column} | ` +
        `${x.theirs} | ${x.ours} | ${(x.ours / x.theirs).toFixed(2)} | ${reasonFor(x.r.row, x.ours / x.theirs)} |`,
    ),
    '',
    '## Every row',
    '',
    '(u): the DOSA mapping ran with unchecked tiles (above).',
    '',
    '| data | layer | sp/acc rows | auto FireSim | auto ours | ratio | mapped FireSim | mapped ours | ratio |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.row.folder}/${r.row.network}#${r.row.index} | ${r.row.workload.name.replace(/.*-/, '')} ` +
        `${shapeText(r.row)} | ${r.row.spRows}/${r.row.accRows} | ${r.row.autoCycles} | ${r.autoOurs} | ` +
        `${(r.autoOurs / r.row.autoCycles).toFixed(2)} | ${r.row.mappedCycles} | ` +
        `${r.mappedOurs ?? '–'}${r.mappedUnchecked ? ' (u)' : ''} | ` +
        `${r.mappedOurs === null ? '–' : (r.mappedOurs / r.row.mappedCycles).toFixed(2)} |`,
    ),
  ];
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/firesim.md', lines.join('\n') + '\n');
  writeFileSync(
    'bench/results/firesim.json',
    JSON.stringify(
      results.map((r) => ({
        data: rowKey(r.row),
        autoFiresim: r.row.autoCycles,
        autoOurs: r.autoOurs,
        autoSearch: r.autoSearch,
        mappedFiresim: r.row.mappedCycles,
        mappedOurs: r.mappedOurs,
        mappedUnchecked: r.mappedUnchecked,
      })),
      null,
      1,
    ) + '\n',
  );
  console.log(lines.slice(0, 22).join('\n'));
}

/** How much of the auto column the library's tiling search is: its total, and its range per row. */
function searchShare(results: readonly RowResult[]): string {
  const shares = results.filter((r) => r.autoSearch > 0).map((r) => r.autoSearch / r.autoOurs);
  if (shares.length === 0) return 'none here';
  const total = results.reduce((sum, r) => sum + r.autoSearch, 0);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return (
    `${total.toLocaleString('en-US')} cycles over ${shares.length} rows, ` +
    `${pct(Math.min(...shares))} to ${pct(Math.max(...shares))} of a row's auto cycles`
  );
}

/** The ten rows (either column) furthest from FireSim in log ratio. */
function worstRows(results: readonly RowResult[]) {
  const all = results.flatMap((r) => [
    { r, column: 'auto', ours: r.autoOurs, theirs: r.row.autoCycles },
    ...(r.mappedOurs === null
      ? []
      : [{ r, column: 'mapped', ours: r.mappedOurs, theirs: r.row.mappedCycles }]),
  ]);
  return all
    .sort((a, b) => Math.abs(Math.log(b.ours / b.theirs)) - Math.abs(Math.log(a.ours / a.theirs)))
    .slice(0, 10);
}

/**
 * What we found about a badly predicted row, by the features the worst rows share (hypotheses
 * where no measurement confirms them; docs/progress.md lists them as open).
 */
function reasonFor(row: FiresimRow, ratio: number): string {
  const p = row.prob;
  if (p.R === 3 && p.P >= 28 && p.C >= 512 && ratio < 1) {
    return "a large 3×3 conv, far outside the fitted rows (10^9 MACs and more): the mapped run is slower in FireSim than the model's compute and traffic explain (not found)";
  }
  if (p.K <= 4 && ratio < 1) {
    return 'two output channels: every output row is a 2-byte store; the store path costs more per row than the model charges (not found)';
  }
  if (p.C === 1 && ratio < 1) {
    return 'one input channel: every input row is a 1-byte load at a 1-byte stride; per-row DMA costs are undercharged (not found)';
  }
  if (p.R === 1 && p.P <= 14 && ratio < 1) {
    return 'a 1×1 conv with at most 14 output columns: blocks of fewer than 16 rows; the execute unit seems to lose more per block than the model charges (not found)';
  }
  if (p.R === 3 && p.P <= 4 && ratio > 1) {
    return 'a 3×3 conv on a tiny image: weight loads dominate; FireSim overlaps them better than the model (not found)';
  }
  return 'not found';
}

function shapeText(row: FiresimRow): string {
  const p = row.prob;
  return row.workload.kind === 'gemm'
    ? `gemm ${p.P}×${p.K}×${p.C}`
    : `conv ${p.P}² C${p.C} K${p.K} ${p.R}×${p.S}/${p.stride}`;
}

if (basename(process.argv[1] ?? '') === 'firesim.ts') main();
