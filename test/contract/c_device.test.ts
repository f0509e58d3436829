import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cInstrQueue } from '../../src/contract/c_device.js';

const hasCc = spawnSync('cc', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'gemmforge-c-device-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Compiles `main` after the queue runtime (prefix gf_q, 2 instructions) and runs it. */
function run(main: string): { status: number | null; stdout: string } {
  const runner = `#include <stdio.h>
void gf_q_device_run(const uint64_t *words, size_t count) {
  for (size_t i = 0; i < 2 * count; i++) printf("%llx ", (unsigned long long)words[i]);
  printf("| %zu\\n", count);
}`;
  const source = `#include <stdint.h>\n#define GF_Q_QUEUE_INSNS 2\n${cInstrQueue('gf_q', 'prints the words')}\n${runner}\nint main(void) {\n${main}\n  return 0;\n}\n`;
  writeFileSync(join(dir, 'q.c'), source);
  execFileSync('cc', [
    '-std=c11',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-o',
    join(dir, 'q'),
    join(dir, 'q.c'),
  ]);
  const r = spawnSync(join(dir, 'q'), { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout };
}

describe.skipIf(!hasCc)('the device instruction queue (C)', () => {
  it('queues words in order and hands them to the runner on each non-empty fence', () => {
    const main =
      'gf_q_insn(1, 2);\n  gf_q_insn(3, 4);\n  gf_fence();\n  gf_fence();\n  gf_q_insn(5, 6);\n  gf_fence();';
    expect(run(main)).toEqual({ status: 0, stdout: '1 2 3 4 | 2\n5 6 | 1\n' });
  });

  it('traps when the queue is full', () => {
    expect(run('gf_q_insn(1, 2);\n  gf_q_insn(3, 4);\n  gf_q_insn(5, 6);').status).not.toBe(0);
  });
});
