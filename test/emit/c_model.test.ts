import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../src/errors.js';
import type { Graph } from '../../src/ir/graph.js';
import { emitModelProject, modelArena } from '../../src/emit/c_model.js';
import { traceBases } from '../../src/emit/c_model_layers.js';
import { expand, interpret } from '../../src/program/interpret.js';
import { isScheduled, partition, type Placement } from '../../src/partition/partition.js';
import { planLayouts } from '../../src/partition/layout_plan.js';
import { removeDeadCode } from '../../src/passes/dead_code.js';
import { planDram } from '../../src/emit/dram_plan.js';
import { executeGraph } from '../../src/driver/execute_graph.js';
import { compileModel, randomInputs, type CompiledModel } from '../../src/driver/run_model.js';
import type { AnyTarget } from '../../src/contract/target.js';
import type { Mapping } from '../../src/mapping/mapping.js';
import { schedule } from '../../src/schedule/schedulers.js';
import { riscvWord } from '../../src/targets/gemmini/encoding.js';
import { encodeInstr } from '../../src/targets/gemmini/isa.js';
import type { Instr } from '../../src/targets/gemmini/instr.js';
import { targetByName } from '../../src/targets/index.js';
import { modelDir } from '../fixtures/models.js';
import { simulatedCycles } from '../../src/runtime/run_layer.js';

/**
 * The whole-model C project against gemmforge's own run: built on the host in trace mode, its
 * instruction trace is the interpreter's stream of every accelerator layer in order (at the buffer
 * bases the C uses), and its outputs are executeGraph's on the same input, bit for bit. The RISC-V
 * build holds the layers' custom-3 instructions.
 */

const run = promisify(execFile);
const available = (cmd: string): boolean => spawnSync(cmd, ['--version']).status === 0;
const hasCc = available('cc') && available('make');
const hasRiscv = available('riscv64-unknown-elf-gcc') && available('riscv64-unknown-elf-objdump');
if (!hasCc) console.warn('c_model.test.ts: no `cc`/`make` on PATH; skipping the C project checks');
if (!hasRiscv) {
  console.warn(
    'c_model.test.ts: no riscv64-unknown-elf-gcc/objdump on PATH; skipping `make riscv`',
  );
}

const models = modelDir;
const gemmini = targetByName('gemmini');
const target = gemmini;

/** An instruction's words through the target's own ISA table. */
function encoded(t: AnyTarget, item: { readonly kind: string }) {
  const table = t.isa as Record<
    string,
    { encode(i: unknown): { funct: number; rs1: bigint; rs2: bigint } }
  >;
  return table[item.kind].encode(item);
}
const cflags = '-std=c11 -O1 -Wall -Wextra -Werror -fsanitize=address,undefined';
const plainFlags = '-std=c11 -O1 -Wall -Wextra -Werror';
const root = mkdtempSync(join(tmpdir(), 'gemmforge-c-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const executeOptions = {
  evaluate: simulatedCycles,
  scheduler: 'baseline',
  seed: 0,
  timeLimitSeconds: 2,
};

function baselineSchedules(model: CompiledModel, target = gemmini): Map<string, Mapping> {
  const out = new Map<string, Mapping>();
  for (const p of model.placements) {
    if (isScheduled(p)) {
      out.set(p.node.name, schedule('baseline', p.fused.workload, target, executeOptions).mapping);
    }
  }
  return out;
}

function writeProject(files: Record<string, string>, id: string): string {
  const dir = mkdtempSync(join(root, `${id}-`));
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

const hex64 = (x: bigint): string => `0x${x.toString(16).padStart(16, '0')}`;

/**
 * Compares a trace with the interpreter's streams of every accelerator run in graph order (each
 * layer at the buffer bases the C uses): the first difference with its neighbours, or undefined.
 */
function traceDifference(
  actual: readonly string[],
  model: CompiledModel,
  schedules: Map<string, Mapping>,
  plan: ReturnType<typeof planDram>,
  target: AnyTarget,
) {
  let at = 0;
  let diff: { line: number; actual: string[]; expected: string } | undefined;
  for (const layer of modelArena(model, target, schedules, plan).layers) {
    for (let r = 0; r < layer.fused.count && diff === undefined; r++) {
      interpret<{ readonly kind: string }>(layer.program, traceBases(layer), (item) => {
        if (diff !== undefined) return;
        const w = item.kind === 'fence' ? undefined : encoded(target, item);
        const line = w === undefined ? 'fence' : `${w.funct} ${hex64(w.rs1)} ${hex64(w.rs2)}`;
        if (actual[at] !== line) {
          const near = actual.slice(Math.max(0, at - 2), at + 3);
          diff = { line: at, actual: near, expected: `${layer.node.name}: ${line}` };
        }
        at++;
      });
    }
  }
  if (diff === undefined && at !== actual.length) {
    return { line: at, actual: actual.slice(at, at + 3), expected: 'the end of the trace' };
  }
  return diff;
}

/**
 * `exact`: the outputs are DequantizeLinear of int8 values (one float32 product of the same int8
 * and scale), so they agree bit for bit. tiny_encoder's output comes after a host layer norm and
 * softmax: C's exp and pow (libm) and V8's may differ in a double's last bit, which can move a
 * float32 by one ulp, so there it is within 1e-5 relative (in practice it is exact too).
 */
const cases: readonly Case[] = [
  { name: 'lenet', quantize: true, exact: true },
  // Float convolutions and matrix products on the host sum in double in the reference's order.
  { name: 'lenet', quantize: false, exact: true },
  // The fused integer ops as host loops, as when a target's patterns refuse them.
  { name: 'lenet', quantize: true, exact: true, hostOnly: true },
  { name: 'tiny_encoder', quantize: true, exact: false },
  // The whole model passes too, in about 140 s on two busy cores (cc on 53 layers, 4.9 million
  // traced instructions); its first three layers keep the test short and hold each kind of layer
  // it has: the pre-padded stride-2 stem, a pre-padded depthwise conv and a 1×1 conv run as a
  // GEMM, with an int8 graph output.
  { name: 'q_mobilenet_v2', quantize: false, exact: true, upTo: '/features/1/conv/1/Conv' },
  // With the Makefile's own flags, no sanitizers: the build where GCC 12 once dropped a host loop
  // (model.c reaches its arena through a pointer since). Up to the first residual block's second
  // conv: conv1 padding with zero point 8, the max-pool (the accelerator's vector op, which the C
  // runs on the CPU) reading and writing NHWC, two 3×3 convs padding with −128, the second reading
  // the first's NHWC output.
  { name: 'q_resnet18', quantize: false, exact: true, upTo: '/layer1/0/conv2/Conv', plain: true },
  // A target whose programs read and write activations in blocked layouts of their own, with
  // 128-bit instructions and micro-op kernels among the program's constants.
  { name: 'lenet', quantize: true, exact: true, target: 'vta' },
  // VTA up to the first depthwise conv: the stride-2 stem and 32 groups on diagonal weight blocks.
  {
    name: 'mobilenet_v2',
    quantize: true,
    exact: true,
    target: 'vta',
    upTo: '/features/features.1/conv/conv.0/conv.0.0/Conv',
    calibrationSamples: 1,
  },
  // The smallest target: its C only traces its instructions (src/targets/toy/c_header.ts).
  { name: 'lenet', quantize: true, exact: true, target: 'toy' },
];

interface Case {
  readonly name: string;
  /** A built-in target (gemmini unless given). */
  readonly target?: string;
  readonly quantize: boolean;
  readonly exact: boolean;
  /** Cut the graph after this node (its output becomes the only graph output). */
  readonly upTo?: string;
  /** Run every node on the host. */
  readonly hostOnly?: boolean;
  /** Build with the Makefile's default flags (plus -Werror) instead of the sanitizers. */
  readonly plain?: boolean;
  /** Random calibration inputs of --quantize (8 unless given). */
  readonly calibrationSamples?: number;
}

function compiled({
  name,
  quantize,
  upTo,
  hostOnly,
  calibrationSamples,
  ...c
}: Case): CompiledModel {
  const target = targetByName(c.target ?? 'gemmini');
  const model = compileModel(`${models}/${name}.onnx`, target, {
    quantize,
    seed: 0,
    calibrationSamples,
  });
  if (hostOnly === true) {
    const placements = model.placements.map((p): Placement => ({
      node: p.node,
      placement: 'host',
      reason: 'the test asks',
    }));
    return { ...model, placements };
  }
  if (upTo === undefined) return model;
  const last = model.graph.nodes.find((n) => n.name === upTo);
  if (last === undefined) throw new Error(`${name} has no node ${upTo}`);
  const graph = removeDeadCode({ ...model.graph, outputs: [last.outputs[0]] });
  return { ...model, graph, placements: partition(graph, target) };
}

describe.skipIf(!hasCc)('the model as a C project', () => {
  it.each(
    cases.map((c) => ({
      ...c,
      id: `${c.name}${c.quantize ? ' --quantize' : ''}${c.hostOnly === true ? ' all on the host' : ''}${c.target === undefined ? '' : ` on ${c.target}`}`,
    })),
  )(
    '$id: the trace is the interpreter’s, the outputs are executeGraph’s',
    async (c) => {
      const t = targetByName(c.target ?? 'gemmini');
      await checkProject(compiled(c), c.name, c.exact, c.plain === true ? plainFlags : cflags, t);
    },
    240_000,
  );

  it('a small graph of data movement and float ops: Concat, Transpose, Slice, Softmax, Clip', async () => {
    await checkProject(movementModel(), 'movement', false);
  }, 60_000);

  it('an int8 max-pool that moves its values to another quantization, bit for bit', async () => {
    await checkProject(rescaledPoolModel(), 'qmaxpool', true);
  }, 60_000);
});

/**
 * Whether model.c moves activations between layouts exactly where the layout plan converts them:
 * one conversion function per plan conversion, called in the plan's order, and no accelerator
 * convolution copying its input or output (they read and write the plan's NHWC regions).
 */
function followsPlan(modelC: string, model: CompiledModel): boolean {
  const conversions = planLayouts(model.graph, model.placements).flatMap((s) =>
    s.kind === 'conversion' ? [`${s.conversion.op} '${s.conversion.tensor}'`] : [],
  );
  const called = [...modelC.matchAll(/^ {2}gf_convert_\d+\(\); \/\* (.*) \*\/$/gm)].map(
    (m) => m[1],
  );
  // The NCHW → NHWC staging loop each convolution had before the C followed the plan.
  const copies = modelC.includes('staged[((n *');
  return called.join('\n') === conversions.join('\n') && !copies;
}

/** Builds, runs and checks a model's project against executeGraph on a seeded input. */
async function checkProject(
  model: CompiledModel,
  id: string,
  exact: boolean,
  flags = cflags,
  target = gemmini,
): Promise<void> {
  const schedules = baselineSchedules(model, target);
  const plan = planDram(model.graph, model.placements, target.spec.dram.alignmentBytes);
  const files = emitModelProject(model, target, schedules, plan);
  expect(followsPlan(files['model.c'], model)).toBe(true);
  const dir = writeProject(files, id);
  // Build while gemmforge runs the model on its simulator.
  const build = run('make', [`CFLAGS=${flags}`], { cwd: dir, maxBuffer: 1 << 24 });
  const inputs = randomInputs(model.source, 3);
  const graphRun = executeGraph(model.graph, model.placements, inputs, target, executeOptions);
  await build;
  const input = inputs[model.graph.inputs[0]].data as Float32Array;
  writeFileSync(
    join(dir, 'input.raw'),
    new Uint8Array(input.buffer, input.byteOffset, input.byteLength),
  );
  // Without GF_TRACE the program writes no trace anywhere (no new file); it prints the same.
  const before = readdirSync(dir).sort();
  const untraced = { ...process.env };
  delete untraced.GF_TRACE;
  const plain = await run('./model', ['input.raw'], { cwd: dir, env: untraced });
  expect(readdirSync(dir).sort()).toEqual(before);
  const trace = join(dir, 'trace.txt');
  const { stdout } = await run('./model', ['input.raw', '-o', 'outputs.raw'], {
    cwd: dir,
    env: { ...process.env, GF_TRACE: trace },
  });
  expect(stdout).toContain(`simulated accelerator cycles: ${graphRun.acceleratorCycles} `);
  expect(plain.stdout).toBe(stdout);

  const actual = readFileSync(trace, 'utf8').split('\n').slice(0, -1);
  expect(traceDifference(actual, model, schedules, plan, target)).toBeUndefined();

  const got = readFileSync(join(dir, 'outputs.raw'));
  let at = 0;
  for (const out of model.graph.outputs) {
    const want = graphRun.outputs[out].data as Float32Array | Int8Array;
    const bytes = new Uint8Array(want.buffer, want.byteOffset, want.byteLength);
    const mine = got.subarray(at, at + bytes.length);
    if (exact) {
      expect(Buffer.compare(mine, bytes)).toBe(0);
    } else {
      const values = new Float32Array(
        mine.buffer.slice(mine.byteOffset, mine.byteOffset + mine.length),
      );
      let worst = 0;
      want.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(values[i] - v) / Math.max(Math.abs(v), 1e-30));
      });
      expect(worst).toBeLessThanOrEqual(1e-5);
    }
    at += bytes.length;
  }
  expect(at).toBe(got.length);
}

/** x [1,2,3,4] → Concat with a constant on axis 1 → Transpose → reversed Slice → Softmax → Clip. */
/** A node of a hand-built graph with one output. */
const node = (name: string, op: string, inputs: string[], out: string, attrs: object) => ({
  name,
  op,
  inputs,
  outputs: [out],
  attrs,
});

function movementModel(): CompiledModel {
  const f32 = (name: string, shape: number[], data?: number[]) => ({
    name,
    dtype: 'float32' as const,
    shape,
    ...(data === undefined ? {} : { data: Float32Array.from(data) }),
  });
  const i64 = (name: string, values: number[]) => ({
    name,
    dtype: 'int64' as const,
    shape: [values.length],
    data: values,
  });
  const tensors = Object.fromEntries(
    [
      f32('x', [1, 2, 3, 4]),
      f32(
        'k',
        [1, 1, 3, 4],
        Array.from({ length: 12 }, (_, i) => i / 7 - 0.5),
      ),
      f32('a', [1, 3, 3, 4]),
      f32('b', [1, 4, 3, 3]),
      i64('starts', [2]),
      i64('ends', [-10]),
      i64('axes', [3]),
      i64('steps', [-1]),
      f32('c', [1, 4, 3, 3]),
      f32('d', [1, 4, 3, 3]),
      f32('lo', [], [0.1]),
      f32('hi', [], [0.3]),
      f32('y', [1, 4, 3, 3]),
    ].map((t) => [t.name, t]),
  );
  const graph = {
    name: 'movement',
    opset: 13,
    inputs: ['x'],
    outputs: ['y'],
    tensors,
    nodes: [
      node('concat', 'Concat', ['x', 'k'], 'a', { axis: 1 }),
      node('transpose', 'Transpose', ['a'], 'b', { perm: [0, 3, 1, 2] }),
      node('slice', 'Slice', ['b', 'starts', 'ends', 'axes', 'steps'], 'c', {}),
      node('softmax', 'Softmax', ['c'], 'd', { axis: 1 }),
      node('clip', 'Clip', ['d', 'lo', 'hi'], 'y', {}),
    ],
  } as unknown as Graph;
  return graphModel(graph);
}

/** A hand-built graph as a compiled model, partitioned for gemmini. */
function graphModel(graph: Graph): CompiledModel {
  return {
    path: `${graph.name}.onnx`,
    bytes: new Uint8Array(),
    source: graph,
    graph,
    placements: partition(graph, target),
    warnings: [],
    quantized: false,
  };
}

/** x → Q → QMaxPool (3×3, stride 2, pads 1, moved to another scale and zero point) → DQ → y. */
function rescaledPoolModel(): CompiledModel {
  const scalar = (name: string, dtype: 'float32' | 'int8', v: number) => ({
    name,
    dtype,
    shape: [],
    data: dtype === 'float32' ? Float32Array.of(v) : Int8Array.of(v),
  });
  const tensors = Object.fromEntries(
    [
      { name: 'x', dtype: 'float32', shape: [1, 3, 9, 7] },
      scalar('sx', 'float32', 0.05),
      scalar('zx', 'int8', 3),
      { name: 'xq', dtype: 'int8', shape: [1, 3, 9, 7] },
      { name: 'yq', dtype: 'int8', shape: [1, 3, 5, 4] },
      scalar('sy', 'float32', 0.0173),
      scalar('zy', 'int8', -7),
      { name: 'y', dtype: 'float32', shape: [1, 3, 5, 4] },
    ].map((t) => [t.name, t]),
  );
  const rescale = {
    inScale: Math.fround(0.05),
    inZeroPoint: 3,
    outScale: Math.fround(0.0173),
    outZeroPoint: -7,
  };
  const window = {
    kernelShape: [3, 3],
    autoPad: 'NOTSET',
    strides: [2, 2],
    pads: [1, 1, 1, 1],
    ceilMode: false,
  };
  const graph = {
    name: 'qmaxpool',
    opset: 13,
    inputs: ['x'],
    outputs: ['y'],
    tensors,
    nodes: [
      node('q', 'QuantizeLinear', ['x', 'sx', 'zx'], 'xq', { axis: 1 }),
      node('pool', 'QMaxPool', ['xq'], 'yq', { ...window, rescale }),
      node('dq', 'DequantizeLinear', ['yq', 'sy', 'zy'], 'y', { axis: 1 }),
    ],
  } as unknown as Graph;
  return graphModel(graph);
}

describe('what the C project refuses', () => {
  it('a host op it has no C for names the node and op', () => {
    const model = compileModel(`${models}/lenet.onnx`, target, { quantize: true, seed: 0 });
    const first = model.graph.nodes.find((n) => n.op === 'QMaxPool');
    if (first === undefined) throw new Error('lenet has an int8 max-pool');
    const graph: Graph = {
      ...model.graph,
      nodes: model.graph.nodes.map((n) =>
        n === first ? { ...n, op: 'LayerNormalization', attrs: { axis: -1, epsilon: 1e-5 } } : n,
      ) as Graph['nodes'],
    };
    const placements = model.placements.map((p) =>
      p.node === first ? { ...p, node: graph.nodes[model.graph.nodes.indexOf(first)] } : p,
    ) as CompiledModel['placements'];
    const changed: CompiledModel = { ...model, graph, placements };
    const plan = planDram(graph, placements, 16);
    const emit = () =>
      emitModelProject(changed, target, baselineSchedules(changed), plan, { simulatedCycles: 1 });
    expect(emit).toThrow(UnsupportedError);
    expect(emit).toThrow(/node '\/MaxPool' \(LayerNormalization\)/);
  });
});

describe.skipIf(!hasRiscv || !hasCc)('make riscv', () => {
  it('lenet: the objects hold custom-3 instructions with the ISA module’s encodings', async () => {
    const model = compileModel(`${models}/lenet.onnx`, target, { quantize: true, seed: 0 });
    const schedules = baselineSchedules(model);
    const plan = planDram(model.graph, model.placements, target.spec.dram.alignmentBytes);
    const dir = writeProject(emitModelProject(model, target, schedules, plan), 'riscv');
    await run('make', ['riscv'], { cwd: dir });
    const { stdout } = await run(
      'riscv64-unknown-elf-objdump',
      ['-d', join(dir, 'model.riscv.o')],
      {
        maxBuffer: 1 << 26,
      },
    );
    const words = [...stdout.matchAll(/^\s*[0-9a-f]+:\s+([0-9a-f]{8})\s/gm)]
      .map((m) => parseInt(m[1], 16))
      .filter((w) => (w & 0x7f) === 0x7b);
    expect(words.length).toBeGreaterThan(0);
    for (const w of words) {
      const [funct, rs2, rs1, funct3, rd] = [
        w >>> 25,
        (w >>> 20) & 31,
        (w >>> 15) & 31,
        (w >>> 12) & 7,
        (w >>> 7) & 31,
      ];
      expect(w).toBe(riscvWord(funct, rs1, rs2, rd, funct3));
    }
    // Every funct the layers issue (the trace build's stream) is among the object's words.
    const functs = new Set<number>();
    for (const layer of modelArena(model, target, schedules, plan).layers) {
      for (const item of expand<Instr>(layer.program, traceBases(layer))) {
        if (item.kind !== 'fence') functs.add(encodeInstr(item).funct);
      }
    }
    const inObject = new Set(words.map((w) => w >>> 25));
    expect([...functs].filter((f) => !inObject.has(f))).toEqual([]);
  }, 60_000);
});
