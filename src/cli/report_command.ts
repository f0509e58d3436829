import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { parseRunSummary } from '../results/run_summary.js';
import { writeOutputFile } from './output_files.js';
import { guardWrites } from './interrupt.js';
import { formatBytes } from './table.js';

interface ReportFlags {
  output: string;
  force?: boolean;
}

/** The parsed JSON of a file, or an InputError naming the file and what is wrong with it. */
function readJson(path: string): unknown {
  if (!existsSync(path)) throw new InputError(`${path}: no such file`);
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'render the JSON summary of a run (gemmforge run --json) as a self-contained HTML report',
    )
    .argument('<run.json>', 'the run summary')
    .option('-o, --output <file>', 'the HTML file to write', 'report.html')
    .option('--force', 'overwrite the output file if it exists')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  gemmforge run model.onnx --json > run.json && gemmforge report run.json -o report.html\n' +
        '  gemmforge report out/summary.json -o out/report.html --force',
    )
    .action(async (input: string, f: ReportFlags) => {
      if (existsSync(f.output) && !f.force) {
        throw new InputError(`${f.output} exists; pass --force to overwrite it`);
      }
      const summary = parseRunSummary(readJson(input), input);
      // The chart library loads only when a report is rendered, not for every command.
      const { renderReport } = await import('../report/html.js');
      const html = renderReport(summary);
      guardWrites();
      writeOutputFile(f.output, html);
      const accelerated = summary.layers.filter((l) => l.placement === 'accelerator').length;
      process.stdout.write(
        `wrote ${f.output} (${formatBytes(Buffer.byteLength(html))}): ${summary.model} on ` +
          `${summary.target}, ${summary.layers.length} layers, ${accelerated} on the accelerator\n`,
      );
    });
}
