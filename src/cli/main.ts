#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { GemmforgeError } from '../errors.js';
import { registerBench } from './bench_command.js';
import { registerCompile } from './compile_command.js';
import { commandArgv, supervise, wantsSupervision } from './interrupt.js';
import { registerExplore } from './explore_command.js';
import { registerReport } from './report_command.js';
import { registerRun } from './run_command.js';
import { registerSchedule } from './schedule_command.js';
import { registerTargets } from './targets_command.js';
import { registerWorker } from './worker_command.js';

/** The gemmforge command. Exit status: 0 success, 1 a check failed, 2 bad input, 70 internal error. */
function buildProgram(): Command {
  const program = new Command();
  program
    .name('gemmforge')
    .description('Compile DNN models to GEMM accelerators, simulate them bit-exactly, report why.')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  registerTargets(program);
  registerSchedule(program);
  registerCompile(program);
  registerRun(program);
  registerReport(program);
  registerBench(program);
  registerExplore(program);
  registerWorker(program);
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof GemmforgeError) {
      process.stderr.write(`gemmforge: ${e.message}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`gemmforge: internal error: ${err.message}\n${err.stack ?? ''}\n`);
    return 70;
  }
}

// A reader that stops early (`gemmforge targets | head -1`) closes the pipe: nothing is wrong, stop.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
});

// On a terminal a long command runs in a child process, so that Ctrl-C stops it at once, cleanly.
process.exitCode = wantsSupervision(process.argv, process.stderr.isTTY === true)
  ? await supervise(process.argv)
  : await main(commandArgv(process.argv));
