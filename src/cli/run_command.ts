import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import type { RunSummary } from '../results/run_summary.js';
import { cycleFooter, cycleSum } from './cycle_footer.js';
import { writeNpy } from '../host/npy.js';
import { compileModel, runCompiled } from '../driver/run_model.js';
import {
  addModelOptions,
  explainPlacements,
  modelSettings,
  type ModelFlags,
} from './model_options.js';
import { makeDirectory, writeOutputFile } from './output_files.js';
import { progressReporter } from './progress.js';
import { guardWrites } from './interrupt.js';
import { formatTable } from './table.js';
import { addInputOptions, readInputs, readLabels } from './model_inputs.js';
import { referenceLines } from './reference_lines.js';

interface RunFlags extends ModelFlags {
  input: string[];
  labels?: string;
  output?: string;
  force?: boolean;
  json?: boolean;
}

function printSummary(s: RunSummary): void {
  const pct = (x: number | null) => (x === null ? '' : `${(100 * x).toFixed(1)}%`);
  const computeOps = s.layers.filter(
    (l) =>
      l.placement === 'accelerator' || (l.op !== 'QuantizeLinear' && l.op !== 'DequantizeLinear'),
  );
  const lines: string[] = [];
  lines.push(`${s.model} on ${s.target}, scheduler ${s.scheduler}`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  lines.push('');
  lines.push(
    formatTable(
      ['layer', 'op', 'runs on', 'cycles', 'utilization', 'MACs'],
      computeOps.map((l) => [
        l.name,
        l.op,
        l.placement,
        l.cycles === null ? '' : String(l.cycles),
        pct(l.utilization),
        l.macs === 0 ? '' : String(l.macs),
      ]),
    ),
  );
  const quant = s.layers.filter((l) => !computeOps.includes(l));
  if (quant.length > 0) {
    const cycles = s.hostCycles === null ? '' : `: ${cycleSum(quant)} cycles`;
    lines.push(
      `(${quant.length} QuantizeLinear/DequantizeLinear nodes on the host not listed${cycles})`,
    );
  }
  lines.push('', ...cycleFooter(s));
  lines.push(...referenceLines(s, true));
  lines.push(`wall time ${s.wallSeconds.toFixed(1)} s`);
  process.stdout.write(lines.join('\n') + '\n');
}

/**
 * Writes each output as OUTPUT_DIR/<name>.npy (the directory made before the run), refusing to
 * overwrite without --force.
 */
function writeOutputs(
  dir: string,
  outputs: Readonly<Record<string, { data: unknown; shape: readonly number[]; dtype: string }>>,
  force: boolean,
): string[] {
  const written: string[] = [];
  for (const [name, t] of Object.entries(outputs)) {
    const file = join(dir, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.npy`);
    if (existsSync(file) && !force) {
      throw new InputError(`${file} exists; use --force to overwrite it`);
    }
    writeOutputFile(file, writeNpy(t as Parameters<typeof writeNpy>[0], file));
    written.push(file);
  }
  return written;
}

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description(
      'run an ONNX model: accelerator layers on the target simulator, the rest on the host; compare with onnxruntime',
    )
    .argument('<model>', 'an .onnx file (float, or int8 in QDQ form)');
  addInputOptions(addModelOptions(cmd))
    .option('--output <dir>', 'write every model output as <dir>/<name>.npy')
    .option('--force', 'overwrite existing output files')
    .option('--json', 'print the run summary as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  gemmforge run q_resnet18.onnx\n' +
        '  gemmforge run lenet.onnx --quantize --calibrate calib/ --json > run.json\n' +
        '  gemmforge run mobilenet_v2.onnx --quantize --input image.npy --output out/\n' +
        '  gemmforge run lenet_mnist.onnx --input-shape image=100x1x28x28 --quantize ' +
        '--calibrate calib/ --input digits.npy --labels classes.npy',
    )
    .action(async (model: string, f: RunFlags) => {
      const start = performance.now();
      const settings = modelSettings(f);
      const { target, seed, timeLimitSeconds, candidateBudget, compare } = settings;
      const compileOptions = settings.compile;
      const compiled = compileModel(model, target, compileOptions);
      if (f.explain) {
        process.stdout.write(explainPlacements(compiled.placements) + '\n');
        return;
      }
      if (f.output !== undefined) makeDirectory(f.output, '--output');
      const inputs = f.input.length > 0 ? readInputs(f.input, compiled.source) : undefined;
      const labels =
        f.labels === undefined
          ? undefined
          : readLabels(f.labels, compiled.graph, inputs !== undefined);
      const progress = progressReporter(f.json === true);
      const { summary, run } = await runCompiled(
        compiled,
        target,
        {
          seed,
          scheduler: f.scheduler,
          timeLimitSeconds,
          candidateBudget,
          compare,
          reference: f.reference,
          ...(inputs === undefined ? {} : { inputs }),
          ...(labels === undefined ? {} : { labels }),
          onProgress: (done, total, node) => progress(done, total, `running ${node}`),
        },
        start,
      );
      progress.done();
      if (f.output !== undefined) {
        guardWrites();
        const files = writeOutputs(f.output, run.outputs, f.force === true);
        if (!f.json) process.stdout.write(`outputs written: ${files.join(', ')}\n`);
      }
      if (f.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else printSummary(summary);
    });
}
