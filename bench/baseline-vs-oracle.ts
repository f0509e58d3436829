/**
 * Gemmini's own tiling (the baseline) against the exhaustive oracle, per layer of ResNet-50,
 * MobileNetV2 and BERT-base: simulated cycles of both, their ratio, the roofline bound, what the oracle
 * searched. Timing-only simulation of the compiled build (dist/).
 *
 *   npm run build && npx tsx bench/baseline-vs-oracle.ts [--network resnet50] [--target gemmini]
 *
 * Writes bench/results/baseline-vs-oracle.md (or -<target>.md for another target).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { runLayer, simulatedCycles } from '../dist/runtime/run_layer.js';
import { rooflineCycles } from '../dist/schedule/cost.js';
import { exhaustive } from '../dist/schedule/exhaustive.js';
import { targetByName } from '../dist/targets/index.js';
import { canonicalWorkload } from '../dist/workload/canonical.js';
import { macs, minimalTraffic, totalBytes } from '../dist/workload/shape.js';
import { geomean, machineLine } from './stats.js';
import { loadWorkloads, networks, type NetworkName } from '../dist/workload/networks.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const targetName = arg('target') ?? 'gemmini';
const only = arg('network');
const target = targetByName(targetName);
const lines: string[] = [];
const out = (s = ''): void => {
  lines.push(s);
  console.log(s);
};

out(`# Baseline (Gemmini's tiling rules) vs the exhaustive oracle on ${targetName}`);
out();
out(
  `Command: \`npm run build && npx tsx bench/baseline-vs-oracle.ts${only ? ` --network ${only}` : ''}${targetName !== 'gemmini' ? ` --target ${targetName}` : ''}\`, ${new Date().toISOString().slice(0, 10)}.`,
);
out(`Machine: ${machineLine()}.`);
out(
  'Cycles are simulated (timing only). Oracle: src/schedule/exhaustive.ts (its space is stated there);',
);
out(
  'speedup = baseline / oracle; roofline = max(MACs / array size, minimal DRAM bytes / bandwidth).',
);
out(
  '1×1 stride-1 convs run as GEMMs (the baseline then applies tiled_matmul_auto, as the library does).',
);
out(
  'Depthwise convs: the baseline runs one group per array pass (tiled_conv_auto per group); the oracle',
);
out(
  "may also put 16 groups on the array with diagonal weight blocks. Gemmini's own depthwise library",
);
out('path is not modelled, so the MobileNetV2 depthwise speedups compare our lowering');
out('against that per-group baseline.');
const allSpeedups: number[] = [];
for (const network of networks.filter((n) => only === undefined || n === only) as NetworkName[]) {
  out();
  out(`## ${network}`);
  out();
  out(
    '| layer | × | baseline cycles | oracle cycles | speedup | roofline | oracle / roofline | mappings tried | solve s |',
  );
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  let totalBase = 0;
  let totalOracle = 0;
  const speedups: number[] = [];
  for (const layer of loadWorkloads(network)) {
    const w = canonicalWorkload(layer.workload);
    const base = target.baseline?.(w);
    if (base === undefined) throw new Error(`${targetName} has no baseline`);
    const b = runLayer(target, w, base, null).result.totalCycles;
    const o = exhaustive(w, target, { evaluate: simulatedCycles, seed: 0, timeLimitSeconds: 600 });
    const oc = runLayer(target, w, o.mapping, null).result.totalCycles;
    const roof = rooflineCycles(target.spec, macs(w), totalBytes(minimalTraffic(w)));
    totalBase += b * layer.count;
    totalOracle += oc * layer.count;
    speedups.push(b / oc);
    out(
      `| ${w.name.replace(`${network} `, '')} | ${layer.count} | ${b} | ${oc} | ${(b / oc).toFixed(2)} | ${roof} | ` +
        `${(oc / roof).toFixed(2)} | ${o.mappingsTried} | ${o.solveSeconds.toFixed(1)} |`,
    );
  }
  allSpeedups.push(...speedups);
  out();
  out(
    `${network}: whole network (layers × count) baseline ${totalBase} cycles, oracle ${totalOracle} cycles, ` +
      `speedup ${(totalBase / totalOracle).toFixed(3)}; geomean per-layer speedup ${geomean(speedups).toFixed(3)}.`,
  );
}
out();
out(
  `All layers: geomean speedup of the oracle over the baseline ${geomean(allSpeedups).toFixed(3)}.`,
);
mkdirSync('bench/results', { recursive: true });
const file =
  targetName === 'gemmini'
    ? 'bench/results/baseline-vs-oracle.md'
    : `bench/results/baseline-vs-oracle-${targetName}.md`;
writeFileSync(
  only === undefined ? file : file.replace('.md', `-${only}.md`),
  lines.join('\n') + '\n',
);
