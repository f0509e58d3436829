import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { elementCount, type Graph } from '../../src/ir/graph.js';
import { runGraphOnHost } from '../../src/host/run_graph.js';
import { modelDir } from '../fixtures/models.js';
import { mulberry32 } from '../fixtures/random.js';

/**
 * End to end: each fixture model on seeded random input, on the host reference kernels and on
 * onnxruntime-node (CPU, default optimizations), compared. Inputs: images uniform in [0, 1); the
 * encoder's 1×16×128 input uniform in [-1, 1) (mulberry32, seed 1234). For the QDQ models every
 * QuantizeLinear output is compared too (their final outputs are degenerate with random weights).
 */

function randomInput(n: number, lo: number, hi: number): Float32Array {
  const rand = mulberry32(1234);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = lo + (hi - lo) * rand();
  return x;
}

interface FloatComparison {
  readonly maxAbsErr: number;
  readonly maxAbsRef: number;
  readonly sqnrDb: number;
}

function compareFloat(got: ArrayLike<number>, ref: ArrayLike<number>): FloatComparison {
  let maxAbsErr = 0;
  let maxAbsRef = 0;
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(got[i] - ref[i]);
    maxAbsErr = Math.max(maxAbsErr, e);
    maxAbsRef = Math.max(maxAbsRef, Math.abs(ref[i]));
    signal += ref[i] * ref[i];
    noise += e * e;
  }
  const sqnrDb = noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
  return { maxAbsErr, maxAbsRef, sqnrDb };
}

/** Names of the QuantizeLinear outputs, in graph order. */
function quantizedNames(graph: Graph): string[] {
  return graph.nodes.filter((n) => n.op === 'QuantizeLinear').map((n) => n.outputs[0]);
}

/** The model with the given tensors added as uint8 graph outputs, so onnxruntime reports them. */
function withOutputs(bytes: Uint8Array, names: readonly string[]): Uint8Array {
  const { ModelProto, ValueInfoProto } = onnxProto.onnx;
  const model = ModelProto.decode(bytes);
  const outputs = model.graph?.output;
  if (!outputs) throw new Error('the model has no graph outputs');
  for (const name of names) {
    outputs.push(ValueInfoProto.create({ name, type: { tensorType: { elemType: 2 } } }));
  }
  return ModelProto.encode(model).finish();
}

async function runBoth(model: string, lo: number, hi: number) {
  const bytes = readFileSync(`${modelDir}/${model}.onnx`);
  const graph = importOnnx(bytes, `${model}.onnx`);
  const extra = quantizedNames(graph);
  const inName = graph.inputs[0];
  const shape = graph.tensors[inName].shape;
  const x = randomInput(elementCount(shape), lo, hi);
  const t0 = performance.now();
  const host = runGraphOnHost(
    { ...graph, outputs: [...graph.outputs, ...extra] },
    {
      [inName]: { data: x, shape },
    },
  );
  const hostMs = performance.now() - t0;
  const session = await ort.InferenceSession.create(withOutputs(bytes, extra));
  const ref = await session.run({ [inName]: new ort.Tensor('float32', x, [...shape]) });
  const out = graph.outputs[0];
  expect(host[out].shape).toEqual(ref[out].dims);
  const final = compareFloat(host[out].data as Float32Array, ref[out].data as Float32Array);
  return { host, ref, extra, final, hostMs };
}

const floatModels: readonly [string, number, number][] = [
  ['lenet', 0, 1],
  ['mobilenet_v2', 0, 1],
  ['tiny_encoder', -1, 1],
];

describe('host runtime against onnxruntime-node', () => {
  it.each(floatModels)('%s (float) matches within 1e-3 of max |ref|', async (model, lo, hi) => {
    const { final, hostMs } = await runBoth(model, lo, hi);
    console.log(`${model}: host ${hostMs.toFixed(0)} ms`, JSON.stringify(final));
    expect(final.maxAbsErr).toBeLessThanOrEqual(1e-3 * final.maxAbsRef);
    expect(final.sqnrDb).toBeGreaterThanOrEqual(60);
  });

  it.each(['q_resnet18', 'q_mobilenet_v2'])(
    '%s (QDQ): every quantized tensor equal but for a tiny fraction one step off',
    async (model) => {
      const { host, ref, extra, final, hostMs } = await runBoth(model, 0, 1);
      let total = 0;
      let offByOne = 0;
      let worse = 0;
      let zeroTensors = 0;
      for (const name of extra) {
        const got = host[name].data as Uint8Array;
        const want = ref[name].data as Uint8Array;
        let nonZero = 0;
        for (let i = 0; i < want.length; i++) {
          const d = Math.abs(got[i] - want[i]);
          if (d === 1) offByOne++;
          if (d > 1) worse++;
          if (want[i] !== 0) nonZero++;
        }
        if (nonZero === 0) zeroTensors++;
        total += want.length;
      }
      const stats = { tensors: extra.length, zeroTensors, total, offByOne, worse, final };
      console.log(`${model}: host ${hostMs.toFixed(0)} ms`, JSON.stringify(stats));
      expect(worse).toBe(0);
      expect(offByOne / total).toBeLessThanOrEqual(1e-3);
      expect(final.maxAbsErr).toBeLessThanOrEqual(1e-3 * final.maxAbsRef);
    },
  );
});
