import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { runLayer, simulatedCycles } from '../runtime/run_layer.js';
import { compileModel } from '../driver/run_model.js';
import { isScheduled } from '../partition/partition.js';
import { schedule, schedulerNames } from '../schedule/schedulers.js';
import { candidateBudgets } from '../schedule/exhaustive.js';
import { canonicalWorkload } from '../workload/canonical.js';
import { addModelOptions, modelSettings, type ModelFlags } from './model_options.js';
import { progressReporter } from './progress.js';
import { formatTable } from './table.js';

interface BenchFlags extends ModelFlags {
  schedulers: string;
  json?: boolean;
}

interface BenchLayer {
  readonly name: string;
  readonly op: string;
  readonly runs: number;
  /** Simulated cycles of all runs of the layer, per scheduler. */
  readonly cycles: Record<string, number>;
  readonly solveSeconds: Record<string, number>;
  readonly fallback: Record<string, string | null>;
  /** False where the scheduler stopped at its time limit: its best found, not its optimum. */
  readonly complete: Record<string, boolean>;
}

const geomean = (xs: readonly number[]) =>
  xs.length === 0 ? NaN : Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

export function registerBench(program: Command): void {
  const cmd = program
    .command('bench')
    .description(
      'compare schedulers on every accelerator layer of a model: simulated cycles (timing only), ' +
        'solve time and speedups over the first scheduler listed',
    )
    .argument('<model>', 'an .onnx file (float with --quantize, or int8 in QDQ form)');
  addModelOptions(cmd)
    .option(
      '--schedulers <list>',
      'schedulers to compare, comma-separated; speedups are over the first',
      'baseline,cosa-even,cosa',
    )
    .option('--json', 'print the comparison as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  gemmforge bench q_resnet18.onnx\n' +
        '  gemmforge bench lenet.onnx --quantize --schedulers baseline,cosa,exhaustive --json',
    )
    .action((model: string, f: BenchFlags) => {
      const { target, seed, timeLimitSeconds, compile } = modelSettings(f);
      const names = f.schedulers.split(',').filter((s) => s !== '');
      if (names.length === 0) throw new InputError('--schedulers lists no scheduler');
      for (const s of names) {
        if (!schedulerNames().includes(s)) {
          throw new InputError(
            `--schedulers: unknown scheduler "${s}" (schedulers: ${schedulerNames().join(', ')})`,
          );
        }
      }
      const compiled = compileModel(model, target, compile);
      const acc = compiled.placements.filter(isScheduled);
      const progress = progressReporter(f.json === true);
      const layers: BenchLayer[] = acc.map((p, i) => {
        const w = canonicalWorkload(p.fused.workload);
        const cycles: Record<string, number> = {};
        const solveSeconds: Record<string, number> = {};
        const fallback: Record<string, string | null> = {};
        const complete: Record<string, boolean> = {};
        for (const s of names) {
          progress(i, acc.length, `${s} on ${p.node.name}`);
          const r = schedule(s, w, target, {
            evaluate: simulatedCycles,
            seed,
            timeLimitSeconds,
            candidateBudget: candidateBudgets.modelLayer,
          });
          cycles[s] = runLayer(target, w, r.mapping, null).result.totalCycles * p.fused.count;
          solveSeconds[s] = r.solveSeconds;
          fallback[s] = r.fallback?.reason ?? null;
          complete[s] = r.complete;
        }
        return {
          name: p.node.name,
          op: p.node.op,
          runs: p.fused.count,
          cycles,
          solveSeconds,
          fallback,
          complete,
        };
      });
      progress.done();
      const base = names[0];
      const totals = Object.fromEntries(
        names.map((s) => [s, layers.reduce((n, l) => n + l.cycles[s], 0)]),
      );
      const speedups = Object.fromEntries(
        names.map((s) => [s, geomean(layers.map((l) => l.cycles[base] / l.cycles[s]))]),
      );
      if (f.json) {
        process.stdout.write(
          JSON.stringify(
            {
              model: compiled.path,
              target: target.name,
              schedulers: names,
              layers,
              totals,
              geomeanSpeedup: speedups,
            },
            null,
            2,
          ) + '\n',
        );
        return;
      }
      const rows = layers.map((l) => [
        l.name,
        l.op,
        ...names.map((s) => String(l.cycles[s])),
        ...names.slice(1).map((s) => `${(l.cycles[base] / l.cycles[s]).toFixed(2)}×`),
      ]);
      rows.push([
        'total',
        '',
        ...names.map((s) => String(totals[s])),
        ...names.slice(1).map((s) => `${(totals[base] / totals[s]).toFixed(2)}×`),
      ]);
      const lines = [
        `${compiled.source.name || model} on ${target.name}: ${layers.length} accelerator layers, simulated cycles (timing only)`,
        '',
        formatTable(
          ['layer', 'op', ...names, ...names.slice(1).map((s) => `${s} vs ${base}`)],
          rows,
        ),
        '',
        ...names
          .slice(1)
          .map((s) => `${s}: geomean speedup over ${base} ${speedups[s].toFixed(3)}× per layer`),
        ...names.map((s) => {
          const stopped = layers.filter((l) => !l.complete[s]).length;
          return (
            `${s}: solve ${layers.reduce((n, l) => n + l.solveSeconds[s], 0).toFixed(2)} s in all, ` +
            `${layers.filter((l) => l.fallback[s] !== null).length} fallbacks` +
            (stopped === 0
              ? ''
              : `; stopped at its time limit on ${stopped} of ${layers.length} layers ` +
                '(the best it found there, not its optimum; raise --time-limit)')
          );
        }),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
