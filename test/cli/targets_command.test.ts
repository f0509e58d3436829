import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinTargets } from '../../src/targets/index.js';
import { gemmforge } from './run_cli.js';

describe('gemmforge targets', () => {
  it('lists every built-in target in a table', () => {
    const r = gemmforge('targets');
    expect(r.status).toBe(0);
    for (const name of Object.keys(builtinTargets))
      expect(r.stdout).toMatch(new RegExp(`^${name} `, 'm'));
    expect(r.stdout).toMatch(/16×16 +WS\+OS/);
  });

  it('--json prints { name, description, spec } for each', () => {
    const r = gemmforge('targets', '--json');
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; description: string; spec: unknown }[];
    expect(list.map((t) => t.name)).toEqual(Object.keys(builtinTargets));
    expect(list[0].spec).toEqual(builtinTargets.gemmini.spec);
  });

  it('a reader that stops early (`| true`, `| head -1`) is not an error: no EPIPE trace, exit 0', () => {
    const root = join(import.meta.dirname, '..', '..');
    const cli = `"${process.execPath}" --import tsx src/cli/main.ts targets --json`;
    const r = spawnSync('bash', ['-c', `${cli} | true; echo "status \${PIPESTATUS[0]}" >&2`], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.stderr.trim()).toBe('status 0');
  });

  const dir = mkdtempSync(join(tmpdir(), 'gf-cli-'));

  it('--spec validates a good file and prints it', () => {
    const path = join(dir, 'mine.json');
    writeFileSync(path, JSON.stringify({ ...builtinTargets['gemmini-8'].spec, name: 'mine' }));
    const r = gemmforge('targets', '--spec', path, '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).spec.name).toBe('mine');
  });

  it('--spec with a bad file exits 2 naming the field and the reason, without a stack trace', () => {
    const path = join(dir, 'bad.json');
    const spec = structuredClone(builtinTargets.gemmini.spec) as {
      memories: Record<string, { capacityBytes: number }>;
    };
    spec.memories.scratchpad.capacityBytes = 1000;
    writeFileSync(path, JSON.stringify(spec));
    const r = gemmforge('targets', '--spec', path);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'memories.scratchpad.capacityBytes: must be a multiple of rowBytes × banks (got 1000)',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown option is bad input (exit 2)', () => {
    expect(gemmforge('targets', '--colour').status).toBe(2);
  });
});
