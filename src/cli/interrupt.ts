import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * Ctrl-C during long work. The work is synchronous (simulation, MIP solves, search), so a SIGINT
 * handler in the process doing it would only run once the work is over. On a terminal the long
 * commands therefore run in a child process with the same terminal: Ctrl-C ends the child at once
 * (the default action, in the middle of any computation), and this process, idle meanwhile, says
 * so and exits 130. Output files are written only after the work; `guardWrites` makes an
 * interruption then wait until the files are complete.
 */

/** The commands that can run for minutes. */
const longCommands: ReadonlySet<string> = new Set(['run', 'compile', 'bench', 'schedule']);

/** The first argument of the supervised child: it runs the command itself. */
const childMarker = '--supervised-child';

/** The exit status of a command stopped by Ctrl-C (128 + SIGINT, as shells report it). */
export const interruptedStatus = 128 + constants.signals.SIGINT;

export const interruptedMessage =
  'gemmforge: interrupted (Ctrl-C); stopped, and no output file is left half-written\n';

/** Whether `argv` (process.argv) is a long command run on a terminal by a user. */
export function wantsSupervision(argv: readonly string[], terminal: boolean): boolean {
  return terminal && longCommands.has(argv[2] ?? '') && !isSupervisedChild(argv);
}

export function isSupervisedChild(argv: readonly string[]): boolean {
  return argv[2] === childMarker;
}

/** `argv` without the child marker: what the command parser sees. */
export function commandArgv(argv: readonly string[]): string[] {
  return isSupervisedChild(argv) ? [argv[0], argv[1], ...argv.slice(3)] : [...argv];
}

/**
 * Runs the command of `argv` in a child process sharing this one's terminal and resolves with its
 * exit status, or with 130 after a message when Ctrl-C (SIGINT, to this process or the terminal's
 * process group) stopped it.
 */
export function supervise(argv: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, argv[1], childMarker, ...argv.slice(2)],
      { stdio: 'inherit' },
    );
    let interrupted = false;
    const onInterrupt = (): void => {
      interrupted = true;
      child.kill('SIGINT');
    };
    process.on('SIGINT', onInterrupt);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInterrupt);
      if (interrupted || signal === 'SIGINT' || code === interruptedStatus) {
        // The child's progress line may still be on the terminal: clear it first.
        process.stderr.write(`\r\x1b[K${interruptedMessage}`);
        resolve(interruptedStatus);
        return;
      }
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}

/**
 * From now on, Ctrl-C waits for the synchronous writing that follows to finish (a handler runs only
 * when it is over) and then exits 130: every output file is whole, or not written at all.
 */
export function guardWrites(): void {
  // A supervised child leaves the message to its parent, which prints it once.
  const quiet = isSupervisedChild(process.argv);
  process.on('SIGINT', () => {
    if (!quiet) process.stderr.write(interruptedMessage);
    process.exit(interruptedStatus);
  });
}
