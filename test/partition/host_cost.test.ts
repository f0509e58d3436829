import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Graph, Node } from '../../src/ir/graph.js';
import { hostCycles, hostWork } from '../../src/partition/host_cost.js';
import { cleanupPasses, quantizedOpPasses, runPasses } from '../../src/passes/pipeline.js';
import { hostWorkKinds, type HostSpec } from '../../src/spec/spec.js';
import { targetByName } from '../../src/targets/index.js';
import { loadModel } from '../passes/models.js';

const gemmini = targetByName('gemmini');
const vta = targetByName('vta');

function hostOf(spec: { host?: HostSpec }): HostSpec {
  if (spec.host === undefined) throw new Error('the preset describes its host');
  return spec.host;
}

const graph: Graph = runPasses(
  runPasses(loadModel('q_resnet18'), cleanupPasses),
  quantizedOpPasses,
);
const node = (name: string): Node => {
  const n = graph.nodes.find((x) => x.name === name);
  if (n === undefined) throw new Error(`no node ${name}`);
  return n;
};

describe('host work of a node', () => {
  // conv1's 64 × 112 × 112 int8 output pooled 3×3 to 64 × 56 × 56 (QMaxPool); layer1/0's Add reads
  // 64 × 56 × 56 dequantized; global pooling reads every input element (512 × 7 × 7); the
  // classifier, were it on the host, 512 × 1000 MACs.
  it.each([
    ['/layer1/0/DequantizeLinear', 'dequantize', 64 * 56 * 56],
    ['/maxpool/MaxPool', 'poolWindow', 64 * 56 * 56 * 9],
    ['/layer1/0/Add', 'elementwise', 64 * 56 * 56],
    ['/layer1/0/Relu', 'activation', 64 * 56 * 56],
    ['/layer1/0/QuantizeLinear', 'quantize', 64 * 56 * 56],
    ['/avgpool/GlobalAveragePool', 'globalPool', 512 * 7 * 7],
    ['/Flatten', 'copy', 512],
    ['/fc/Gemm', 'mac', 512 * 1000],
  ])('%s: %s × %i', (name, kind, count) => {
    expect(hostWork(node(name), graph)).toEqual({ kind, count });
  });
});

describe('host cycles', () => {
  it('are the count times the spec figure for every kind, at the accelerator clock', () => {
    const host = hostOf(gemmini.spec);
    // Rocket runs at Gemmini's clock: cycles are count × figure exactly.
    expect(host.clockHz).toBe(gemmini.spec.clockHz);
    for (const kind of hostWorkKinds) {
      const figure = host.cyclesPerElement[kind];
      expect(hostCycles({ kind, count: 1000 }, host, gemmini.spec.clockHz)).toBe(1000 * figure);
    }
    expect(hostCycles(null, host, gemmini.spec.clockHz)).toBe(0);
  });

  it('scale by the clocks when the host runs faster than the accelerator (VTA on the Pynq)', () => {
    const host = hostOf(vta.spec);
    // 650 MHz Cortex-A9 against VTA's 100 MHz: 6.5 host cycles to one accelerator cycle.
    expect(host.clockHz / vta.spec.clockHz).toBe(6.5);
    const copy = host.cyclesPerElement.copy;
    expect(hostCycles({ kind: 'copy', count: 650 }, host, vta.spec.clockHz)).toBe(100 * copy);
    // Rounded up: one element is a whole accelerator cycle.
    expect(hostCycles({ kind: 'copy', count: 1 }, host, vta.spec.clockHz)).toBe(
      Math.ceil(copy / 6.5),
    );
  });

  it('grow with the count, and add up across a split (up to rounding)', () => {
    const host = hostOf(vta.spec);
    const clock = vta.spec.clockHz;
    fc.assert(
      fc.property(
        fc.constantFrom(...hostWorkKinds),
        fc.integer({ min: 0, max: 1e7 }),
        fc.integer({ min: 0, max: 1e7 }),
        (kind, a, b) => {
          const whole = hostCycles({ kind, count: a + b }, host, clock);
          const parts =
            hostCycles({ kind, count: a }, host, clock) +
            hostCycles({ kind, count: b }, host, clock);
          expect(whole).toBeGreaterThanOrEqual(hostCycles({ kind, count: a }, host, clock));
          expect(parts - whole).toBeGreaterThanOrEqual(0);
          expect(parts - whole).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});
