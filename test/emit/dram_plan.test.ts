import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Graph, Node, Tensor } from '../../src/ir/graph.js';
import { isScheduled, partition } from '../../src/partition/partition.js';
import { formRegion, planDram, type DramPlan } from '../../src/emit/dram_plan.js';
import { nhwcForm } from '../../src/partition/layout_plan.js';
import { compileModel } from '../../src/driver/run_model.js';
import { targetByName } from '../../src/targets/index.js';
import { modelPath } from '../fixtures/models.js';

function checkPlan(plan: DramPlan): void {
  for (const r of plan.regions) {
    expect(r.offset % plan.alignment).toBe(0);
    expect(r.offset + r.bytes).toBeLessThanOrEqual(plan.totalBytes);
  }
  for (let i = 0; i < plan.regions.length; i++) {
    for (let j = i + 1; j < plan.regions.length; j++) {
      const a = plan.regions[i];
      const b = plan.regions[j];
      const together = a.first <= b.last && b.first <= a.last;
      const overlap = a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
      if (together && a.bytes > 0 && b.bytes > 0)
        expect(overlap, `${a.name} / ${b.name}`).toBe(false);
    }
  }
}

/** A chain of Relu nodes over tensors of the given element counts, each also read `skip` nodes on. */
function chain(sizes: readonly number[], skip: number): Graph {
  const tensors: Tensor[] = sizes.map((n, i) => ({ name: `t${i}`, dtype: 'float32', shape: [n] }));
  const nodes: Node[] = sizes.slice(1).map((_, i) => ({
    name: `n${i}`,
    op: 'Relu',
    inputs: [`t${i}`, ...(i >= skip ? [`t${i - skip}`] : [])],
    outputs: [`t${i + 1}`],
    attrs: {},
  }));
  return {
    name: 'chain',
    opset: 13,
    inputs: ['t0'],
    outputs: [`t${sizes.length - 1}`],
    tensors: Object.fromEntries(tensors.map((t) => [t.name, t])),
    nodes,
  };
}

describe('planDram', () => {
  it('never overlaps two regions live at the same time (random chains with skips)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 2, maxLength: 24 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(1, 16, 64),
        (sizes, skip, alignment) => {
          const g = chain(sizes, skip);
          const plan = planDram(g, partition(g, targetByName('gemmini')), alignment);
          checkPlan(plan);
          expect(plan.totalBytes).toBeLessThanOrEqual(plan.unsharedBytes + plan.weightBytes);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('q_resnet18: weights, reused activations and staging fit, and reuse saves most of the arena', () => {
    const gemmini = targetByName('gemmini');
    const m = compileModel(modelPath('q_resnet18.onnx'), gemmini, {
      quantize: false,
      seed: 0,
    });
    const plan = planDram(m.graph, m.placements, gemmini.spec.dram.alignmentBytes);
    checkPlan(plan);
    // 11.7 M int8 weights (+ int32 biases) are all there.
    expect(plan.weightBytes).toBeGreaterThan(11_000_000);
    // 6.4 MB of 23.5 MB: the peak is the MaxPool's float input, dequantized in NHWC and held in
    // NCHW too while the plan converts it (2 × 3.2 MB).
    expect(plan.totalBytes - plan.weightBytes).toBeLessThan(plan.unsharedBytes / 3);
    const staged = plan.regions.filter((r) => r.kind === 'staging');
    // The 21 convolutions (the global pooling is a depthwise QConv) read and write their
    // activations in place: only their weights and biases are staged. The matrix product stages
    // its input and output too; residual adds (vector ops) stage nothing.
    expect(staged.length).toBe(21 * 2 + 4);
    const layers = m.placements.filter((p) => isScheduled(p) && p.node.op === 'QConv');
    const held = new Set(plan.regions.map((r) => r.name));
    for (const p of layers) {
      expect(held.has(formRegion(p.node.inputs[0], nhwcForm)), p.node.name).toBe(true);
      expect(held.has(formRegion(p.node.outputs[0], nhwcForm)), p.node.name).toBe(true);
    }
  });
});
