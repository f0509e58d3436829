/**
 * Fits the weights of cosa's cycle objective (src/schedule/cosa/objective.ts) against the simulator,
 * on ResNet-50's layers (the training set): the score of a weight vector is the geomean, over the
 * layers, of the simulated cycles of cosa's MIP solutions (the baseline left out of the final choice)
 * over Gemmini's baseline. `--grid` searches a grid of `step` × `dma` and then `latency`, `prologue`
 * around its best; the default is one round of coordinate search from the stored weights (each
 * weight halved and doubled, `dma` ×/÷ 1.25, improvements kept). The winner is checked on MobileNetV2
 * and BERT-base (not used for fitting) against the stored weights and written to
 * src/schedule/cosa/weights.json, with the scores in its `source`.
 *
 *   npm run build && npx tsx bench/fit-cosa.ts [--grid]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { runLayer, simulatedCycles } from '../dist/runtime/run_layer.js';
import { cosa } from '../dist/schedule/cosa/cosa.js';
import type { CosaWeights } from '../dist/schedule/cosa/objective.js';
import { targetByName } from '../dist/targets/index.js';
import { canonicalWorkload } from '../dist/workload/canonical.js';
import { geomean } from './stats.js';
import { loadWorkloads, type NetworkName } from '../dist/workload/networks.js';

const target = targetByName('gemmini');
const file = 'src/schedule/cosa/weights.json';
const initial = JSON.parse(readFileSync(file, 'utf8')) as CosaWeights & { source: string };

const layersOf = (n: NetworkName) => loadWorkloads(n).map((l) => canonicalWorkload(l.workload));
const baseCycles = new Map<string, number>();
function baseline(w: ReturnType<typeof canonicalWorkload>): number {
  const key = JSON.stringify(w);
  let c = baseCycles.get(key);
  if (c === undefined) {
    c = runLayer(target, w, target.baseline!(w), null).result.totalCycles;
    baseCycles.set(key, c);
  }
  return c;
}

/** Geomean of MIP-only simulated cycles over the baseline's (lower is better). */
function score(weights: CosaWeights, layers: ReturnType<typeof layersOf>): number {
  const ratios = layers.map((w) => {
    const r = cosa(w, target, {
      evaluate: simulatedCycles,
      seed: 0,
      timeLimitSeconds: 2,
      weights,
      withoutBaseline: true,
    });
    return runLayer(target, w, r.mapping, null).result.totalCycles / baseline(w);
  });
  return geomean(ratios);
}

const train = layersOf('resnet50');
const { source: _, ...initialWeights } = initial;
let best = { weights: initialWeights as CosaWeights, score: Infinity };
const log: string[] = [];
const tryWeights = (w: CosaWeights): void => {
  const s = score(w, train);
  const line = `${JSON.stringify(w)}: ResNet-50 geomean cycles / baseline ${s.toFixed(4)}`;
  log.push(line);
  console.log(line);
  if (s < best.score - 1e-9) best = { weights: w, score: s };
};
if (process.argv.includes('--grid')) {
  for (const step of [32, 64, 128]) {
    for (const dma of [1, 1.2]) tryWeights({ compute: 1, dma, latency: 1, step, prologue: 1 });
  }
  for (const latency of [0.5, 2]) tryWeights({ ...best.weights, latency });
  for (const prologue of [0, 2]) tryWeights({ ...best.weights, prologue });
} else {
  tryWeights(best.weights);
  const moves: [keyof CosaWeights, number][] = [
    ['step', 2],
    ['step', 0.5],
    ['dma', 1.25],
    ['dma', 0.8],
    ['latency', 2],
    ['latency', 0.5],
  ];
  for (const [k, f] of moves) {
    if (best.weights[k] === 0) continue;
    tryWeights({ ...best.weights, [k]: best.weights[k] * f });
  }
}

const check: string[] = [];
for (const n of ['mobilenet_v2', 'bert_base'] as const) {
  const layers = layersOf(n);
  const before = score(initialWeights, layers);
  const after = score(best.weights, layers);
  check.push(`${n} ${after.toFixed(4)} (stored weights before this fit ${before.toFixed(4)})`);
}
const source =
  `bench/fit-cosa.ts${process.argv.includes('--grid') ? ' --grid' : ''} ${new Date().toISOString().slice(0, 10)}: ResNet-50 (gemmini), ` +
  `geomean MIP-only cycles / baseline ${best.score.toFixed(4)}; check: ${check.join(', ')}`;
writeFileSync(file, JSON.stringify({ source, ...best.weights }, null, 2) + '\n');
console.log(log.join('\n'));
console.log(source);
