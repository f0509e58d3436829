import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { emitModelProject } from '../emit/c_model.js';
import type { RunSummary } from '../results/run_summary.js';
import { planDram } from '../emit/dram_plan.js';
import { createScheduleCache } from '../schedule/cache.js';
import { compileModel, runCompiled, scheduleModel } from '../driver/run_model.js';
import type { Mapping } from '../mapping/mapping.js';
import {
  addModelOptions,
  explainPlacements,
  modelSettings,
  type ModelFlags,
} from './model_options.js';
import type { VerifyDataKind } from '../runtime/layer_data.js';
import { parseVerifyData } from './options.js';
import { isDirectory, makeDirectory, writeOutputFile } from './output_files.js';
import { progressReporter } from './progress.js';
import { guardWrites } from './interrupt.js';
import { formatBytes } from './table.js';
import { cycleFooter } from './cycle_footer.js';
import { addInputOptions, readInputs, readLabels } from './model_inputs.js';
import { referenceLines } from './reference_lines.js';

interface CompileFlags extends ModelFlags {
  input: string[];
  labels?: string;
  output?: string;
  force?: boolean;
  json?: boolean;
  verify?: boolean;
  data?: string;
}

/** A directory we may write into (made here when absent): empty, or non-empty with --force. */
function prepareOutputDir(dir: string, force: boolean): void {
  if (isDirectory(dir)) {
    if (readdirSync(dir).length > 0 && !force) {
      throw new InputError(`${dir} is not empty; use --force to write into it`);
    }
    return;
  }
  makeDirectory(dir, '--output');
}

/** The schedule of every accelerator layer, as `schedules.json` holds it. */
function schedulesOf(summary: RunSummary) {
  return summary.layers
    .filter((l) => l.placement === 'accelerator' && l.detail !== null)
    .map((l) => {
      const d = l.detail as NonNullable<typeof l.detail>;
      return {
        layer: l.name,
        op: l.op,
        workload: d.workload,
        scheduler: d.scheduler,
        mapping: d.mapping,
        solveSeconds: d.solveSeconds,
        fallback: d.fallback,
        simulatedCycles: d.simulatedCycles,
        predictedCycles: d.predictedCycles,
        rooflineCycles: d.rooflineCycles,
      };
    });
}

/** What `--verify` checked: every accelerator layer bit-exact (a mismatch has exited 1 already). */
function verifyLines(summary: RunSummary, data: readonly VerifyDataKind[]): string[] {
  const layers = summary.layers.filter((l) => l.placement === 'accelerator').length;
  const on = data.map((d) => (d === 'random' ? "the model's data" : 'worst-case data'));
  return [
    `verify: ${layers} accelerator layers bit-exact on ${on.join(' and on ')}`,
    ...referenceLines(summary, false),
  ];
}

export function registerCompile(program: Command): void {
  const cmd = program
    .command('compile')
    .description(
      'compile an ONNX model for a target: schedule and time every layer, write the C project, ' +
        'report.html, schedules.json and summary.json (--verify also runs the model on the simulator)',
    )
    .argument('<model>', 'an .onnx file (float with --quantize, or int8 in QDQ form)')
    .option(
      '-o, --output <dir>',
      'the directory to write (must be empty, or --force); required unless --explain',
    );
  addInputOptions(addModelOptions(cmd))
    .option('--force', 'write into a non-empty output directory')
    .option('--json', 'print the summary as JSON')
    .option(
      '--verify',
      'also run the model on the simulator (every layer checked bit for bit against its integer ' +
        'reference) and compare the outputs with onnxruntime',
    )
    .option(
      '--data <kind>',
      'with --verify: random (the model on seeded random inputs, or --input), extreme (every ' +
        'accelerator layer on worst-case int8 operands that drive each partial sum to its largest ' +
        'magnitude) or both',
      'both',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  gemmforge compile q_mobilenet_v2.onnx -o out/\n' +
        '  gemmforge compile lenet.onnx --quantize --compare baseline,exhaustive -o out/ --force\n' +
        '  gemmforge compile q_resnet18.onnx --verify -o out/\n' +
        '  gemmforge compile lenet.onnx --quantize --verify --data extreme -o out/\n' +
        '  gemmforge compile model.onnx --explain',
    )
    .action(async (model: string, f: CompileFlags, cmd: Command) => {
      const settings = modelSettings(f);
      const { target, timeLimitSeconds, candidateBudget, compare } = settings;
      const compileOptions = settings.compile;
      const data = parseVerifyData(f.data ?? 'both');
      if (f.verify !== true && cmd.getOptionValueSource('data') === 'cli') {
        throw new InputError('--data chooses the data of --verify: add --verify, or drop --data');
      }
      if (f.verify !== true && (f.input.length > 0 || f.labels !== undefined)) {
        throw new InputError('--input and --labels are the data of --verify: add --verify');
      }
      if (!data.includes('random') && (f.input.length > 0 || f.labels !== undefined)) {
        throw new InputError('--input and --labels feed the model run of --data random or both');
      }
      if (f.explain) {
        process.stdout.write(
          explainPlacements(compileModel(model, target, compileOptions).placements) + '\n',
        );
        return;
      }
      if (f.output === undefined) {
        throw new InputError("required option '-o, --output <dir>' not specified");
      }
      // The directory as the user wrote it, without a trailing separator: `out/` is said `out`.
      const outDir = f.output.replace(/(.)[\\/]+$/, '$1');
      prepareOutputDir(outDir, f.force === true);
      const progress = progressReporter(f.json === true);
      const cache = createScheduleCache();
      const verb = f.verify === true ? 'scheduling and simulating' : 'scheduling';
      const execute = {
        scheduler: f.scheduler,
        seed: compileOptions.seed,
        timeLimitSeconds,
        candidateBudget,
        compare,
        cache,
        extremeCheck: f.verify === true && data.includes('extreme'),
        onProgress: (done: number, total: number, node: string) =>
          progress(done, total, `${verb} ${node}`),
      };
      const start = performance.now();
      const compiled = compileModel(model, target, compileOptions);
      const inputs = f.input.length > 0 ? readInputs(f.input, compiled.source) : undefined;
      const labels =
        f.labels === undefined
          ? undefined
          : readLabels(f.labels, compiled.graph, inputs !== undefined);
      const run = {
        ...execute,
        reference: f.reference,
        ...(inputs === undefined ? {} : { inputs }),
        ...(labels === undefined ? {} : { labels }),
      };
      const summary =
        f.verify === true && data.includes('random')
          ? (await runCompiled(compiled, target, run, start)).summary
          : scheduleModel(compiled, target, execute, start);
      progress.done();
      const mappings = new Map<string, Mapping>();
      for (const l of summary.layers) if (l.detail !== null) mappings.set(l.name, l.detail.mapping);
      // Host loops read float and int32 tensors in place: 8-byte alignment at least.
      const alignment = Math.max(8, target.spec.dram.alignmentBytes);
      const plan = planDram(
        compiled.graph,
        compiled.placements,
        alignment,
        target.packsActivations,
      );
      const files: Record<string, string> = {
        ...emitModelProject(compiled, target, mappings, plan, {
          simulatedCycles: summary.acceleratorCycles,
          modelName: summary.model,
        }),
        'summary.json': JSON.stringify(summary, null, 2) + '\n',
        'schedules.json': JSON.stringify(schedulesOf(summary), null, 2) + '\n',
      };
      const { renderReport } = await import('../report/html.js');
      files['report.html'] = renderReport(summary);
      guardWrites();
      for (const [path, text] of Object.entries(files)) {
        const file = join(outDir, path);
        makeDirectory(dirname(file), '--output');
        writeOutputFile(file, text);
      }
      if (f.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        return;
      }
      const lines = [
        `${summary.model} on ${summary.target}`,
        ...cycleFooter(summary),
        ...summary.warnings.map((w) => `warning: ${w}`),
        ...(f.verify === true ? verifyLines(summary, data) : []),
        `DRAM arena ${formatBytes(plan.totalBytes)} (weights ${formatBytes(plan.weightBytes)})`,
        `wrote ${outDir}/: report.html, summary.json, schedules.json and the C project ` +
          `(${Object.keys(files)
            .filter((p) => /\.(c|h)$|Makefile/.test(p))
            .join(', ')})`,
        `open ${join(outDir, 'report.html')}; build with make -C ${outDir}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
