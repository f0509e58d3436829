import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Adding a target is adding a folder under src/targets/ (src/targets/index.ts finds it): in a copy of
// the repository, a copy of the toy target under another name and instruction set is listed and runs,
// with no shared file edited.
const root = join(import.meta.dirname, '..', '..');
const copy = mkdtempSync(join(tmpdir(), 'gf-new-target-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

function gemmforge(...args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: copy,
    encoding: 'utf8',
  });
}

describe('a new target needs a folder and nothing else', () => {
  it('a copy of the toy named "tiny" is listed after the others, and runs', () => {
    cpSync(join(root, 'src'), join(copy, 'src'), { recursive: true });
    for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) {
      cpSync(join(root, f), join(copy, f));
    }
    symlinkSync(realpathSync(join(root, 'node_modules')), join(copy, 'node_modules'));
    const tiny = join(copy, 'src', 'targets', 'tiny');
    cpSync(join(copy, 'src', 'targets', 'toy'), tiny, { recursive: true });
    const spec = JSON.parse(readFileSync(join(tiny, 'specs', 'toy.json'), 'utf8'));
    writeFileSync(
      join(tiny, 'specs', 'toy.json'),
      JSON.stringify({ ...spec, name: 'tiny', isa: 'tiny' }),
    );
    const index = readFileSync(join(tiny, 'index.ts'), 'utf8');
    writeFileSync(
      join(tiny, 'index.ts'),
      index.replace("isa: 'toy'", "isa: 'tiny'").replace('order: 2', 'order: 3'),
    );

    const list = JSON.parse(gemmforge('targets', '--json')) as { name: string }[];
    expect(list.map((t) => t.name).slice(-2)).toEqual(['toy', 'tiny']);
    const run = JSON.parse(
      gemmforge(
        'schedule',
        '--target',
        'tiny',
        '--gemm',
        '9,10,11',
        '--scheduler',
        'baseline',
        '--verify',
        '--json',
      ),
    ) as { verified: boolean };
    expect(run.verified).toBe(true);
  }, 60_000);
});
