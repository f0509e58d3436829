import type { Command } from 'commander';
import type { Spec } from '../spec/spec.js';
import { builtinTargets, targetFromSpecFile } from '../targets/index.js';
import { formatBytes, formatHz, formatTable } from './table.js';

const dataflowShort = { 'weight-stationary': 'WS', 'output-stationary': 'OS' } as const;

function row(name: string, spec: Spec): string[] {
  const memories = Object.entries(spec.memories)
    .map(([n, m]) => `${n} ${formatBytes(m.capacityBytes)}`)
    .join(', ');
  return [
    name,
    `${spec.array.rows}×${spec.array.cols}`,
    spec.array.dataflows.map((d) => dataflowShort[d]).join('+'),
    `${spec.array.inputType}→${spec.array.accType}`,
    memories,
    `${spec.dram.bytesPerCycle} B/cycle`,
    formatHz(spec.clockHz),
  ];
}

const header = ['target', 'array', 'dataflow', 'types', 'memories', 'DRAM', 'clock'];

export function registerTargets(program: Command): void {
  program
    .command('targets')
    .description('list the built-in targets, or validate a spec file of your own')
    .option('--json', 'print a JSON array of { name, description, spec }')
    .option('--spec <file>', 'validate a spec file and print it (exit status 2 if it is invalid)')
    .addHelpText(
      'after',
      '\nExamples:\n  gemmforge targets\n  gemmforge targets --json\n  gemmforge targets --spec my_accel.json',
    )
    .action((opts: { json?: boolean; spec?: string }) => {
      if (opts.spec !== undefined) {
        const target = targetFromSpecFile(opts.spec);
        if (opts.json) {
          const entry = { name: target.name, description: target.description, spec: target.spec };
          process.stdout.write(JSON.stringify(entry, null, 2) + '\n');
          return;
        }
        process.stdout.write(`${opts.spec}: a valid ${target.spec.isa} spec\n\n`);
        process.stdout.write(formatTable(header, [row(target.name, target.spec)]) + '\n');
        process.stdout.write('\n' + JSON.stringify(target.spec, null, 2) + '\n');
        return;
      }
      const targets = Object.entries(builtinTargets);
      if (opts.json) {
        const list = targets.map(([name, t]) => ({
          name,
          description: t.description,
          spec: t.spec,
        }));
        process.stdout.write(JSON.stringify(list, null, 2) + '\n');
        return;
      }
      process.stdout.write(
        formatTable(
          header,
          targets.map(([n, t]) => row(n, t.spec)),
        ) + '\n',
      );
      for (const [name, t] of targets) process.stdout.write(`\n  ${name}: ${t.description}`);
      process.stdout.write('\n');
    });
}
