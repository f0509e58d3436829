import { describe, expect, it } from 'vitest';
import { cycleFooter } from '../../src/cli/cycle_footer.js';
import { hostLayer, type RunLayer, type RunSummary } from '../../src/results/run_summary.js';
import { targetByName } from '../../src/targets/index.js';

const spec = targetByName('toy').spec;

const accelerated: RunLayer = {
  ...hostLayer('mm', 'QGemm', 4096, 'unused'),
  placement: 'accelerator',
  cycles: 3000,
  reason: null,
};

function summary(hostCycles: readonly (number | null)[]): RunSummary {
  const ops = ['LayoutConversion', 'Softmax', 'PadCopy'];
  const layers = [
    accelerated,
    ...hostCycles.map((c, i) => hostLayer(`n${i}`, ops[i % 3], 0, 'why', c)),
  ];
  const timed = hostCycles.every((c) => c !== null);
  const host = hostCycles.reduce<number>((n, c) => n + (c ?? 0), 0);
  return {
    model: 'm.onnx',
    target: 'toy',
    scheduler: 'baseline',
    spec,
    layers,
    totalCycles: 3000 + host,
    acceleratorCycles: 3000,
    hostCycles: timed ? host : null,
    seconds: (3000 + host) / spec.clockHz,
    wallSeconds: 1,
    outputs: [],
    reference: null,
    warnings: [],
  };
}

describe('the cycle footer of run and compile', () => {
  it('adds the host: its nodes, cycles, conversions among them and its share', () => {
    expect(cycleFooter(summary([100, 700, 200]))).toEqual([
      'accelerator: 1 layers, 3000 cycles, 4096 MACs',
      'host: 3 nodes, 1000 cycles (1 layout conversion and 1 padding copy among them: 300 cycles)',
      // 4000 cycles at the toy's 100 MHz: 0.04 ms; the host's 1000 are 25%.
      "total: 4000 cycles, 0.040 ms at the target's clock, 25.0% on the host",
    ]);
  });

  it('says when the host is not timed (a spec without a host section)', () => {
    expect(cycleFooter(summary([null, null]))).toEqual([
      'accelerator: 1 layers, 3000 cycles, 4096 MACs',
      'host: 2 nodes (not timed: the spec describes no host; 1 layout conversion and 0 padding ' +
        'copies among them)',
      "total: 3000 cycles, 0.030 ms at the target's clock",
    ]);
  });
});
