import { describe, expect, it } from 'vitest';
import type { onnx } from 'onnx-proto';
import { runOnnxRuntime } from '../../src/driver/onnxruntime_reference.js';
import { compileModel, runCompiled } from '../../src/driver/run_model.js';
import { targetByName } from '../../src/targets/index.js';
import { decodedModel, editedModel, nodeNamed } from '../fixtures/edit_model.js';

const gemmini = targetByName('gemmini');
const shape = [1, 64, 56, 56];

/**
 * q_resnet18 cut down to its first residual add, float in and out:
 * Q(xa), Q(xb) → DQ, DQ → Add → Relu → Q → DQ → y, with the model's own scales and zero points.
 */
function residualAddModel(model: onnx.ModelProto): void {
  const names = ['DequantizeLinear', 'DequantizeLinear_1', 'Add', 'Relu', 'QuantizeLinear'];
  const keep = names.map((n) => nodeNamed(model, `/layer1/0/${n}`));
  const graph = model.graph as onnx.GraphProto;
  const [dqA, dqB, , , q] = keep;
  const quantize = (dq: onnx.INodeProto, x: string): onnx.INodeProto => ({
    name: `${dq.name}/input`,
    opType: 'QuantizeLinear',
    input: [x, dq.input?.[1] ?? '', dq.input?.[2] ?? ''],
    output: [dq.input?.[0] ?? ''],
  });
  const dequantize: onnx.INodeProto = {
    name: `${q.name}/output`,
    opType: 'DequantizeLinear',
    input: [q.output?.[0] ?? '', q.input?.[1] ?? '', q.input?.[2] ?? ''],
    output: ['y'],
  };
  const used = new Set([...keep, dequantize].flatMap((n) => n.input ?? []));
  const constants = (graph.node ?? []).filter(
    (n) => n.opType === 'Constant' && (n.output ?? []).some((o) => used.has(o)),
  );
  graph.node = [...constants, quantize(dqA, 'xa'), quantize(dqB, 'xb'), ...keep, dequantize];
  const tensor = (name: string): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
  });
  graph.input = [tensor('xa'), tensor('xb')];
  graph.output = [tensor('y')];
  graph.valueInfo = [];
}

/** The scale constant of q_resnet18's node `/layer1/0/<node>` (a QuantizeLinear or DequantizeLinear). */
function scaleOf(node: string): number {
  const model = decodedModel('q_resnet18.onnx');
  const name = nodeNamed(model, `/layer1/0/${node}`).input?.[1];
  const constant = (model.graph?.node ?? []).find((n) => n.output?.[0] === name);
  const t = constant?.attribute?.[0]?.t;
  const raw = t?.rawData;
  const value = raw && raw.length >= 4 ? Buffer.from(raw).readFloatLE(0) : t?.floatData?.[0];
  if (value === undefined) throw new Error(`no scale constant ${name}`);
  return value;
}

describe('a residual add on the accelerator against onnxruntime', () => {
  it("q_resnet18's first Add as a one-node model: within one step everywhere, >99.9% equal", async () => {
    const path = editedModel('q_resnet18.onnx', 'add.onnx', residualAddModel);
    const model = compileModel(path, gemmini, { quantize: false, seed: 0 });
    const acc = model.placements.filter((p) => p.placement === 'accelerator');
    expect(acc.map((p) => p.node.op)).toEqual(['QAdd']);
    const n = shape.reduce((x, y) => x * y, 1);
    // Whole steps of each input's own scale, from −130 to 130 steps (so some saturate).
    const scales = [scaleOf('DequantizeLinear'), scaleOf('DequantizeLinear_1')];
    const steps = (k: number) =>
      Float32Array.from(
        { length: n },
        (_, i) => (((i * (7 + 24 * k) + k * 91) % 261) - 130) * scales[k],
      );
    const inputs = Object.fromEntries(
      model.source.inputs.map((name, k) => [name, { data: steps(k), shape }]),
    );
    const { run } = await runCompiled(model, gemmini, {
      scheduler: 'baseline',
      seed: 0,
      timeLimitSeconds: 2,
      reference: false,
      inputs,
    });
    const typed = Object.fromEntries(
      Object.entries(inputs).map(([k, v]) => [k, { ...v, dtype: 'float32' as const }]),
    );
    const ref = await runOnnxRuntime(model.bytes, typed);
    if ('unavailable' in ref) throw new Error(String(ref.unavailable));
    const got = run.outputs.y.data;
    const want = ref.y.data;
    const step = scaleOf('QuantizeLinear');
    expect(new Set(Array.from(want)).size).toBeGreaterThan(50);
    let equal = 0;
    for (let i = 0; i < n; i++) {
      expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(step * 1.0001);
      if (got[i] === want[i]) equal++;
    }
    // Measured: all equal on a grid of 2^-8 steps (four weight passes); 99.23% with one int8
    // weight per operand (2^-6).
    expect(equal / n).toBeGreaterThan(0.999);
  }, 60_000);
});
