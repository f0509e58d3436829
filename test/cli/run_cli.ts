import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** Runs the gemmforge CLI from source (through tsx), as a user would run the built one. */
export function gemmforge(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
