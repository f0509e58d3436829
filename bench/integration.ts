/**
 * Integration effort, measured (issue 8): lines of each target's folder (TypeScript) and of its spec
 * files, and the changes the second target needed outside its folder, each with why it was a missing
 * abstraction rather than a special case. Writes bench/results/integration.md.
 *
 *   npx tsx bench/integration.ts
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const targetsDir = join(root, 'src', 'targets');

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, ext) : path.endsWith(ext) ? [path] : [];
  });
}

/** All lines, and code lines (neither blank nor only a comment). */
function count(paths: readonly string[]): { lines: number; code: number; files: number } {
  let lines = 0;
  let code = 0;
  for (const p of paths) {
    const text = readFileSync(p, 'utf8').split('\n');
    if (text[text.length - 1] === '') text.pop();
    lines += text.length;
    code += text.filter((l) => {
      const t = l.trim();
      return t !== '' && !t.startsWith('//') && !t.startsWith('*') && !t.startsWith('/*');
    }).length;
  }
  return { lines, code, files: paths.length };
}

/** Every change outside src/targets/vta/ that VTA needed, and why it is not a VTA special case. */
const changes: readonly { readonly where: string; readonly what: string; readonly why: string }[] =
  [
    {
      where: 'src/target/spec.ts',
      what: 'a memory may hold no tensor (`holds: []`); `RequantScale` is exported',
      why:
        'a program memory (micro-op kernels, an instruction cache) is on-chip storage the spec must ' +
        'describe but no tensor lives in; the requantization capability is named where it is declared',
    },
    {
      where: 'src/target/target.ts',
      what: '`TargetCode.packInput` and `unpackOutput` beside `packWeights`; `Target.endOfStream`',
      why:
        'a DMA that moves whole blocks needs tensors in a blocked, padded layout (TVM packs NCHW16c ' +
        'on the host); weights already had this hook, inputs and outputs did not. A machine that ' +
        'queues work internally or runs a protocol must be checked when the stream ends',
    },
    {
      where: 'src/sim/simulate.ts',
      what: '`finish()` calls `endOfStream` and reports its fault as a SimulationError',
      why: 'the simulator never looked at a machine after the last instruction',
    },
    {
      where: 'src/program/program.ts',
      what: "buffer role `'constant'` with `contents` (int32 words)",
      why:
        'programs could only name data the runtime supplies; a program that carries its own data ' +
        '(micro-op kernels, lookup tables) had no way to say so',
    },
    {
      where: 'src/runtime/run_layer.ts',
      what: 'writes constant buffers (timing-only runs too), packs the input, unpacks the output',
      why: 'the runtime side of the two abstractions above',
    },
    {
      where: 'src/reference/requantize.ts (new), gemm.ts, conv.ts',
      what: '`requantize(x, scale, mode, relu)`: fp32 multiply or exact rounding shift; `requant?` input',
      why:
        'the reference knew one requantization (fp32); the spec already declared two capabilities. ' +
        'Absent means fp32, so every existing caller is unchanged',
    },
    {
      where: 'src/runtime/layer_data.ts, layer_report.ts',
      what: '`randomLayerData(w, seed, requant)` picks the nearest power-of-two scale for a shift-only target',
      why: 'the scale is data the runtime chooses; it now respects the capability the spec states',
    },
    {
      where: 'src/targets/index.ts',
      what: 'the three presets and the `vta` instruction set in the registry',
      why: 'the registry is the one place that lists targets',
    },
  ];

const targets = readdirSync(targetsDir).filter((n) => statSync(join(targetsDir, n)).isDirectory());
const measured = targets.map((name) => {
  const dir = join(targetsDir, name);
  return { name, ts: count(files(dir, '.ts')), specs: count(files(dir, '.json')) };
});
const rows = measured.map(
  ({ name, ts, specs }) =>
    `| ${name} | ${ts.files} | ${ts.lines} | ${ts.code} | ${specs.files} | ${specs.lines} |`,
);
/** Where VTA stands against the goal of at most 1,000 lines, from the measured count. */
function vtaNote(measured: readonly { name: string; lines: number }[]): string[] {
  const lines = measured.find((r) => r.name === 'vta')?.lines ?? 0;
  const status =
    lines <= 1000
      ? `VTA meets it: ${lines} lines.`
      : `VTA is over it: ${lines} lines, from 1290 before the follow-up.`;
  return [
    'The goal for the second target was a folder of at most 1,000 lines.',
    `${status} The follow-up`,
    'removed duplicated logic (one unsupported-workload check for the patterns and checkMapping,',
    'the micro-op kernels built beside the count that checks them, the micro-op decode through the',
    'codec, the flag list from the instruction table, one NHWC ↔ blocked',
    'transform for input and output, the timing unit from the module routing), folded the codec into',
    'instr.ts and derived the machine type from its constructor, while adding the accumulator-hazard',
    'rule (micro-op order, a GEMM per reduction group when a tile has fewer than 3 output blocks, the',
    "simulator's check). What is left is mostly the lowering (lower.ts: micro-op kernels per tile",
    'class and buffer copy, the token protocol, the ALU epilogue) as Prettier lays it out, and the',
    'bit-field codec, Horner addressing and NHWC ↔ NCHWc packing, which are target-neutral but stay',
    'here because moving them means editing shared modules.',
  ];
}

const md = [
  '# Integration effort',
  '',
  'Written by `npx tsx bench/integration.ts`. Lines of each target folder under `src/targets/`:',
  'TypeScript (all lines, and code lines: neither blank nor comment) and spec JSON (presets).',
  '',
  '| target | .ts files | .ts lines | code lines | specs | spec lines |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows,
  '',
  ...vtaNote(measured.map((r) => ({ name: r.name, lines: r.ts.lines }))),
  '',
  '## Changes outside src/targets/vta/',
  '',
  'No file outside `src/targets/` names an accelerator (test/architecture.test.ts). Every scheduler',
  '(baseline: the simple mapping, as VTA has no vendor heuristic; exhaustive; cosa; cosa-even) runs',
  'on the VTA presets from their specs, with no change to src/schedule/. One gap: cosa-even picks',
  'divisor tiles for the array dims (e.g. 8 channels) and VTA needs whole 16-channel blocks there, so',
  'on such layers it falls back to the simple mapping and says so; the exhaustive space and cosa',
  'already round array dims to whole blocks.',
  '',
  '| where | what | why it was a missing abstraction |',
  '|---|---|---|',
  ...changes.map((c) => `| ${c.where} | ${c.what} | ${c.why} |`),
  '',
];
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'integration.md'), md.join('\n'));
console.log(md.join('\n'));
