/**
 * Fits the area and energy estimate of `gemmforge explore` (src/explore/estimate.ts) to the Accelergy
 * figures in bench/data/firesim-gemmini: `target.area` of each buffer configuration, and
 * `target.energy` of each layer on it. These are Timeloop/Accelergy estimates, not measurements, and
 * every row has a 16×16 array, so the array's own share of the area is the fit's intercept.
 *
 *   npm run build && npx tsx bench/fit-area-energy.ts   → bench/results/area-energy-fit.md
 *
 * Area: least squares over the 8 distinct configurations,
 *   area = a0 + a1 · (bytes of the memories holding inputs and weights) + a2 · (bytes of those
 *   holding outputs).
 * Energy: least squares of the relative error over all 148 rows,
 *   energy = e0 · MACs + e1 · MACs · (on-chip bytes / 2^20) + e2 · (the layer's minimal DRAM bytes).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { macs, minimalTraffic, totalBytes } from '../dist/workload/shape.js';
import { loadFiresimRows, type FiresimRow } from './firesim-data.js';
import { machineLine } from './stats.js';

/** Scratchpad rows are 16 bytes (inputs, weights), accumulator rows 64 (outputs): the data's README. */
const inputWeightBytes = (r: FiresimRow): number => r.spRows * 16;
const outputBytes = (r: FiresimRow): number => r.accRows * 64;

/** Solves min ‖X·c − y‖² by the normal equations (Gaussian elimination with partial pivoting). */
function leastSquares(x: readonly number[][], y: readonly number[]): number[] {
  const n = x[0].length;
  const a = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  x.forEach((row, r) => {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i][j] += row[i] * row[j];
      a[i][n] += row[i] * y[r];
    }
  });
  for (let i = 0; i < n; i++) {
    let p = i;
    for (let k = i + 1; k < n; k++) if (Math.abs(a[k][i]) > Math.abs(a[p][i])) p = k;
    [a[i], a[p]] = [a[p], a[i]];
    for (let k = 0; k < n; k++) {
      if (k === i) continue;
      const f = a[k][i] / a[i][i];
      for (let j = i; j <= n; j++) a[k][j] -= f * a[i][j];
    }
  }
  return a.map((row, i) => row[n] / row[i]);
}

function quantiles(xs: readonly number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number): string => s[Math.min(s.length - 1, Math.floor(f * s.length))].toFixed(3);
  return `min ${q(0)}, 10% ${q(0.1)}, median ${q(0.5)}, 90% ${q(0.9)}, max ${q(1)}`;
}

const rows = loadFiresimRows();
const configs = [...new Map(rows.map((r) => [`${r.spRows}/${r.accRows}`, r] as const)).values()];
const areaX = configs.map((r) => [1, inputWeightBytes(r), outputBytes(r)]);
const area = leastSquares(
  areaX,
  configs.map((r) => r.area),
);
const areaFit = (r: FiresimRow): number =>
  area[0] + area[1] * inputWeightBytes(r) + area[2] * outputBytes(r);

const energyFeatures = (r: FiresimRow): number[] => {
  const m = macs(r.workload);
  const sram = inputWeightBytes(r) + outputBytes(r);
  return [m, (m * sram) / 2 ** 20, totalBytes(minimalTraffic(r.workload))];
};
// Each row divided by its energy: the fit minimises relative error, so small layers count.
const energy = leastSquares(
  rows.map((r) => energyFeatures(r).map((v) => v / r.energy)),
  rows.map(() => 1),
);
const energyFit = (r: FiresimRow): number =>
  energyFeatures(r).reduce((s, v, i) => s + v * energy[i], 0);

const lines = [
  '# Area and energy estimate for `gemmforge explore`, fitted to Accelergy',
  '',
  '`npm run build && npx tsx bench/fit-area-energy.ts` · ' + machineLine(),
  '',
  'Data: bench/data/firesim-gemmini (148 rows, 8 buffer configurations, all 16×16). The targets are',
  'Timeloop/Accelergy estimates (`target.area`, `target.energy`), in the units of those columns.',
  '',
  '## Area (per configuration)',
  '',
  'area = a0 + a1 · input/weight memory bytes + a2 · output memory bytes',
  '',
  `a0 = ${area[0]}, a1 = ${area[1]}, a2 = ${area[2]}`,
  '',
  '| scratchpad rows | accumulator rows | target.area | fitted | ratio |',
  '|---:|---:|---:|---:|---:|',
  ...configs.map(
    (r) =>
      `| ${r.spRows} | ${r.accRows} | ${r.area} | ${areaFit(r).toFixed(4)} | ` +
      `${(areaFit(r) / r.area).toFixed(3)} |`,
  ),
  '',
  '## Energy (per layer)',
  '',
  'energy = e0 · MACs + e1 · MACs · on-chip MiB + e2 · minimal DRAM bytes',
  '',
  `e0 = ${energy[0]}, e1 = ${energy[1]}, e2 = ${energy[2]}`,
  '',
  `fitted / target.energy over the 148 rows: ${quantiles(rows.map((r) => energyFit(r) / r.energy))}`,
  '',
  'The energy columns come from Timeloop mappings that differ per row (the DOSA search); this',
  'estimate sees only the layer and the buffer sizes, and outputs label it fitted.',
  '',
];
const out = join(import.meta.dirname, 'results', 'area-energy-fit.md');
writeFileSync(out, lines.join('\n'));
process.stdout.write(lines.join('\n'));
