/**
 * `make demo` at this stage: a small int8 matmul run on the simulated default Gemmini, both dataflows,
 * checked bit for bit against the integer reference, with its cycle breakdown. Uses the compiled build.
 */
import { allocate, createDram, readInt8, writeInt32, writeInt8 } from '../dist/sim/dram.js';
import { simulate } from '../dist/sim/simulate.js';
import { referenceGemm } from '../dist/reference/gemm.js';
import { gemmini } from '../dist/targets/gemmini/index.js';
import { matmulStream } from '../dist/targets/gemmini/matmul_stream.js';

const [I, J, K] = [200, 120, 300];
let seed = 42;
const next = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed;
};
const a = Int8Array.from({ length: I * K }, () => next() & 0xff);
const b = Int8Array.from({ length: K * J }, () => next() & 0xff);
const bias = Int32Array.from({ length: J }, () => (next() % 20000) | 0);
const scale = Math.fround(1 / 300);
const want = referenceGemm({ I, J, K, a, b, bias, scale, relu: true });

console.log(
  `\nA ${I}×${J}×${K} int8 matmul (+ int32 bias, × ${scale.toPrecision(4)}, ReLU) on ${gemmini.name}:`,
);
for (const dataflow of ['weight-stationary', 'output-stationary'] as const) {
  const dram = createDram();
  const pa = allocate(dram, 'A', I * K);
  const pb = allocate(dram, 'B', K * J);
  const pbias = allocate(dram, 'bias', 4 * J);
  const pc = allocate(dram, 'C', I * J);
  writeInt8(dram, pa, a);
  writeInt8(dram, pb, b);
  writeInt32(dram, pbias, bias);
  const stream = matmulStream(gemmini.spec, {
    I,
    J,
    K,
    a: pa,
    b: pb,
    bias: pbias,
    c: pc,
    scale,
    relu: true,
    dataflow,
  });
  const t0 = performance.now();
  const { result: r } = simulate(gemmini, stream, dram, { functional: true });
  const ms = performance.now() - t0;
  const got = readInt8(dram, pc, I * J);
  const same = got.every((v, n) => v === want[n]);
  const pct = (x: number): string => `${((100 * x) / r.totalCycles).toFixed(0)}%`;
  console.log(`\n  ${dataflow}: ${stream.length} instructions, simulated in ${ms.toFixed(0)} ms`);
  console.log(`    output vs integer reference: ${same ? 'bit-exact' : 'MISMATCH'}`);
  console.log(
    `    cycles ${r.totalCycles} (${((r.totalCycles / gemmini.spec.clockHz) * 1e6).toFixed(1)} µs at ` +
      `${gemmini.spec.clockHz / 1e9} GHz), utilization ${(100 * r.utilization).toFixed(1)}% of ` +
      `${gemmini.spec.array.rows * gemmini.spec.array.cols} MACs/cycle`,
  );
  console.log(
    `    busy: load ${Math.round(r.busyCycles.load)} (${pct(r.busyCycles.load)}), ` +
      `execute ${Math.round(r.busyCycles.execute)} (${pct(r.busyCycles.execute)}), ` +
      `store ${Math.round(r.busyCycles.store)} (${pct(r.busyCycles.store)})`,
  );
  console.log(`    DRAM: ${r.bytesIn} bytes in, ${r.bytesOut} bytes out; MACs ${r.macs}`);
  if (!same) process.exitCode = 1;
}
console.log();
