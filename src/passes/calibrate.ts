import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, UnsupportedError } from '../errors.js';
import { elementCount, type Graph } from '../ir/graph.js';
import type { HostValue } from '../host/run_graph.js';
import { runGraphOnHost } from '../host/run_graph.js';
import { seededRandom } from '../numeric/numeric.js';
import { readNpyFile, type NpyArray } from '../host/npy.js';

/** One calibration sample: a value for every graph input, by name. */
export type CalibrationSample = Readonly<Record<string, HostValue>>;

/**
 * What calibration saw of one float tensor over every sample: its extremes and a histogram of
 * |x| on a log scale (`histogramBins`), from which a percentile of |x| is read.
 */
export interface TensorStats {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  /** Bin 0 counts zeros; bin b ≥ 1 counts |x| in [2^(e0+(b−1)/k), 2^(e0+b/k)) (see below). */
  readonly histogram: Float64Array;
}

/** The histogram's resolution: `binsPerOctave` bins per power of two from 2^lowestExponent. */
const binsPerOctave = 32;
const lowestExponent = -64;
const histogramBins = 1 + 128 * binsPerOctave;

function binOf(a: number): number {
  if (a === 0) return 0;
  const b = 1 + Math.floor((Math.log2(a) - lowestExponent) * binsPerOctave);
  return b < 1 ? 1 : b >= histogramBins ? histogramBins - 1 : b;
}

/** The upper edge of bin b ≥ 1. */
function binTop(b: number): number {
  return 2 ** (lowestExponent + b / binsPerOctave);
}

interface Accumulator {
  count: number;
  min: number;
  max: number;
  readonly histogram: Float64Array;
}

function accumulate(acc: Accumulator, data: ArrayLike<number>): void {
  let { min, max } = acc;
  const h = acc.histogram;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x < min) min = x;
    if (x > max) max = x;
    h[binOf(Math.abs(x))]++;
  }
  acc.min = min;
  acc.max = max;
  acc.count += data.length;
}

/**
 * Runs the float graph on the host once per sample and gathers the statistics of the named
 * tensors (graph inputs or node outputs, all float32). Throws an InputError when no sample is
 * given, naming the sample index when a sample lacks an input or has the wrong shape.
 */
export function collectStats(
  graph: Graph,
  names: readonly string[],
  samples: readonly CalibrationSample[],
): Record<string, TensorStats> {
  if (samples.length === 0) throw new InputError('calibration needs at least one sample');
  for (const name of names) {
    const t = graph.tensors[name];
    if (t === undefined || t.dtype !== 'float32') {
      throw new InputError(`calibration: '${name}' is not a float32 tensor of the graph`);
    }
  }
  const accs = new Map<string, Accumulator>();
  for (const name of names) {
    accs.set(name, {
      count: 0,
      min: Infinity,
      max: -Infinity,
      histogram: new Float64Array(histogramBins),
    });
  }
  const observed = { ...graph, outputs: names };
  samples.forEach((sample, i) => {
    let values;
    try {
      values = runGraphOnHost(observed, sample);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      throw new InputError(`calibration sample ${i}: ${e.message}`);
    }
    for (const name of names) accumulate(accs.get(name)!, values[name].data as Float32Array);
  });
  return Object.fromEntries(names.map((name) => [name, accs.get(name)!]));
}

/**
 * The |x| a quantization range should reach: the largest |x| seen ('max'), or the given
 * percentile of |x| over every element seen ('percentile'; read from the histogram, rounded up
 * to its bin's upper edge, never above the largest |x|; the largest |x| when the percentile
 * falls among zeros).
 */
export function rangeLimit(
  stats: TensorStats,
  method: 'max' | 'percentile',
  percentile: number,
): number {
  const absMax = Math.max(Math.abs(stats.min), Math.abs(stats.max));
  if (method === 'max' || stats.count === 0) return absMax;
  const rank = Math.ceil((percentile / 100) * stats.count);
  let seen = 0;
  for (let b = 0; b < histogramBins; b++) {
    seen += stats.histogram[b];
    if (seen >= rank) return b === 0 ? absMax : Math.min(binTop(b), absMax);
  }
  return absMax;
}

/**
 * `count` samples of seeded standard-normal values (xorshift32 + Box–Muller) for every graph
 * input; the same graph, count and seed always give the same samples. Only float32 inputs can be
 * drawn at random (an UnsupportedError names any other).
 */
export function randomCalibration(graph: Graph, count: number, seed: number): CalibrationSample[] {
  for (const name of graph.inputs) {
    const t = graph.tensors[name];
    if (t.dtype !== 'float32') {
      throw new UnsupportedError(
        `random calibration of input '${name}' (${t.dtype})`,
        'only float32 inputs can be drawn at random; give calibration data',
      );
    }
  }
  const next = seededRandom(seed);
  const uniform = () => (next() + 0.5) / 4294967296;
  const normals = (n: number) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(uniform()));
      const theta = 2 * Math.PI * uniform();
      out[i] = r * Math.cos(theta);
      if (i + 1 < n) out[i + 1] = r * Math.sin(theta);
    }
    return out;
  };
  return Array.from({ length: count }, () => {
    const sample: Record<string, HostValue> = {};
    for (const name of graph.inputs) {
      const shape = graph.tensors[name].shape;
      sample[name] = { shape, data: normals(elementCount(shape)) };
    }
    return sample;
  });
}

/** An input name as it appears in calibration file names: [A-Za-z0-9._-] kept, others '_'. */
export function calibrationFileStem(input: string): string {
  return input.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * Checks an array read from `file` against the graph input it feeds: the same shape, the same dtype
 * (float64 becomes float32 only when `float64` says so: calibration samples, which feed statistics)
 * and, for a float input, only finite values.
 */
export function inputValue(
  graph: Graph,
  input: string,
  array: NpyArray,
  file: string,
  float64: 'convert' | 'refuse',
): HostValue {
  const t = graph.tensors[input];
  const sameShape =
    array.shape.length === t.shape.length && array.shape.every((d, i) => d === t.shape[i]);
  if (!sameShape) {
    throw new InputError(
      `${file}: shape [${array.shape}] does not match input '${input}' of shape [${t.shape}]`,
    );
  }
  let data = array.data;
  if (array.dtype === 'float64' && t.dtype === 'float32' && float64 === 'convert') {
    data = Float32Array.from(array.data as Float64Array);
  } else if (array.dtype !== t.dtype) {
    throw new InputError(
      `${file}: dtype ${array.dtype} does not match input '${input}' (${t.dtype}); ` +
        `save it as ${t.dtype}`,
    );
  }
  if (data instanceof Float32Array || data instanceof Float64Array) {
    const bad = data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) {
      throw new InputError(
        `${file}: element ${bad} of input '${input}' is ${data[bad]}; ` +
          'inputs must be finite numbers',
      );
    }
  }
  return { shape: array.shape, data };
}

/**
 * Loads a calibration directory of .npy files, one array per input per sample, each with exactly
 * the input's shape (and dtype; float64 is accepted for float32 inputs):
 * - a graph with one input: every `*.npy` file in the directory is one sample;
 * - a graph with several inputs: files are named `<input>_<i>.npy`, where `<input>` is the input's
 *   name with every character outside [A-Za-z0-9._-] replaced by '_' (`calibrationFileStem`) and
 *   `<i>` a sample number; every sample number needs one file per input.
 * Samples come in file-name order (numbers compared as numbers). Anything else is an InputError
 * naming the directory or file and what was expected.
 */
export function loadCalibrationDir(dir: string, graph: Graph): CalibrationSample[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((f) => f.endsWith('.npy'));
  } catch (e) {
    throw new InputError(
      `calibration directory ${dir}: cannot read (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  const files = entries
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (files.length === 0) throw new InputError(`calibration directory ${dir} has no .npy files`);
  if (graph.inputs.length === 1) {
    const input = graph.inputs[0];
    return files.map((f) => {
      const path = join(dir, f);
      return { [input]: inputValue(graph, input, readNpyFile(path), path, 'convert') };
    });
  }
  const stems = new Map(graph.inputs.map((name) => [calibrationFileStem(name), name]));
  const expected = [...stems.keys()].map((s) => `${s}_<i>.npy`).join(', ');
  const bySample = new Map<number, Map<string, string>>();
  for (const f of files) {
    const m = /^(.*)_(\d+)\.npy$/.exec(f);
    const input = m === null ? undefined : stems.get(m[1]);
    if (m === null || input === undefined) {
      throw new InputError(
        `${join(dir, f)}: the model has ${graph.inputs.length} inputs, so calibration files ` +
          `must be named ${expected}`,
      );
    }
    const index = Number(m[2]);
    const sample = bySample.get(index) ?? new Map<string, string>();
    const other = sample.get(input);
    if (other !== undefined) {
      throw new InputError(
        `calibration directory ${dir}: ${other} and ${f} are both sample ${index} of '${input}'`,
      );
    }
    sample.set(input, f);
    bySample.set(index, sample);
  }
  return [...bySample.keys()]
    .sort((a, b) => a - b)
    .map((index) => {
      const sample = bySample.get(index)!;
      const value: Record<string, HostValue> = {};
      for (const input of graph.inputs) {
        const f = sample.get(input);
        if (f === undefined) {
          throw new InputError(
            `calibration directory ${dir}: sample ${index} has no ` +
              `${calibrationFileStem(input)}_${index}.npy for input '${input}'`,
          );
        }
        const path = join(dir, f);
        value[input] = inputValue(graph, input, readNpyFile(path), path, 'convert');
      }
      return value;
    });
}
