/**
 * How well the analytical cost model ranks mappings: per layer, ≥ 200 random legal mappings are
 * costed by the model and simulated (timing only); reported are Spearman's ρ between the two, the mean
 * absolute percentage error, and how far the model's favourite is from the simulator's. Goal (issue 4):
 * ρ ≥ 0.9 on every ResNet-50 layer.
 *
 *   npm run build && npx tsx bench/cost-fidelity.ts [--network resnet50] [--samples 200]
 *
 * Random mappings: per dim a tile drawn from {the bound, a multiple of the array dimension, any size},
 * a random legal loop order, random dataflow and double buffering. Mappings the model expects to need
 * more than 400k instructions are skipped (they take seconds each to simulate and none is a contender).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { seededRandom } from '../dist/numeric/numeric.js';
import { runLayer } from '../dist/runtime/run_layer.js';
import { estimateCost } from '../dist/schedule/cost.js';
import type { Mapping } from '../dist/mapping/mapping.js';
import { validateMapping } from '../dist/schedule/validate.js';
import { targetByName } from '../dist/targets/index.js';
import { canonicalWorkload } from '../dist/workload/canonical.js';
import { loopNest } from '../dist/workload/shape.js';
import type { Dim, Workload } from '../dist/workload/workload.js';
import { machineLine, spearman } from './stats.js';
import { loadWorkloads, type NetworkName } from '../dist/workload/networks.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const network = (arg('network') ?? 'resnet50') as NetworkName;
const samples = Number(arg('samples') ?? 200);
const target = targetByName(arg('target') ?? 'gemmini');
const dim = target.spec.array.rows;

function randomMapping(w: Workload, rnd: () => number): Mapping {
  const nest = loopNest(w);
  const tile: Partial<Record<Dim, number>> = {};
  for (const { dim: d, bound } of nest.dims) {
    const r = rnd() % 3;
    tile[d] =
      d === 'G'
        ? 1
        : r === 0
          ? bound
          : r === 1
            ? Math.min(bound, dim * (1 + (rnd() % Math.ceil(bound / dim))))
            : 1 + (rnd() % bound);
  }
  const shuffle = (xs: Dim[]): Dim[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = rnd() % (i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  };
  const dims = nest.dims.map((x) => x.dim);
  const outer = shuffle(dims.filter((d) => !nest.reduction.includes(d)));
  const inner = shuffle(dims.filter((d) => nest.reduction.includes(d)));
  const dataflows = target.spec.array.dataflows;
  const dataflow = dataflows[rnd() % dataflows.length];
  return {
    dataflow,
    spatial:
      dataflow === 'weight-stationary'
        ? { rows: nest.channel, cols: nest.outChannel }
        : { rows: nest.pixel, cols: nest.outChannel },
    tile,
    order: [...outer, ...inner],
    resident: { input: [], weight: [], output: [] },
    doubleBuffer: { input: rnd() % 2 === 1, weight: rnd() % 2 === 1, output: rnd() % 2 === 1 },
  };
}

const lines: string[] = [];
const out = (s = ''): void => {
  lines.push(s);
  console.log(s);
};
out(`# Cost model fidelity on ${target.name}: ${network}`);
out();
out(
  `Command: \`npm run build && npx tsx bench/cost-fidelity.ts --network ${network} --samples ${samples}\`, ${new Date().toISOString().slice(0, 10)}.`,
);
out(`Machine: ${machineLine()}.`);
out(
  'Per layer: random legal mappings, cost model (src/schedule/cost.ts) vs simulated cycles (timing only).',
);
out('"top-1 gap": simulated cycles of the model\'s favourite over the best simulated, minus 1.');
out();
out('| layer | mappings | Spearman ρ | MAPE | top-1 gap | seconds |');
out('|---|---:|---:|---:|---:|---:|');
const rhos: number[] = [];
for (const { workload } of loadWorkloads(network)) {
  const w = canonicalWorkload(workload);
  const t0 = performance.now();
  const rnd = seededRandom(1234);
  const pred: number[] = [];
  const sim: number[] = [];
  for (let tries = 0; pred.length < samples && tries < 200 * samples; tries++) {
    const m = randomMapping(w, rnd);
    if (validateMapping(w, m, target).length > 0) continue;
    const c = estimateCost(w, m, target.spec);
    if (c.instructions > 400_000) continue;
    pred.push(c.cycles);
    sim.push(runLayer(target, w, m, null).result.totalCycles);
  }
  const rho = spearman(pred, sim);
  rhos.push(rho);
  const mape = pred.reduce((s, p, i) => s + Math.abs(p - sim[i]) / sim[i], 0) / pred.length;
  const fav = pred.indexOf(Math.min(...pred));
  const gap = sim[fav] / Math.min(...sim) - 1;
  out(
    `| ${w.name.replace(`${network} `, '')} | ${pred.length} | ${rho.toFixed(3)} | ${(100 * mape).toFixed(1)}% | ` +
      `${(100 * gap).toFixed(1)}% | ${((performance.now() - t0) / 1000).toFixed(0)} |`,
  );
}
out();
out(
  `Layers with ρ ≥ 0.9: ${rhos.filter((r) => r >= 0.9).length} of ${rhos.length}; lowest ρ ${Math.min(...rhos).toFixed(3)}.`,
);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  `bench/results/cost-fidelity${network === 'resnet50' ? '' : `-${network}`}.md`,
  lines.join('\n') + '\n',
);
