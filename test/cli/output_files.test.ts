import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { isDirectory, makeDirectory, writeOutputFile } from '../../src/cli/output_files.js';

const linux = existsSync('/proc/self') && existsSync('/sys/kernel');

describe('output files and directories', () => {
  it('makes a directory and its parents; an existing one is kept', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gf-out-')), 'a', 'b');
    makeDirectory(dir, '--output');
    expect(statSync(dir).isDirectory()).toBe(true);
    makeDirectory(dir, '--output');
    writeOutputFile(join(dir, 'x.txt'), 'hello');
    expect(readFileSync(join(dir, 'x.txt'), 'utf8')).toBe('hello');
  });

  it('a parent that is a file: names it', () => {
    const base = mkdtempSync(join(tmpdir(), 'gf-out-'));
    const file = join(base, 'afile');
    writeFileSync(file, '');
    expect(isDirectory(join(file, 'sub'))).toBe(false);
    expect(() => makeDirectory(join(file, 'sub'), '--output')).toThrow(
      new InputError(`--output ${file}/sub: ${file} is not a directory`),
    );
    expect(() => writeOutputFile(join(file, 'x.npy'), 'x')).toThrow(
      new InputError(`cannot write ${file}/x.npy: a parent is not a directory (ENOTDIR)`),
    );
  });

  it.runIf(linux)('/proc and /sys: refused at once with the reason (no endless mkdir)', () => {
    expect(() => makeDirectory('/proc/nope/deeper', '-o')).toThrow(
      new InputError(
        '-o /proc/nope/deeper: cannot create /proc/nope: no such file or directory (ENOENT)',
      ),
    );
    expect(() => makeDirectory('/sys/nope', '-o')).toThrow(
      new InputError('-o /sys/nope: cannot create /sys/nope: operation not permitted (EPERM)'),
    );
    expect(() => writeOutputFile('/proc/nope.html', 'x')).toThrow(
      new InputError('cannot write /proc/nope.html: no such file or directory (ENOENT)'),
    );
  });
});
