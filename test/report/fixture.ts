import { layerReport } from '../../src/driver/layer_report.js';
import type { LayerReport } from '../../src/results/layer_report.js';
import {
  acceleratorLayer,
  hostLayer,
  type RunLayer,
  type RunSummary,
} from '../../src/results/run_summary.js';
import { schedule } from '../../src/schedule/schedulers.js';
import { targetByName } from '../../src/targets/index.js';
import { canonicalWorkload } from '../../src/workload/canonical.js';
import type { Workload } from '../../src/workload/workload.js';
import { convWorkload, gemmWorkload } from '../fixtures/workloads.js';
import { simulatedCycles } from '../../src/runtime/run_layer.js';
import { hostCycles, type HostWork } from '../../src/partition/host_cost.js';

/** The schedulers run on each small layer; the fastest mapping is the one the run keeps. */
const compared = ['baseline', 'exhaustive'] as const;

const pad0 = { padTop: 0, padBottom: 0, padLeft: 0, padRight: 0 };

/** A small MobileNet-like network: (name, op, workload, schedulers run) or a host layer. */
const network: readonly (
  | { name: string; op: string; workload: Workload; schedulers: readonly string[] }
  | { name: string; op: string; host: { macs: number; reason: string; work: HostWork } }
)[] = [
  {
    name: 'input_quant',
    op: 'QuantizeLinear',
    host: {
      macs: 0,
      reason: 'QuantizeLinear of a float input runs on the host',
      work: { kind: 'quantize', count: 3 * 16 * 16 },
    },
  },
  {
    name: '/features/0/Conv',
    op: 'Conv',
    workload: convWorkload({ name: 'stem', H: 16, W: 16, C: 3, K: 32, strideH: 2, strideW: 2 }),
    schedulers: compared,
  },
  {
    name: '/features/1/conv/0/Conv',
    op: 'Conv',
    workload: convWorkload({ name: 'depthwise', C: 32, K: 32, groups: 32 }),
    schedulers: compared,
  },
  {
    name: '/features/1/conv/1/Conv',
    op: 'Conv',
    workload: convWorkload({ name: 'pointwise', C: 32, K: 64, R: 1, S: 1, ...pad0 }),
    schedulers: compared,
  },
  {
    name: '/features/2/Conv',
    op: 'Conv',
    workload: convWorkload({ name: 'body', H: 16, W: 16, C: 64, K: 64 }),
    schedulers: ['baseline'],
  },
  {
    name: '/pool/GlobalAveragePool',
    op: 'GlobalAveragePool',
    host: {
      macs: 0,
      reason: 'the target has no pattern for GlobalAveragePool',
      work: { kind: 'globalPool', count: 64 * 16 * 16 },
    },
  },
  {
    name: '/classifier/Gemm',
    op: 'Gemm',
    workload: gemmWorkload(1, 100, 64, { name: 'classifier' }),
    schedulers: compared,
  },
  {
    name: 'probabilities',
    op: 'Softmax',
    host: {
      macs: 0,
      reason: 'the target has no pattern for Softmax',
      work: { kind: 'softmax', count: 100 },
    },
  },
];

/**
 * A RunSummary from real data: every accelerator layer scheduled and simulated on the default
 * target with the existing schedulers, plus host layers as a partitioner would leave them.
 */
export function realisticRunSummary(): RunSummary {
  const target = targetByName('gemmini');
  const host = target.spec.host;
  if (host === undefined) throw new Error('the gemmini preset describes its host');
  const start = performance.now();
  const layers: RunLayer[] = network.map((l) => {
    if ('host' in l) {
      const cycles = hostCycles(l.host.work, host, target.spec.clockHz);
      return hostLayer(l.name, l.op, l.host.macs, l.host.reason, cycles);
    }
    const w = canonicalWorkload(l.workload);
    const reports: LayerReport[] = l.schedulers.map((s) =>
      layerReport(
        w,
        target,
        schedule(s, w, target, { evaluate: simulatedCycles, seed: 0, timeLimitSeconds: 60 }),
        {
          verify: false,
          seed: 0,
        },
      ),
    );
    const best = reports.reduce((a, b) => (b.simulatedCycles < a.simulatedCycles ? b : a));
    return acceleratorLayer(l.name, l.op, best, reports);
  });
  const cyclesOn = (where: RunLayer['placement']): number =>
    layers.reduce((sum, l) => sum + (l.placement === where ? (l.cycles ?? 0) : 0), 0);
  const acceleratorCycles = cyclesOn('accelerator');
  const hostCycleCount = cyclesOn('host');
  return {
    model: 'tiny_mobilenet.onnx',
    target: target.spec.name,
    scheduler: 'exhaustive',
    spec: target.spec,
    layers,
    totalCycles: acceleratorCycles + hostCycleCount,
    acceleratorCycles,
    hostCycles: hostCycleCount,
    seconds: (acceleratorCycles + hostCycleCount) / target.spec.clockHz,
    wallSeconds: (performance.now() - start) / 1000,
    outputs: [{ name: 'probabilities', shape: [1, 100] }],
    reference: { cosine: 0.99987, maxAbsError: 0.0039, withinOneStep: 0.998, sqnrDb: 38.2 },
    warnings: ['/pool/GlobalAveragePool runs on the host: its input is copied back from DRAM'],
  };
}
