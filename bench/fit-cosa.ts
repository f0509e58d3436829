/**
 * Fits the weights of cosa's cycle objective (src/schedule/cosa/objective.ts) on the layers of
 * bench/data/firesim-gemmini and on nothing else: each row's layer on its own scratchpad and
 * accumulator sizes, the score of a weight vector the geomean, over the rows, of the simulated cycles
 * of cosa's MIP solution (the baseline left out of the final choice) over the simulated cycles of
 * the row's DOSA mapping (bench/firesim.ts). The rows of at most 5·10^7 MACs train (36 of 148, all
 * with a DOSA mapping; the larger ones take tens of seconds each). Coordinate search from the stored
 * weights (each weight halved and doubled, `dma` ×/÷ 1.25, improvements kept, up to four rounds), so
 * the result is the same on every run (the MIP's limits are deterministic: src/schedule/cosa/cosa.ts).
 *
 * The winner is then checked on the benchmark networks' layers on the gemmini preset (ResNet-50,
 * MobileNetV2, BERT-base: not used for fitting) against the stored weights, as geomean cycles over
 * the baseline's, and written to src/schedule/cosa/weights.json with both scores in its `source`;
 * the evaluations go to bench/results/fit-cosa.md.
 *
 *   npm run build && npx tsx bench/fit-cosa.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { runLayer, simulatedCycles } from '../dist/runtime/run_layer.js';
import { cosa } from '../dist/schedule/cosa/cosa.js';
import type { CosaWeights } from '../dist/schedule/cosa/objective.js';
import type { AnyTarget } from '../dist/contract/target.js';
import { targetByName } from '../dist/targets/index.js';
import { canonicalWorkload } from '../dist/workload/canonical.js';
import { macs } from '../dist/workload/shape.js';
import type { Workload } from '../dist/workload/workload.js';
import { loadFiresimRows, targetsForRows } from './firesim-data.js';
import { evaluateRowsOn } from './firesim.js';
import { geomean, writeFitLog } from './stats.js';
import { loadWorkloads, type NetworkName } from '../dist/workload/networks.js';

const file = 'src/schedule/cosa/weights.json';
const initial = JSON.parse(readFileSync(file, 'utf8')) as CosaWeights & { source: string };
const { source: _, ...initialWeights } = initial;

interface Case {
  readonly name: string;
  readonly workload: Workload;
  readonly target: AnyTarget;
  /** The cycles a weight vector's solutions are divided by. */
  readonly reference: number;
}

function mipCycles(c: Case, weights: CosaWeights): number {
  const r = cosa(c.workload, c.target, {
    evaluate: simulatedCycles,
    seed: 0,
    timeLimitSeconds: 60,
    weights,
    withoutBaseline: true,
  });
  return simulatedCycles(c.target, c.workload, r.mapping);
}

const score = (weights: CosaWeights, cases: readonly Case[]): number =>
  geomean(cases.map((c) => mipCycles(c, weights) / c.reference));

function trainingCases(): Case[] {
  const gemmini = targetByName('gemmini');
  const rows = loadFiresimRows().filter((r) => macs(r.workload) <= 5e7);
  const targetOf = targetsForRows(gemmini.spec, rows);
  return evaluateRowsOn(gemmini.spec, rows).flatMap((r) =>
    r.mappedOurs === null
      ? []
      : [
          {
            name: `${r.row.folder}/${r.row.network}#${r.row.index}`,
            workload: r.row.workload,
            target: targetOf(r.row),
            reference: r.mappedOurs,
          },
        ],
  );
}

function networkCases(n: NetworkName): Case[] {
  const target = targetByName('gemmini');
  return loadWorkloads(n).map((l, i) => {
    const workload = canonicalWorkload(l.workload);
    const reference = runLayer(target, workload, target.baseline!(workload), null).result
      .totalCycles;
    return { name: `${n}#${i}`, workload, target, reference };
  });
}

function main(): void {
  const train = trainingCases();
  const log: string[] = [];
  const say = (line: string): void => {
    console.log(line);
    log.push(line);
  };
  say(`training on ${train.length} rows of bench/data/firesim-gemmini (at most 5·10^7 MACs)`);
  let best = { weights: initialWeights as CosaWeights, score: Infinity };
  const tried = new Set<string>();
  const tryWeights = (w: CosaWeights): boolean => {
    const key = JSON.stringify(w);
    if (tried.has(key)) return false;
    tried.add(key);
    const s = score(w, train);
    say(`${key}: geomean cosa / DOSA mapping ${s.toFixed(4)}`);
    if (s >= best.score - 1e-9) return false;
    best = { weights: w, score: s };
    return true;
  };
  tryWeights(best.weights);
  const moves: [keyof CosaWeights, number][] = [
    ['step', 2],
    ['step', 0.5],
    ['dma', 1.25],
    ['dma', 0.8],
    ['latency', 2],
    ['latency', 0.5],
    ['prologue', 2],
    ['prologue', 0.5],
  ];
  for (let round = 0; round < 4; round++) {
    let moved = false;
    for (const [k, f] of moves) {
      if (best.weights[k] === 0) continue;
      if (tryWeights({ ...best.weights, [k]: best.weights[k] * f })) moved = true;
    }
    if (!moved) break;
  }

  const check: string[] = [];
  for (const n of ['resnet50', 'mobilenet_v2', 'bert_base'] as const) {
    const cases = networkCases(n);
    const before = score(initialWeights, cases);
    const after = score(best.weights, cases);
    check.push(`${n} ${after.toFixed(4)} (stored weights before this fit ${before.toFixed(4)})`);
  }
  const source =
    `bench/fit-cosa.ts ${new Date().toISOString().slice(0, 10)}: ${train.length} FireSim-data rows ` +
    `(gemmini, each on its buffer sizes), geomean MIP-only cycles / DOSA mapping ${best.score.toFixed(4)}; ` +
    `check, geomean cycles / baseline: ${check.join(', ')}`;
  writeFileSync(file, JSON.stringify({ source, ...best.weights }, null, 2) + '\n');
  say(source);
  writeFitLog(
    'bench/results/fit-cosa.md',
    "cosa's objective weights fitted on the FireSim data's layers",
    'npm run build && npx tsx bench/fit-cosa.ts',
    null,
    log,
  );
}

main();
