import { describe, expect, it } from 'vitest';
import { targetByName } from '../../src/targets/index.js';
import { runCut } from '../fixtures/cut_model.js';

const gemmini = targetByName('gemmini');
const shape = [1, 64, 56, 56];

describe('a residual add on the accelerator against onnxruntime', () => {
  it("q_resnet18's first Add as a one-node model: within one step everywhere, >99.9% equal", async () => {
    // Q(x0), Q(x1) → DQ, DQ → Add → Relu → Q → DQ → y, with the model's own scales and zero points.
    const names = ['DequantizeLinear', 'DequantizeLinear_1', 'Add', 'Relu', 'QuantizeLinear'];
    const cut = {
      model: 'q_resnet18.onnx',
      nodes: names.map((n) => `/layer1/0/${n}`),
      inputs: 2,
      inputShape: shape,
      outputShape: shape,
    };
    const { model, got, want, step } = await runCut(cut, gemmini);
    const acc = model.placements.filter((p) => p.placement === 'accelerator');
    expect(acc.map((p) => p.node.op)).toEqual(['QAdd']);
    expect(new Set(Array.from(want)).size).toBeGreaterThan(50);
    let equal = 0;
    for (let i = 0; i < want.length; i++) {
      expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(step * 1.0001);
      if (got[i] === want[i]) equal++;
    }
    // Measured: all equal on a grid of 2^-8 steps (four weight passes); 99.23% with one int8
    // weight per operand (2^-6).
    expect(equal / want.length).toBeGreaterThan(0.999);
  }, 60_000);
});

describe('a max-pool on the accelerator against onnxruntime', () => {
  it.each(['gemmini', 'gemmini-8'])(
    "q_resnet18's MaxPool as a one-node model on %s: every output equal",
    async (name) => {
      // Q(x) → DQ → MaxPool (3×3, stride 2, padding 1) → Q → DQ → y, the model's quantization
      // (zero point −128 on both sides: the padding must not read as 0).
      const cut = {
        model: 'q_resnet18.onnx',
        nodes: ['DequantizeLinear', 'MaxPool', 'QuantizeLinear'].map((n) => `/maxpool/${n}`),
        ...{ inputs: 1, inputShape: [1, 64, 112, 112], outputShape: [1, 64, 56, 56] },
      };
      const { model, got, want } = await runCut(cut, targetByName(name));
      const acc = model.placements.filter((p) => p.placement === 'accelerator');
      expect(acc.map((p) => p.placement === 'accelerator' && p.pattern)).toEqual([
        'max-pool (pooled store)',
      ]);
      expect(new Set(Array.from(want)).size).toBeGreaterThan(40);
      expect(Array.from(got)).toEqual(Array.from(want));
    },
    60_000,
  );
});
