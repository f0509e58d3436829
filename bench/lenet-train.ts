/**
 * LeNet-5 as models/lenet.onnx has it (Conv 1→6 5×5, Relu, MaxPool 2, Conv 6→16 5×5, Relu,
 * MaxPool 2, Flatten, Gemm 256→120, Relu, Gemm 120→84, Relu, Gemm 84→10), trained with minibatch
 * SGD and momentum on 1×28×28 images in [0, 1]. Plain loops over Float32Arrays, one image at a
 * time; every random choice comes from a seeded generator, so a seed gives the same weights on
 * every machine. The parameters are kept in ONNX's layouts (Conv weights [K, C, R, S], Gemm
 * weights [out, in] for transB = 1) under the initializer names of models/lenet.onnx.
 */
import { seededRandom } from '../dist/numeric/numeric.js';

/** One parameter tensor: its initializer name, ONNX shape and values. */
export interface Param {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

interface ConvShape {
  readonly c: number;
  readonly k: number;
  readonly h: number;
  readonly w: number;
}
const kernel = 5;
const conv1: ConvShape = { c: 1, k: 6, h: 28, w: 28 };
const conv2: ConvShape = { c: 6, k: 16, h: 12, w: 12 };
const dense: readonly (readonly [number, number])[] = [
  [256, 120],
  [120, 84],
  [84, 10],
];

/** The parameters in the order of models/lenet.onnx's initializers, He-uniform initialised. */
export function initParams(seed: number): Param[] {
  const next = seededRandom(seed);
  const uniform = () => (next() + 0.5) / 4294967296;
  const make = (name: string, shape: number[], fanIn: number | null): Param => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (fanIn !== null) {
      const bound = Math.sqrt(6 / fanIn);
      for (let i = 0; i < data.length; i++) data[i] = (2 * uniform() - 1) * bound;
    }
    return { name, shape, data };
  };
  const params: Param[] = [];
  for (const [prefix, s] of [
    ['c1', conv1],
    ['c2', conv2],
  ] as const) {
    params.push(make(`${prefix}.weight`, [s.k, s.c, kernel, kernel], s.c * kernel * kernel));
    params.push(make(`${prefix}.bias`, [s.k], null));
  }
  dense.forEach(([n, m], i) => {
    params.push(make(`f${i + 1}.weight`, [m, n], n));
    params.push(make(`f${i + 1}.bias`, [m], null));
  });
  return params;
}

/** A valid (unpadded) 5×5 convolution, stride 1, plus bias, then Relu in place. */
function convRelu(s: ConvShape, x: Float32Array, w: Float32Array, b: Float32Array): Float32Array {
  const oh = s.h - kernel + 1;
  const ow = s.w - kernel + 1;
  const y = new Float32Array(s.k * oh * ow);
  for (let k = 0; k < s.k; k++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let acc = b[k];
        for (let c = 0; c < s.c; c++) {
          for (let r = 0; r < kernel; r++) {
            const xRow = (c * s.h + i + r) * s.w + j;
            const wRow = ((k * s.c + c) * kernel + r) * kernel;
            for (let q = 0; q < kernel; q++) acc += w[wRow + q] * x[xRow + q];
          }
        }
        y[(k * oh + i) * ow + j] = acc > 0 ? acc : 0;
      }
    }
  }
  return y;
}

/**
 * Gradients of convRelu: `dy` (of the Relu output, zeroed here where it was clipped) into `dw`,
 * `db` and, when given, `dx`.
 */
function convReluBack(
  s: ConvShape,
  x: Float32Array,
  w: Float32Array,
  y: Float32Array,
  dy: Float32Array,
  dw: Float32Array,
  db: Float32Array,
  dx: Float32Array | null,
): void {
  const oh = s.h - kernel + 1;
  const ow = s.w - kernel + 1;
  for (let k = 0; k < s.k; k++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const at = (k * oh + i) * ow + j;
        const g = y[at] > 0 ? dy[at] : 0;
        if (g === 0) continue;
        db[k] += g;
        for (let c = 0; c < s.c; c++) {
          for (let r = 0; r < kernel; r++) {
            const xRow = (c * s.h + i + r) * s.w + j;
            const wRow = ((k * s.c + c) * kernel + r) * kernel;
            for (let q = 0; q < kernel; q++) {
              dw[wRow + q] += g * x[xRow + q];
              if (dx !== null) dx[xRow + q] += g * w[wRow + q];
            }
          }
        }
      }
    }
  }
}

/** 2×2 max pooling, stride 2, of `channels` planes of h×w; `arg` gets each maximum's index. */
function maxPool(x: Float32Array, channels: number, h: number, w: number, arg: Int32Array) {
  const oh = h / 2;
  const ow = w / 2;
  const y = new Float32Array(channels * oh * ow);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let best = -Infinity;
        let at = 0;
        for (let r = 0; r < 2; r++) {
          for (let q = 0; q < 2; q++) {
            const idx = (c * h + 2 * i + r) * w + 2 * j + q;
            if (x[idx] > best) {
              best = x[idx];
              at = idx;
            }
          }
        }
        const o = (c * oh + i) * ow + j;
        y[o] = best;
        arg[o] = at;
      }
    }
  }
  return y;
}

/** y = W x + b (W is [m, n]), with Relu unless `linear`. */
function denseLayer(x: Float32Array, w: Float32Array, b: Float32Array, linear: boolean) {
  const m = b.length;
  const n = x.length;
  const y = new Float32Array(m);
  for (let o = 0; o < m; o++) {
    let acc = b[o];
    for (let i = 0; i < n; i++) acc += w[o * n + i] * x[i];
    y[o] = linear || acc > 0 ? acc : 0;
  }
  return y;
}

/** Every activation of one forward pass, kept for the backward pass. */
interface Trace {
  readonly a1: Float32Array;
  readonly p1: Float32Array;
  readonly arg1: Int32Array;
  readonly a2: Float32Array;
  readonly p2: Float32Array;
  readonly arg2: Int32Array;
  readonly dense: Float32Array[];
}

function forward(params: readonly Param[], image: Float32Array): Trace {
  const d = params.map((p) => p.data);
  const a1 = convRelu(conv1, image, d[0], d[1]);
  const arg1 = new Int32Array(6 * 12 * 12);
  const p1 = maxPool(a1, 6, 24, 24, arg1);
  const a2 = convRelu(conv2, p1, d[2], d[3]);
  const arg2 = new Int32Array(256);
  const p2 = maxPool(a2, 16, 8, 8, arg2);
  const h1 = denseLayer(p2, d[4], d[5], false);
  const h2 = denseLayer(h1, d[6], d[7], false);
  const logits = denseLayer(h2, d[8], d[9], true);
  return { a1, p1, arg1, a2, p2, arg2, dense: [p2, h1, h2, logits] };
}

/** The ten logits of one image. */
export function logitsOf(params: readonly Param[], image: Float32Array): Float32Array {
  return forward(params, image).dense[3];
}

/** Adds one image's gradients of the softmax cross-entropy loss to `grads`. */
function backward(
  params: readonly Param[],
  image: Float32Array,
  label: number,
  grads: readonly Float32Array[],
): void {
  const t = forward(params, image);
  const logits = t.dense[3];
  const top = Math.max(...logits);
  const exps = Array.from(logits, (v) => Math.exp(v - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  let dy = Float32Array.from(exps, (e, i) => e / sum - (i === label ? 1 : 0));
  for (let layer = 2; layer >= 0; layer--) {
    const x = t.dense[layer];
    const w = params[4 + 2 * layer].data;
    const dw = grads[4 + 2 * layer];
    const db = grads[5 + 2 * layer];
    const n = x.length;
    const dx = new Float32Array(n);
    for (let o = 0; o < dy.length; o++) {
      const g = dy[o];
      if (g === 0) continue;
      db[o] += g;
      for (let i = 0; i < n; i++) {
        dw[o * n + i] += g * x[i];
        dx[i] += g * w[o * n + i];
      }
    }
    // The layer below ended in a Relu (p2 is pooled from a Relu's output: its zeros pass none).
    if (layer > 0) for (let i = 0; i < n; i++) if (x[i] <= 0) dx[i] = 0;
    dy = dx;
  }
  const da2 = new Float32Array(t.a2.length);
  for (let i = 0; i < dy.length; i++) da2[t.arg2[i]] += dy[i];
  const dp1 = new Float32Array(t.p1.length);
  convReluBack(conv2, t.p1, params[2].data, t.a2, da2, grads[2], grads[3], dp1);
  const da1 = new Float32Array(t.a1.length);
  for (let i = 0; i < dp1.length; i++) da1[t.arg1[i]] += dp1[i];
  convReluBack(conv1, image, params[0].data, t.a1, da1, grads[0], grads[1], null);
}

export interface TrainOptions {
  readonly seed: number;
  readonly epochs: number;
  readonly batch: number;
  readonly learningRate: number;
  readonly momentum: number;
  /** Called after each epoch with its number (from 1) and the parameters so far. */
  readonly onEpoch?: (epoch: number, params: readonly Param[]) => void;
}

/** SGD with momentum over `images` (each 784 values) and their labels, shuffled per epoch. */
export function train(
  images: readonly Float32Array[],
  labels: readonly number[],
  options: TrainOptions,
): Param[] {
  const params = initParams(options.seed);
  const velocity = params.map((p) => new Float32Array(p.data.length));
  const next = seededRandom(options.seed ^ 0x2545f491);
  const order = images.map((_, i) => i);
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = next() % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    // Cosine decay of the step size over the epochs.
    const rate =
      options.learningRate * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / options.epochs));
    for (let start = 0; start < order.length; start += options.batch) {
      const batch = order.slice(start, start + options.batch);
      const grads = params.map((p) => new Float32Array(p.data.length));
      for (const i of batch) backward(params, images[i], labels[i], grads);
      params.forEach((p, k) => {
        const v = velocity[k];
        const g = grads[k];
        for (let e = 0; e < v.length; e++) {
          v[e] = options.momentum * v[e] - (rate * g[e]) / batch.length;
          p.data[e] += v[e];
        }
      });
    }
    options.onEpoch?.(epoch, params);
  }
  return params;
}

/** The index of the largest value (the first on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
