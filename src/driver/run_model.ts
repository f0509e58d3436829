import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../errors.js';
import { importOnnx } from '../frontend/onnx/import.js';
import { elementCount, type DType, type Graph } from '../ir/graph.js';
import { partition, type PartitionedModel, type Placement } from '../partition/partition.js';
import { loadCalibrationDir, randomCalibration } from '../passes/calibrate.js';
import {
  cleanupPasses,
  globalPoolPasses,
  quantizedOpPasses,
  residualAddPasses,
  runPasses,
} from '../passes/pipeline.js';
import { quantizeGraph } from '../passes/quantize.js';
import {
  stoppedSearchWarnings,
  type LabelAccuracy,
  type ReferenceComparison,
  type RunSummary,
} from '../results/run_summary.js';
import type { AnyTarget } from '../contract/target.js';
import { compareOutputs } from './compare.js';
import {
  executeGraph,
  scheduleGraph,
  type ExecuteOptions,
  type GraphRun,
  type GraphSchedule,
} from './execute_graph.js';
import type { HostTensor } from '../host/host_tensor.js';
import type { HostValue } from '../host/run_graph.js';
import { seededRandom } from '../numeric/numeric.js';
import { runOnnxRuntime, type ReferenceOutputs } from './onnxruntime_reference.js';
import { countCorrect, top1Agreement, type Labels } from './classification.js';
import { checkMacs, defaultMaxMacs, graphMacs } from './work_limit.js';

export interface CompileOptions {
  /** Post-training quantization of a float model. */
  readonly quantize: boolean;
  /** A directory of .npy calibration samples (`loadCalibrationDir`); random samples otherwise. */
  readonly calibrateDir?: string;
  readonly calibrationSamples?: number;
  readonly seed: number;
  /** Shapes for graph inputs whose declared shapes have symbolic dimensions. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** The most multiply-accumulates a model may take (`defaultMaxMacs` unless given). */
  readonly maxMacs?: number;
}

/** A model ready to run: the graph as imported, the graph the target runs, and its partition. */
export interface CompiledModel extends PartitionedModel {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** After import and cleanup (float or QDQ, as the file is). */
  readonly source: Graph;
  /** After quantization (when asked) and folding into fused integer ops. */
  readonly graph: Graph;
  readonly placements: readonly Placement[];
  readonly warnings: readonly string[];
  /** Whether gemmforge quantized a float model (the reference then runs the float model). */
  readonly quantized: boolean;
}

/** Reads a model file (an InputError when it cannot be read). */
export function readModelFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read model '${path}': ${(e as Error).message}`);
  }
}

/**
 * Import → cleanup → (post-training quantization) → QDQ folding → partition. Quantization uses the
 * target's requantization capability: per-channel weight scales where it has them, power-of-two
 * scales for a shift-only requantizer.
 */
export function compileModel(
  path: string,
  target: AnyTarget,
  options: CompileOptions,
): CompiledModel {
  const bytes = readModelFile(path);
  const imported = importOnnx(bytes, basename(path), { inputShapes: options.inputShapes ?? {} });
  checkMacs(basename(path), graphMacs(imported), options.maxMacs ?? defaultMaxMacs);
  const source = runPasses(imported, cleanupPasses);
  const warnings: string[] = [];
  let graph = source;
  if (options.quantize) {
    let samples;
    if (options.calibrateDir !== undefined)
      samples = loadCalibrationDir(options.calibrateDir, source);
    else {
      const n = options.calibrationSamples ?? 8;
      samples = randomCalibration(source, n, options.seed);
      warnings.push(
        `calibrated on ${n} seeded random inputs (standard normal), not on real data: ` +
          'give --calibrate DIR for scales that fit your inputs',
      );
    }
    const r = target.spec.requantization;
    graph = quantizeGraph(source, samples, {
      perChannel: r.perChannel,
      powerOfTwo: r.scale === 'power-of-two-shift',
    });
  }
  graph = runPasses(graph, quantizedOpPasses);
  if (target.patterns.some((p) => p.kind === 'resadd')) graph = runPasses(graph, residualAddPasses);
  graph = acceleratedPools(graph, target);
  const placements = partition(graph, target);
  if (!placements.some((p) => p.placement === 'accelerator')) {
    warnings.push(
      `no layer runs on ${target.name}` +
        (options.quantize ? '' : ' (a float model: run with --quantize, or give a QDQ model)'),
    );
  }
  return { path, bytes, source, graph, placements, warnings, quantized: options.quantize };
}

/** Global pooling folded into QConvs (globalPoolPasses), kept when the target runs every one. */
function acceleratedPools(graph: Graph, target: AnyTarget): Graph {
  const pools = new Set(graph.nodes.filter((n) => n.op === 'GlobalAveragePool').map((n) => n.name));
  if (pools.size === 0) return graph;
  const folded = runPasses(graph, globalPoolPasses);
  const onHost = partition(folded, target).some(
    (p) => p.placement === 'host' && p.node.op === 'QConv' && pools.has(p.node.name),
  );
  return onHost ? graph : folded;
}

/** Seeded standard-normal values for every float graph input (other dtypes need --input). */
export function randomInputs(graph: Graph, seed: number): Record<string, HostValue> {
  const next = seededRandom(seed ^ 0x5bd1e995);
  const uniform = () => (next() + 0.5) / 4294967296;
  const out: Record<string, HostValue> = {};
  for (const name of graph.inputs) {
    const t = graph.tensors[name];
    if (t.dtype !== 'float32') {
      throw new InputError(`input '${name}' is ${t.dtype}: give it with --input (a .npy file)`);
    }
    const data = new Float32Array(elementCount(t.shape));
    for (let i = 0; i < data.length; i++) {
      data[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    }
    out[name] = { data, shape: t.shape };
  }
  return out;
}

/** One quantization step of a graph output: the scale of the DequantizeLinear producing it. */
function outputStep(graph: Graph, name: string, ref: ArrayLike<number>): number {
  const producer = graph.nodes.find((n) => n.outputs.includes(name));
  if (producer?.op === 'DequantizeLinear') {
    const s = graph.tensors[producer.inputs[1]]?.data;
    if (s !== undefined && s.length === 1) return Number(s[0]);
  }
  // Not a dequantized output: one step of an 8-bit grid over the reference's range.
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < ref.length; i++) {
    lo = Math.min(lo, ref[i]);
    hi = Math.max(hi, ref[i]);
  }
  return hi > lo ? (hi - lo) / 255 : 0;
}

/** A warning when the reference outputs hold one value only: the figures then say nothing. */
function constantReference(refs: readonly ArrayLike<number>[]): string | null {
  const first = refs.find((r) => r.length > 0)?.[0];
  if (first === undefined) return null;
  if (refs.some((r) => Array.prototype.some.call(r, (x: number) => x !== first))) return null;
  const what = first === 0 ? 'all zeros' : `all equal to ${first}`;
  return (
    `the reference outputs are ${what}: cosine, SQNR and errors against them say nothing about ` +
    'accuracy (a model with untrained weights, or inputs it ignores?)'
  );
}

/**
 * onnxruntime's outputs on the same inputs: the float model's for a run of a quantized float model,
 * the QDQ model's own otherwise. Null, with a warning, when onnxruntime is not available.
 */
export async function referenceOutputs(
  model: CompiledModel,
  inputs: Readonly<Record<string, HostValue>>,
  warnings: string[],
): Promise<ReferenceOutputs | null> {
  const typed: Record<string, HostValue & { dtype: DType }> = {};
  for (const [name, v] of Object.entries(inputs)) {
    typed[name] = { ...v, dtype: model.source.tensors[name].dtype };
  }
  const ref = await runOnnxRuntime(model.bytes, typed);
  if ('unavailable' in ref) {
    warnings.push(`no reference comparison: ${ref.unavailable as string}`);
    return null;
  }
  for (const name of model.graph.outputs) {
    if (ref[name] === undefined)
      throw new InputError(`onnxruntime did not produce output '${name}'`);
  }
  return ref;
}

/**
 * Compares a run's outputs with the reference's (`inputsFrom` says where the inputs came from),
 * with a warning when the reference outputs are constant.
 */
export function compareWithReference(
  model: CompiledModel,
  ref: ReferenceOutputs,
  outputs: Readonly<Record<string, HostTensor>>,
  warnings: string[],
  inputsFrom = 'the same inputs',
): ReferenceComparison {
  const pairs = model.graph.outputs.map((name) => ({
    got: outputs[name].data as ArrayLike<number>,
    ref: ref[name].data,
    step: outputStep(model.graph, name, ref[name].data),
  }));
  const constant = constantReference(pairs.map((p) => p.ref));
  if (constant !== null) warnings.push(constant);
  const file = basename(model.path);
  const which = model.quantized ? `the float model ${file} (before quantization)` : file;
  const top1 = top1Agreement(
    model.graph.outputs.map((name) => ({
      got: { data: outputs[name].data as ArrayLike<number>, shape: outputs[name].shape },
      ref: ref[name],
    })),
  );
  return {
    ...compareOutputs(pairs),
    against: `onnxruntime on ${which}, ${inputsFrom}`,
    ...(top1 === null ? {} : { top1 }),
  };
}

/** referenceOutputs, then compareWithReference. */
export async function referenceComparison(
  model: CompiledModel,
  inputs: Readonly<Record<string, HostValue>>,
  outputs: Readonly<Record<string, HostTensor>>,
  warnings: string[],
  inputsFrom = 'the same inputs',
): Promise<ReferenceComparison | null> {
  const ref = await referenceOutputs(model, inputs, warnings);
  return ref === null ? null : compareWithReference(model, ref, outputs, warnings, inputsFrom);
}

/** Top-1 accuracy of the run (and of the reference, when it ran) against the labels. */
function labelAccuracy(
  labels: Labels,
  outputs: Readonly<Record<string, HostTensor>>,
  ref: ReferenceOutputs | null,
): LabelAccuracy {
  const got = outputs[labels.output];
  return {
    labels: labels.file,
    output: labels.output,
    rows: labels.classes.length,
    correct: countCorrect(
      { data: got.data as ArrayLike<number>, shape: got.shape },
      labels.classes,
    ),
    referenceCorrect: ref === null ? null : countCorrect(ref[labels.output], labels.classes),
  };
}

/**
 * Everything `gemmforge run` and `gemmforge compile` report, from a compiled model and its layers
 * (run on data, or only scheduled and timed) with the graph outputs' shapes.
 */
export function runSummary(
  model: CompiledModel,
  target: AnyTarget,
  scheduler: string,
  run: GraphSchedule,
  outputShapes: (name: string) => readonly number[],
  reference: ReferenceComparison | null,
  wallSeconds: number,
  warnings: readonly string[],
): RunSummary {
  return {
    model: basename(model.path),
    target: target.name,
    scheduler,
    spec: target.spec,
    layers: [...run.layers],
    totalCycles: run.acceleratorCycles + (run.hostCycles ?? 0),
    acceleratorCycles: run.acceleratorCycles,
    hostCycles: run.hostCycles,
    seconds: (run.acceleratorCycles + (run.hostCycles ?? 0)) / target.spec.clockHz,
    wallSeconds,
    outputs: model.graph.outputs.map((name) => ({ name, shape: [...outputShapes(name)] })),
    reference,
    warnings: [...model.warnings, ...stoppedSearchWarnings(run.layers), ...warnings],
  };
}

/**
 * Schedules and times every accelerator layer of a compiled model without running it on data (no
 * functional simulation, no reference comparison): `gemmforge compile` without `--verify`.
 */
export function scheduleModel(
  model: CompiledModel,
  target: AnyTarget,
  options: ExecuteOptions,
  start: number = performance.now(),
): RunSummary {
  const schedule = scheduleGraph(model.graph, model.placements, target, options);
  const wallSeconds = (performance.now() - start) / 1000;
  const shape = (name: string): readonly number[] => model.graph.tensors[name].shape;
  return runSummary(model, target, options.scheduler, schedule, shape, null, wallSeconds, []);
}

/** What `runModel` and `runCompiled` take besides the compile options. */
export type RunOptions = ExecuteOptions & {
  readonly inputs?: Readonly<Record<string, HostValue>>;
  readonly reference: boolean;
  /** Labels of the inputs' rows, for top-1 accuracy (`--labels`). */
  readonly labels?: Labels;
};

export interface ModelRun {
  readonly summary: RunSummary;
  readonly run: GraphRun;
  readonly model: CompiledModel;
}

/** Compile, run on the target's simulator and compare with onnxruntime. */
export async function runModel(
  path: string,
  target: AnyTarget,
  options: CompileOptions & RunOptions,
): Promise<ModelRun> {
  const start = performance.now();
  return runCompiled(compileModel(path, target, options), target, options, start);
}

/**
 * Runs a compiled model on the target's simulator (seeded random inputs unless given) and compares
 * it with onnxruntime; `start` is when the work began, for `wallSeconds`.
 */
export async function runCompiled(
  model: CompiledModel,
  target: AnyTarget,
  options: RunOptions & { readonly seed: number },
  start: number = performance.now(),
): Promise<ModelRun> {
  const inputs = options.inputs ?? randomInputs(model.source, options.seed);
  const run = executeGraph(model.graph, model.placements, inputs, target, options);
  const warnings: string[] = [];
  const ref = options.reference ? await referenceOutputs(model, inputs, warnings) : null;
  const reference =
    ref === null
      ? null
      : compareWithReference(
          model,
          ref,
          run.outputs,
          warnings,
          options.inputs === undefined
            ? `seeded random inputs (seed ${options.seed})`
            : 'the inputs given (--input)',
        );
  const wallSeconds = (performance.now() - start) / 1000;
  const shape = (name: string): readonly number[] => run.outputs[name].shape;
  const summary = runSummary(
    model,
    target,
    options.scheduler,
    run,
    shape,
    reference,
    wallSeconds,
    warnings,
  );
  if (options.labels === undefined) return { summary, run, model };
  const accuracy = labelAccuracy(options.labels, run.outputs, ref);
  return { summary: { ...summary, accuracy }, run, model };
}
