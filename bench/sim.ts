/**
 * Simulator throughput: functional (MACs simulated per wall-clock second) and timing-only
 * (instructions per second), on matmul streams for the Gemmini presets, plus the simulated cycles
 * those streams take. Imports the compiled build (dist/), as users run it.
 *
 *   make bench            (or: npm run build && npx tsx bench/sim.ts)
 *
 * Writes bench/results/sim.md. Each throughput is the median of 5 runs after two warm-up runs.
 */
import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { allocate, createDram, writeInt8 } from '../dist/sim/dram.js';
import { simulate, type SimulationResult } from '../dist/runtime/simulate.js';
import { targetByName } from '../dist/targets/index.js';
import { expand } from '../dist/program/interpret.js';
import type { Mapping } from '../dist/mapping/mapping.js';
import type { GemmWorkload } from '../dist/workload/workload.js';

const gemmini = targetByName('gemmini');
const gemmini32 = targetByName('gemmini-32');
const gemmini8 = targetByName('gemmini-8');

type Preset = typeof gemmini;
type Dataflow = 'weight-stationary' | 'output-stationary';

function random(n: number, seed: number): Int8Array {
  const out = new Int8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

/** A matmul lowered with a fixed tiling (4×4×4 array blocks, all double-buffered), its DRAM set up. */
function setup(t: Preset, I: number, J: number, K: number, dataflow: Dataflow) {
  const dim = t.spec.array.rows;
  const w: GemmWorkload = {
    kind: 'gemm',
    name: 'bench',
    M: I,
    N: J,
    K,
    bias: true,
    requant: 'per-tensor',
    activation: 'relu',
  };
  const m: Mapping = {
    dataflow,
    spatial: dataflow === 'weight-stationary' ? { rows: 'K', cols: 'N' } : { rows: 'M', cols: 'N' },
    tile: { M: Math.min(I, 4 * dim), N: Math.min(J, 4 * dim), K: Math.min(K, 4 * dim) },
    order: ['M', 'N', 'K'],
    resident: { input: [], weight: [], output: [] },
    doubleBuffer: { input: true, weight: true, output: true },
  };
  const program = t.lower(w, m, { scale: 1 / 256 });
  const dram = createDram();
  const bases: Record<string, number> = {};
  for (const b of program.buffers) bases[b.name] = allocate(dram, b.name, b.bytes);
  writeInt8(dram, bases.A, random(I * K, 1));
  writeInt8(dram, bases.B, random(K * J, 2));
  const stream = expand<{ readonly kind: string }>(program, bases);
  return { dram, stream };
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

function time(
  run: () => SimulationResult,
  reps = 5,
): { seconds: number; result: SimulationResult } {
  let result = run();
  result = run();
  const seconds: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    result = run();
    seconds.push((performance.now() - t0) / 1000);
  }
  return { seconds: median(seconds), result };
}

const lines: string[] = [];
const out = (s = ''): void => {
  lines.push(s);
  console.log(s);
};

out('# Simulator throughput');
out();
out(
  'Command: `make bench` (= `npm run build && npx tsx bench/sim.ts`), run on ' +
    new Date().toISOString().slice(0, 10) +
    '.',
);
out(
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
);
out(
  'Median of 5 runs after two warm-ups; matmuls lowered by the GEMM lowering with 4×4×4-block tiles,',
);
out(
  'all tensors double-buffered, int8 with bias, scale and ReLU; the stream is expanded once, then run.',
);
out();
out('Goals (issue 3): ≥ 200 M MACs/s functional, ≥ 5 M instructions/s timing only.');
out();
out(
  '| target | shape I×J×K | dataflow | instructions | functional M MAC/s | timing-only M instr/s |',
);
out('|---|---|---|---:|---:|---:|');
const cases: [string, Preset, number, number, number, Dataflow][] = [
  ['gemmini', gemmini, 512, 512, 512, 'weight-stationary'],
  ['gemmini', gemmini, 512, 512, 512, 'output-stationary'],
  ['gemmini', gemmini, 1024, 1024, 1024, 'weight-stationary'],
  ['gemmini-8', gemmini8, 256, 256, 256, 'weight-stationary'],
  ['gemmini-32', gemmini32, 512, 512, 512, 'weight-stationary'],
];
const simRows: string[] = [];
// Timing-only runs first, for every case, then functional ones: a process usually runs one mode, and
// V8 optimizes the shared instruction handlers for whichever mode it sees first.
const prepared = cases.map(([name, t, I, J, K, dataflow]) => ({
  name,
  t,
  I,
  J,
  K,
  dataflow,
  ...setup(t, I, J, K, dataflow),
}));
const timingOnly = prepared.map((p) =>
  time(() => simulate(p.t, p.stream, p.dram, { functional: false }).result),
);
const functional = prepared.map((p) =>
  time(() => simulate(p.t, p.stream, p.dram, { functional: true }).result, p.I >= 1024 ? 3 : 5),
);
prepared.forEach((p, n) => {
  const f = functional[n];
  const g = timingOnly[n];
  const macs = f.result.macs / f.seconds / 1e6;
  const instr = p.stream.length / g.seconds / 1e6;
  out(
    `| ${p.name} | ${p.I}×${p.J}×${p.K} | ${p.dataflow} | ${p.stream.length} | ${macs.toFixed(0)} | ${instr.toFixed(2)} |`,
  );
  const r = g.result;
  if (r.totalCycles !== f.result.totalCycles)
    throw new Error(`${p.name}: modes disagree on cycles`);
  simRows.push(
    `| ${p.name} | ${p.I}×${p.J}×${p.K} | ${p.dataflow} | ${r.totalCycles} | ${(100 * r.utilization).toFixed(1)}% | ` +
      `${Math.round(r.busyCycles.load)} | ${Math.round(r.busyCycles.execute)} | ${Math.round(r.busyCycles.store)} | ` +
      `${r.bytesIn} | ${r.bytesOut} |`,
  );
});
out();
out('## Simulated cycles of the same streams');
out();
out(
  '| target | shape | dataflow | cycles | utilization | load busy | execute busy | store busy | DRAM bytes in | out |',
);
out('|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of simRows) out(r);
out();
out(
  'gemmini-32 moves 4× the data per array cycle over the same 16 B/cycle DRAM, so it is DRAM-bound here.',
);

mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/sim.md', lines.join('\n') + '\n');
