import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  commandArgv,
  interruptedMessage,
  supervise,
  wantsSupervision,
} from '../../src/cli/interrupt.js';
import { modelPath } from '../fixtures/models.js';

const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

describe('Ctrl-C', () => {
  it('long commands on a terminal run supervised; the child sees the arguments unmarked', () => {
    const argv = ['node', 'main.js', 'run', 'm.onnx'];
    expect(wantsSupervision(argv, true)).toBe(true);
    expect(wantsSupervision(argv, false)).toBe(false);
    expect(wantsSupervision(['node', 'main.js', 'targets'], true)).toBe(false);
    const child = ['node', 'main.js', '--supervised-child', 'run', 'm.onnx'];
    expect(wantsSupervision(child, true)).toBe(false);
    expect(commandArgv(child)).toEqual(argv);
    expect(commandArgv(argv)).toEqual(argv);
  });

  /** Runs `args` supervised, sends SIGINT after `afterMs`, and returns the status and the time. */
  async function interrupted(args: string[], afterMs: number) {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      written.push(String(s));
      return true;
    });
    const start = performance.now();
    const status = supervise([process.execPath, cli, ...args]);
    await new Promise((r) => setTimeout(r, afterMs));
    process.emit('SIGINT');
    const code = await status;
    spy.mockRestore();
    return { code, seconds: (performance.now() - start) / 1000, stderr: written.join('') };
  }

  it('stops an exhaustive search at once: exit 130 and a message', async () => {
    // Uninterrupted, this search takes about 20 s on an idle machine (a 512³ GEMM now finishes in
    // under 3 s, before the signal).
    const conv = 'N=1,H=56,W=56,C=256,K=256,R=3,S=3,stride=1,pad=1';
    const r = await interrupted(
      ['schedule', '--conv', conv, '--scheduler', 'exhaustive', '--json'],
      3000,
    );
    expect(r.code).toBe(130);
    expect(r.stderr).toBe(`\r\x1b[K${interruptedMessage}`);
    expect(r.seconds).toBeLessThan(15);
  }, 60_000);

  it('stops a compile before it writes: no output file', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gf-interrupt-')), 'out');
    const r = await interrupted(['compile', modelPath('q_resnet18.onnx'), '-o', out], 4000);
    expect(r.code).toBe(130);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  }, 60_000);
});
