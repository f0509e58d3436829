import type { Command } from 'commander';
import { parsePositiveInteger, parseSeconds, parseSeed, timeLimitDefaults } from './options.js';
import { defaultMaxMacs } from '../driver/work_limit.js';
import { InputError } from '../errors.js';
import type { Placement } from '../partition/partition.js';
import type { CompileOptions } from '../driver/run_model.js';
import { candidateBudgets } from '../schedule/exhaustive.js';
import { schedulerNames } from '../schedule/schedulers.js';
import type { AnyTarget } from '../contract/target.js';
import { defaultTargetName, resolveTarget } from '../targets/index.js';
import { formatTable } from './table.js';

/** The flags `run` and `compile` share: how a model is quantized, partitioned and scheduled. */
export interface ModelFlags {
  target: string;
  scheduler: string;
  quantize?: boolean;
  calibrate?: string;
  inputShape: string[];
  seed: string;
  timeLimit: string;
  budget: string;
  compare?: string;
  explain?: boolean;
  reference: boolean;
  maxMacs: string;
}

const repeatable = (v: string, prev: string[]) => [...prev, v];

/** `--max-macs`: the work limit of `run`, `compile`, `bench` and `schedule`. */
export const maxMacsOption = [
  '--max-macs <n>',
  'refuse work of more multiply-accumulates than this',
  String(defaultMaxMacs),
] as const;
/** Adds the shared model flags to a command. */
export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--target <name|file.json>', 'a built-in target or a spec file', defaultTargetName)
    .option('--scheduler <name>', `one of ${schedulerNames().join(', ')}`, defaultModelScheduler())
    .option('--quantize', 'post-training int8 quantization of a float model')
    .option('--calibrate <dir>', 'calibration inputs for --quantize: a directory of .npy files')
    .option(
      '--input-shape <name=1x3x224x224>',
      'a fixed shape for an input declared with symbolic dimensions (repeatable)',
      repeatable,
      [] as string[],
    )
    .option('--seed <n>', 'seed of random inputs and calibration', '0')
    .option(
      '--time-limit <seconds>',
      'wall-clock safety net per layer (per MIP for cosa) of searching schedulers; they stop at ' +
        'deterministic work limits first',
      String(timeLimitDefaults.modelLayer),
    )
    .option(
      '--budget <n>',
      'exhaustive: the candidate mappings it evaluates per layer (its deterministic limit; where ' +
        'it stops there, the result is the best of those, reported as incomplete)',
      String(candidateBudgets.modelLayer),
    )
    .option('--compare <schedulers>', 'also simulate these schedulers per layer (comma-separated)')
    .option('--explain', 'list every node, where it runs, and why')
    .option('--no-reference', 'skip the comparison with onnxruntime')
    .option(...maxMacsOption);
}

/** The scheduler `run` and `compile` use unless told: cosa when it is built in. */
export function defaultModelScheduler(): string {
  return schedulerNames().includes('cosa') ? 'cosa' : 'baseline';
}

/** `--input-shape name=1x3x48x192` (repeatable) as a record of shapes. */
export function parseInputShapes(specs: readonly string[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const spec of specs) {
    const m = /^(.+)=(\d+(?:x\d+)*)$/.exec(spec);
    if (m === null) {
      throw new InputError(`--input-shape must look like NAME=1x3x224x224 (got "${spec}")`);
    }
    out[m[1]] = m[2].split('x').map(Number);
  }
  return out;
}

/** The shared flags, checked: the target, the schedulers, and the compile options. */
export function modelSettings(f: ModelFlags): {
  target: AnyTarget;
  seed: number;
  timeLimitSeconds: number;
  candidateBudget: number;
  compare: string[];
  compile: CompileOptions;
} {
  const target = resolveTarget(f.target);
  const seed = parseSeed(f.seed);
  const known = schedulerNames();
  if (!known.includes(f.scheduler)) {
    throw new InputError(`unknown scheduler "${f.scheduler}" (schedulers: ${known.join(', ')})`);
  }
  const compare = f.compare?.split(',').filter((s) => s !== '') ?? [];
  for (const s of compare) {
    if (!known.includes(s)) throw new InputError(`--compare: unknown scheduler "${s}"`);
  }
  if (f.calibrate !== undefined && f.quantize !== true) {
    throw new InputError('--calibrate needs --quantize');
  }
  return {
    target,
    seed,
    timeLimitSeconds: parseSeconds(f.timeLimit, '--time-limit'),
    candidateBudget: parsePositiveInteger(f.budget, '--budget'),
    compare,
    compile: {
      quantize: f.quantize === true,
      inputShapes: parseInputShapes(f.inputShape),
      ...(f.calibrate === undefined ? {} : { calibrateDir: f.calibrate }),
      seed,
      maxMacs: parsePositiveInteger(f.maxMacs, '--max-macs'),
    },
  };
}

/** The placement table of `--explain`: every node, where it runs and why. */
export function explainPlacements(placements: readonly Placement[]): string {
  return formatTable(
    ['node', 'op', 'runs on', 'why'],
    placements.map((p) => [
      p.node.name,
      p.node.op,
      p.placement,
      p.placement === 'accelerator' ? `pattern: ${p.pattern}` : p.reason,
    ]),
  );
}
