import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelPath } from '../fixtures/models.js';
import {
  edgeNumber,
  edgeText,
  mutateModel,
  mutateSpec,
  mutatedNpy,
  rng,
  type Rng,
} from './mutate.js';

/** One fuzz case: the CLI's arguments and the files they name (written into the case's folder). */
export interface FuzzCase {
  readonly index: number;
  readonly kind: string;
  readonly what: string;
  readonly args: readonly string[];
  readonly files: Readonly<Record<string, Uint8Array | string>>;
}

const root = join(import.meta.dirname, '..', '..');
const specFile = join(root, 'src', 'targets', 'gemmini', 'specs', 'gemmini.json');

/** The fixtures, read once per process. */
interface Fixtures {
  readonly lenet: Uint8Array;
  readonly resnet: Uint8Array;
  readonly spec: unknown;
}

let fixtures: Fixtures | undefined;
function loadFixtures(): Fixtures {
  fixtures ??= {
    lenet: readFileSync(modelPath('lenet.onnx')),
    resnet: readFileSync(modelPath('q_resnet18.onnx')),
    spec: JSON.parse(readFileSync(specFile, 'utf8')),
  };
  return fixtures;
}

/** Cheap settings for a model run: the library tiling, no onnxruntime, a small work limit. */
const quickRun = ['--scheduler', 'baseline', '--no-reference'];

function modelCase(r: Rng, f: Fixtures): Omit<FuzzCase, 'index'> {
  const big = r.chance(0.3);
  const bytes = big ? f.resnet : f.lenet;
  // One case in four runs the model unchanged on another target or seed (exit 0 is the answer).
  const m = r.chance(0.25) ? { bytes, what: 'unchanged' } : mutateModel(bytes, r);
  const target = r.pick(['gemmini', 'gemmini-8', 'gemmini-os', 'vta', 'toy']);
  const seed = String(r.int(9));
  // q_resnet18 runs for half a minute: its mutants are imported, checked and placed only.
  const args = big
    ? ['compile', 'model.onnx', '--explain', '--target', target]
    : ['run', 'model.onnx', '--quantize', ...quickRun, '--target', target, '--seed', seed];
  return {
    kind: big ? 'q_resnet18' : 'lenet',
    what: m.what,
    args,
    files: { 'model.onnx': m.bytes },
  };
}

function specCase(r: Rng, f: Fixtures): Omit<FuzzCase, 'index'> {
  const s = mutateSpec(f.spec as Parameters<typeof mutateSpec>[0], r);
  const text = r.chance(0.05) ? JSON.stringify(s.json).slice(0, 40) : JSON.stringify(s.json);
  const args = r.chance(0.5)
    ? ['targets', '--spec', 'spec.json']
    : ['schedule', '--gemm', '40,40,40', '--target', 'spec.json', '--scheduler', 'baseline'];
  return { kind: 'spec', what: s.what, args, files: { 'spec.json': text } };
}

const schedulers = ['baseline', 'cosa', 'cosa-even', 'exhaustive', 'nosuch'];
const convFields = ['N', 'H', 'W', 'C', 'K', 'R', 'S', 'stride', 'pad', 'dilation', 'groups'];

/** `schedule` with numbers and flags as a user might mistype them. */
function scheduleCase(r: Rng): Omit<FuzzCase, 'index'> {
  const small = (): string => String(1 + r.int(48));
  const num = (): string => (r.chance(0.1) ? edgeText(r) : small());
  const args = ['schedule'];
  if (r.chance(0.5)) {
    args.push('--gemm', [num(), num(), num()].join(','));
  } else {
    const base: Record<string, string> = {
      N: '1',
      H: '8',
      W: '8',
      C: '16',
      K: '16',
      R: '3',
      S: '3',
    };
    for (const k of convFields) if (r.chance(0.1)) base[k] = r.chance(0.5) ? small() : num();
    args.push(
      '--conv',
      Object.entries(base)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    );
  }
  const scheduler = r.pick(schedulers);
  args.push('--scheduler', scheduler);
  if (scheduler === 'exhaustive') args.push('--budget', r.chance(0.2) ? edgeText(r) : '200');
  if (r.chance(0.1)) args.push('--max-macs', edgeText(r));
  if (r.chance(0.1)) args.push('--seed', edgeText(r));
  if (r.chance(0.1)) args.push('--time-limit', r.pick(['0', '-1', '5', 'x', '1e9']));
  if (r.chance(0.2)) args.push('--verify', '--data', r.pick(['random', 'extreme', 'both', 'x']));
  if (r.chance(0.1)) args.push('--target', r.pick(['gemmini-os', 'vta', 'toy', 'nosuch']));
  if (r.chance(0.05)) args.push(r.pick(['--bogus', '--json', '--refine']));
  return { kind: 'arguments', what: args.slice(1).join(' '), args, files: {} };
}

/** A lenet run given an .npy input, an input shape or an output folder as a user might. */
function inputCase(r: Rng, f: Fixtures): Omit<FuzzCase, 'index'> {
  const args = ['run', 'model.onnx', '--quantize', ...quickRun];
  const files: Record<string, Uint8Array> = { 'model.onnx': f.lenet };
  let what: string;
  switch (r.int(3)) {
    case 0: {
      const npy = mutatedNpy([1, 1, 28, 28], r);
      files['x.npy'] = npy.bytes;
      args.push('--input', r.chance(0.8) ? 'x.npy' : 'nosuch=x.npy');
      what = npy.what;
      break;
    }
    case 1: {
      const dims = [1, 1, 28, 28].map((d) => (r.chance(0.3) ? String(edgeNumber(r)) : String(d)));
      const name = r.chance(0.8) ? 'input.1' : 'nosuch';
      args.push('--input-shape', `${name}=${dims.join('x')}`);
      what = `--input-shape ${name}=${dims.join('x')}`;
      break;
    }
    default: {
      const out = r.pick(['out', 'model.onnx/sub', '/proc/nope', '/sys/nope', '']);
      args.push('--output', out);
      what = `--output ${out}`;
    }
  }
  return { kind: 'inputs', what, args, files };
}

/**
 * A small sweep (two points, ResNet-50's fc layer, the library tiling) with one or two fields
 * changed, through `explore`. Unchanged, it runs in seconds.
 */
const smallSweep = {
  base: 'gemmini',
  models: [{ network: 'resnet50', layers: ['fc'] }],
  parameters: { 'memories.scratchpad.capacityBytes': [131072, 262144] },
  constraints: { maxSramBytes: 524288 },
  scheduler: 'baseline',
  objectives: ['cycles', 'sramBytes'],
};

function sweepCase(r: Rng): Omit<FuzzCase, 'index'> {
  const s = r.chance(0.2)
    ? { json: smallSweep, what: 'unchanged' }
    : mutateSpec(smallSweep as Parameters<typeof mutateSpec>[0], r);
  const text = r.chance(0.05) ? JSON.stringify(s.json).slice(0, 30) : JSON.stringify(s.json);
  const args = ['explore', 'sweep.json', '--out', 'out', '--json'];
  args.push('--workers', r.chance(0.1) ? edgeText(r) : '1');
  if (r.chance(0.1)) args.push('--resume');
  return { kind: 'sweep', what: s.what, args, files: { 'sweep.json': text } };
}

/** Case `index` of the run seeded `seed`: the same on every machine. */
export function fuzzCase(seed: number, index: number): FuzzCase {
  const r = rng((seed * 1_000_003 + index * 7919 + 1) >>> 0);
  const f = loadFixtures();
  const make = r.pick([modelCase, modelCase, specCase, scheduleCase, inputCase, sweepCase]);
  return { index, ...make(r, f) };
}
