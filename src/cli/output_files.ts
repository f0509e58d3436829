import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, parse, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';

/**
 * Where commands write: directories made one level at a time and files written with every failure
 * (a parent that is a file, no permission, a read-only or virtual file system) turned into an
 * InputError that names the path and the reason. Node's recursive mkdir never returns under /proc,
 * so it is not used.
 */

const reasons: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a parent is not a directory',
  EISDIR: 'it is a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
};

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const known = code === undefined ? undefined : reasons[code];
  return known === undefined ? (e as Error).message : `${known} (${code})`;
}

/** Whether `path` is a directory we can see (false when absent, a file, or behind a file). */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

/** Creates `dir` and whatever parents it lacks; `flag` names the option that gave it. */
export function makeDirectory(dir: string, flag: string): void {
  const full = resolve(dir);
  const { root } = parse(full);
  let at = root;
  for (const part of full.slice(root.length).split(sep)) {
    if (part === '') continue;
    at = join(at, part);
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(at, { throwIfNoEntry: false })?.isDirectory();
    } catch (e) {
      throw new InputError(`${flag} ${dir}: cannot read ${at}: ${reason(e)}`);
    }
    if (isDirectory === false) throw new InputError(`${flag} ${dir}: ${at} is not a directory`);
    if (isDirectory === undefined) {
      try {
        mkdirSync(at);
      } catch (e) {
        throw new InputError(`${flag} ${dir}: cannot create ${at}: ${reason(e)}`);
      }
    }
  }
}

/**
 * Writes one output file whole or not at all: into a temporary file beside it, then renamed over
 * it (a process killed while writing leaves no truncated output under the real name).
 */
export function writeOutputFile(path: string, data: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.partial`;
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (e) {
    if (existsSync(temporary)) rmSync(temporary);
    throw new InputError(`cannot write ${path}: ${reason(e)}`);
  }
}
