/**
 * End to end, per fixture model on one target: import + compile time, scheduling time, simulated
 * cycles per scheduler, wall time of the functional simulation, and the comparison with onnxruntime
 * over N seeded inputs (default 20). Float models run with post-training quantization (random
 * calibration); QDQ models as they are.
 *
 *   npm run build && npx tsx bench/e2e.ts [--inputs 20] [--target gemmini] [--model q_resnet18]
 *   npm run build && npx tsx bench/e2e.ts --host-only
 *
 * Writes bench/results/e2e.md and e2e.json (or e2e-<target>.* for another target). Each model's
 * cycles are split between the accelerator and the host (the spec's host costs, with the layout
 * plan's conversions and padding copies): `--host-only` computes that table alone, from a
 * timing-only compile with the chosen scheduler, and replaces its section of e2e.md, keeping the
 * rest of the file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executeGraph, scheduleGraph, type GraphSchedule } from '../dist/driver/execute_graph.js';
import { createScheduleCache } from '../dist/schedule/cache.js';
import { compileModel, randomInputs, referenceComparison } from '../dist/driver/run_model.js';
import { schedulerNames } from '../dist/schedule/schedulers.js';
import { targetByName } from '../dist/targets/index.js';
import { machineLine } from './stats.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const inputsPerModel = Number(arg('inputs') ?? 20);
const targetName = arg('target') ?? 'gemmini';
const only = arg('model');
const hostOnly = process.argv.includes('--host-only');
const target = targetByName(targetName);
const modelDir = join(import.meta.dirname, '..', 'models');
const models: readonly { name: string; quantize: boolean }[] = [
  { name: 'lenet', quantize: true },
  { name: 'tiny_encoder', quantize: true },
  { name: 'mobilenet_v2', quantize: true },
  { name: 'q_mobilenet_v2', quantize: false },
  { name: 'q_resnet18', quantize: false },
];
const chosen = schedulerNames().includes('cosa') ? 'cosa' : 'baseline';
const compared = ['baseline', 'cosa-even', 'cosa', 'exhaustive'].filter(
  (s) => s !== chosen && schedulerNames().includes(s),
);

/** A model's cycles on the accelerator and on the host, from one run's (or compile's) layers. */
interface HostRow {
  model: string;
  acceleratorLayers: number;
  hostNodes: number;
  layoutConversions: number;
  padCopies: number;
  acceleratorCycles: number;
  hostCycles: number;
  totalCycles: number;
}

function hostRow(model: string, run: GraphSchedule): HostRow {
  const on = (where: string) => run.layers.filter((l) => l.placement === where);
  const ops = (op: string) => run.layers.filter((l) => l.op === op).length;
  const hostCycles = run.hostCycles ?? 0;
  return {
    model,
    acceleratorLayers: on('accelerator').length,
    hostNodes: on('host').length,
    layoutConversions: ops('LayoutConversion'),
    padCopies: ops('PadCopy'),
    acceleratorCycles: run.acceleratorCycles,
    hostCycles,
    totalCycles: run.acceleratorCycles + hostCycles,
  };
}

const hostHeading = '## Accelerator and host';

/** The section of e2e.md that splits each model's cycles between accelerator and host. */
function hostSection(hostRows: readonly HostRow[], command: string): string[] {
  const share = (r: HostRow) =>
    r.totalCycles === 0 ? '—' : `${((100 * r.hostCycles) / r.totalCycles).toFixed(1)}%`;
  return [
    hostHeading,
    '',
    `Command: \`${command}\`, ${new Date().toISOString().slice(0, 10)}. Scheduler: ${chosen}.`,
    '',
    `Host cycles are the spec's host costs (src/targets/${target.spec.isa}/specs/, each figure with its source; estimates, not measurements) at the accelerator's clock; host and accelerator take turns, so total = accelerator + host. Host steps are the graph's host nodes and the layout plan's steps (the first table counts only the former): layout conversions (NCHW ↔ NHWC where a host op or the graph boundary needs NCHW) and padding copies (a convolution reading its input padded with a non-zero zero point, on a target that pads with zeros only; gemmini pads with the value itself).`,
    '',
    '| model | acc. layers | host steps | layout conversions | padding copies | accelerator cycles | host cycles | total cycles | host share |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...hostRows.map(
      (r) =>
        `| ${r.model} | ${r.acceleratorLayers} | ${r.hostNodes} | ${r.layoutConversions} | ${r.padCopies} | ` +
        `${r.acceleratorCycles.toLocaleString('en-US')} | ${r.hostCycles.toLocaleString('en-US')} | ` +
        `${r.totalCycles.toLocaleString('en-US')} | ${share(r)} |`,
    ),
  ];
}

const suffixOf = targetName === 'gemmini' ? '' : `-${targetName}`;
if (hostOnly) {
  const hostRows: HostRow[] = [];
  for (const spec of models.filter((m) => only === undefined || m.name === only)) {
    const model = compileModel(`${modelDir}/${spec.name}.onnx`, target, {
      quantize: spec.quantize,
      seed: 0,
    });
    const options = { scheduler: chosen, seed: 0, timeLimitSeconds: 2 };
    hostRows.push(
      hostRow(spec.name, scheduleGraph(model.graph, model.placements, target, options)),
    );
    console.error(`${spec.name}: done`);
  }
  const command =
    'npm run build && npx tsx bench/e2e.ts --host-only' +
    (targetName === 'gemmini' ? '' : ` --target ${targetName}`) +
    (only ? ` --model ${only}` : '');
  const section = hostSection(hostRows, command);
  console.log(section.join('\n'));
  const file = `bench/results/e2e${suffixOf}.md`;
  if (only === undefined) {
    const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const at = old.indexOf(hostHeading);
    const kept = (at < 0 ? old : old.slice(0, at)).trimEnd() || `# End to end on ${targetName}`;
    writeFileSync(file, kept + '\n\n' + section.join('\n') + '\n');
  }
  process.exit(0);
}

interface Row {
  model: string;
  quantized: string;
  acceleratorLayers: number;
  hostNodes: number;
  compileSeconds: number;
  scheduleSeconds: number;
  simulateSeconds: number;
  endToEndSeconds: number;
  cycles: Record<string, number>;
  inputs: number;
  cosineMean: number;
  cosineMin: number;
  withinOneStepMean: number;
  withinOneStepMin: number;
  sqnrDbMean: number;
}

const rows: Row[] = [];
const hostRows: HostRow[] = [];
for (const spec of models.filter((m) => only === undefined || m.name === only)) {
  const t0 = performance.now();
  const model = compileModel(`${modelDir}/${spec.name}.onnx`, target, {
    quantize: spec.quantize,
    seed: 0,
  });
  const compileSeconds = (performance.now() - t0) / 1000;
  const cache = createScheduleCache();
  const options = { scheduler: chosen, seed: 0, timeLimitSeconds: 2, cache };
  // Scheduling: every accelerator layer under every scheduler (timing only for the compared ones).
  const t1 = performance.now();
  const inputs0 = randomInputs(model.source, 0);
  const first = executeGraph(model.graph, model.placements, inputs0, target, {
    ...options,
    compare: compared,
  });
  const firstSeconds = (performance.now() - t1) / 1000;
  hostRows.push(hostRow(spec.name, first));
  let scheduleSeconds = 0;
  for (const r of cache.values()) if (r.scheduler === chosen) scheduleSeconds += r.solveSeconds;
  const cycles: Record<string, number> = { [chosen]: first.acceleratorCycles };
  for (const s of compared) cycles[s] = 0;
  for (const l of first.layers) {
    for (const c of l.schedulers) if (c.scheduler !== chosen) cycles[c.scheduler] += c.cycles;
  }
  // The chosen scheduler's end to end: compile, schedule, simulate functionally, once.
  const t2 = performance.now();
  const again = executeGraph(model.graph, model.placements, inputs0, target, options);
  const simulateSeconds = (performance.now() - t2) / 1000;
  const warnings: string[] = [];
  const comparisons = [await referenceComparison(model, inputs0, again.outputs, warnings)];
  for (let seed = 1; seed < inputsPerModel; seed++) {
    const inputs = randomInputs(model.source, seed);
    const run = executeGraph(model.graph, model.placements, inputs, target, options);
    comparisons.push(await referenceComparison(model, inputs, run.outputs, warnings));
  }
  const got = comparisons.filter((c) => c !== null);
  if (got.length === 0) throw new Error(`no reference for ${spec.name}: ${warnings.join('; ')}`);
  const mean = (f: (c: (typeof got)[number]) => number) =>
    got.reduce((s, c) => s + f(c), 0) / got.length;
  const min = (f: (c: (typeof got)[number]) => number) => Math.min(...got.map(f));
  const acc = model.placements.filter((p) => p.placement === 'accelerator').length;
  rows.push({
    model: spec.name,
    quantized: spec.quantize ? 'PTQ (--quantize)' : 'QDQ',
    acceleratorLayers: acc,
    hostNodes: model.placements.length - acc,
    compileSeconds,
    scheduleSeconds,
    simulateSeconds,
    endToEndSeconds: compileSeconds + scheduleSeconds + simulateSeconds,
    cycles,
    inputs: got.length,
    cosineMean: mean((c) => c.cosine),
    cosineMin: min((c) => c.cosine),
    withinOneStepMean: mean((c) => c.withinOneStep),
    withinOneStepMin: min((c) => c.withinOneStep),
    sqnrDbMean: mean((c) => c.sqnrDb),
  });
  console.error(
    `${spec.name}: compile ${compileSeconds.toFixed(1)} s, first run with comparisons ${firstSeconds.toFixed(1)} s, simulate ${simulateSeconds.toFixed(1)} s`,
  );
}

const lines: string[] = [];
const out = (s = ''): void => {
  lines.push(s);
  console.log(s);
};
const suffix = suffixOf;
out(`# End to end on ${targetName}`);
out();
out(
  `Command: \`npm run build && npx tsx bench/e2e.ts --inputs ${inputsPerModel}${targetName === 'gemmini' ? '' : ` --target ${targetName}`}${only ? ` --model ${only}` : ''}\`, ${new Date().toISOString().slice(0, 10)}.`,
);
out(`Machine: ${machineLine()}.`);
out(
  `Inputs: seeded standard-normal tensors (seeds 0..${inputsPerModel - 1}); reference: onnxruntime-node on the float model (PTQ rows) or on the QDQ model itself, graph optimization 'basic' (see src/driver/onnxruntime_reference.ts). Scheduler: ${chosen}; the other schedulers' cycles are timing-only simulations of their mappings of the same layers. End to end = compile (import, passes, partition) + scheduling + one functional simulation of every layer (each accelerator layer checked bit-exact against its integer reference). Cycles in the first table are the accelerator's; the last section adds the host's.`,
);
out();
out(
  '| model | form | acc. layers | host nodes | compile s | schedule s | simulate s | end to end s | ' +
    [chosen, ...compared].map((s) => `${s} cycles`).join(' | ') +
    ' |',
);
out(
  '|---|---|---:|---:|---:|---:|---:|---:|' +
    [chosen, ...compared].map(() => '---:').join('|') +
    '|',
);
for (const r of rows) {
  out(
    `| ${r.model} | ${r.quantized} | ${r.acceleratorLayers} | ${r.hostNodes} | ${r.compileSeconds.toFixed(2)} | ${r.scheduleSeconds.toFixed(2)} | ${r.simulateSeconds.toFixed(1)} | ${r.endToEndSeconds.toFixed(1)} | ` +
      [chosen, ...compared].map((s) => r.cycles[s].toLocaleString('en-US')).join(' | ') +
      ' |',
  );
}
out();
out(
  '| model | inputs | cosine mean | cosine min | within one step mean | within one step min | SQNR dB mean |',
);
out('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  out(
    `| ${r.model} | ${r.inputs} | ${r.cosineMean.toFixed(5)} | ${r.cosineMin.toFixed(5)} | ${(100 * r.withinOneStepMean).toFixed(2)}% | ${(100 * r.withinOneStepMin).toFixed(2)}% | ${r.sqnrDbMean.toFixed(1)} |`,
  );
}
out();
out(
  'Notes: for PTQ rows the reference is the float model, so "within one step" (one step of the output\'s ' +
    'quantization scale) measures quantization error, not arithmetic; SQNR is the figure there. ' +
    "q_mobilenet_v2's outputs are constant with its random weights (the fixtures' README calls its final " +
    'outputs degenerate), so its whole-model figures say little; its first accelerator layer is compared ' +
    'element by element with onnxruntime in test/driver/run_model.test.ts (within one step everywhere).',
);
const resnet = rows.find((r) => r.model === 'q_resnet18');
if (resnet !== undefined) {
  out();
  out(
    `Goal: q_resnet18 end to end ≤ 60 s: ${resnet.endToEndSeconds.toFixed(1)} s, ${resnet.endToEndSeconds <= 60 ? 'met' : `not met (by ${(resnet.endToEndSeconds - 60).toFixed(1)} s)`}.`,
  );
}
out();
const fullCommand = `npm run build && npx tsx bench/e2e.ts --inputs ${inputsPerModel}${targetName === 'gemmini' ? '' : ` --target ${targetName}`}${only ? ` --model ${only}` : ''}`;
for (const line of hostSection(hostRows, fullCommand)) out(line);
if (only === undefined) {
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/e2e${suffix}.md`, lines.join('\n') + '\n');
  writeFileSync(`bench/results/e2e${suffix}.json`, JSON.stringify(rows, null, 2) + '\n');
}
