import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzCase, type FuzzCase } from './cases.js';

const root = join(import.meta.dirname, '..', '..');
/** The built CLI (`npm run build`), as a user runs it. */
export const cliPath = join(root, 'dist', 'cli', 'main.js');

/**
 * How a run ended. Allowed: `ok` (exit 0) and `refused` (exit 2 with a message: its first line
 * says what is wrong; more lines only list more problems or the command's usage). Anything else is
 * a finding: a stack trace, exit 70 or any other status, a message-less exit 2, or a hang.
 */
export type Outcome = 'ok' | 'refused' | 'stack-trace' | 'bad-exit' | 'no-message' | 'hang';

export interface CaseResult {
  readonly case: FuzzCase;
  readonly outcome: Outcome;
  readonly status: number | null;
  readonly seconds: number;
  /** The first lines of stderr, for a finding. */
  readonly stderr: string;
}

const stackFrame = /^\s+at .+/m;

export function classify(status: number | null, stderr: string, timedOut: boolean): Outcome {
  if (timedOut) return 'hang';
  if (stackFrame.test(stderr) || stderr.includes('internal error')) return 'stack-trace';
  if (status === 0) return 'ok';
  if (status !== 2) return 'bad-exit';
  const lines = stderr.split('\n').filter((l) => !l.startsWith('gemmforge: warning:'));
  return /^(gemmforge|error): \S/.test(lines[0] ?? '') ? 'refused' : 'no-message';
}

/** Runs one case in its own folder with a time cap; the folder is removed afterwards. */
export function runCase(c: FuzzCase, capSeconds: number): Promise<CaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gf-fuzz-'));
  for (const [name, data] of Object.entries(c.files)) writeFileSync(join(dir, name), data);
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...c.args], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (stderr.length < 20_000) stderr += s;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, capSeconds * 1000);
    child.on('close', (status) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({
        case: c,
        outcome: classify(status, stderr, timedOut),
        status,
        seconds: (performance.now() - start) / 1000,
        stderr: stderr.split('\n').slice(0, 6).join('\n'),
      });
    });
  });
}

export interface FuzzOptions {
  readonly seed: number;
  /** Runs cases `from` … `cases`−1 (`from` defaults to 0). */
  readonly cases: number;
  readonly from?: number;
  /** Cases run at once. */
  readonly parallel: number;
  /**
   * A case still running after this many seconds runs once more with three times as long; still
   * running then, it is a hang (a busy machine stretches wall-clock time, a hang never ends).
   */
  readonly capSeconds: number;
  readonly onResult?: (r: CaseResult) => void;
}

/** Runs cases from … cases−1 of the seed, `parallel` at a time; results in case order. */
export async function fuzz(o: FuzzOptions): Promise<CaseResult[]> {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run npm run build first`);
  const from = o.from ?? 0;
  const results: CaseResult[] = new Array(Math.max(0, o.cases - from));
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < o.cases) {
      const i = next++;
      const c = fuzzCase(o.seed, i);
      const first = await runCase(c, o.capSeconds);
      const r = first.outcome === 'hang' ? await runCase(c, 3 * o.capSeconds) : first;
      results[i - from] = r;
      o.onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.parallel) }, worker));
  return results;
}
