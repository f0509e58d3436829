import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The design rules of docs/architecture.md, checked on the source tree. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const root = join(import.meta.dirname, '..');
const shared = sources(join(root, 'src')).filter(
  (p) => !relative(root, p).startsWith(join('src', 'targets')),
);

describe('only src/targets/ knows an accelerator', () => {
  it('shared code imports from src/targets/ only through the registry', () => {
    const offenders: string[] = [];
    for (const file of shared) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/from\s+'([^']+)'/g)) {
        const spec = m[1];
        if (spec.includes('targets/') && !spec.endsWith('targets/index.js')) {
          offenders.push(`${relative(root, file)} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('shared code never names a particular accelerator', () => {
    const offenders = shared
      .filter((file) => /gemmini|\bvta\b/i.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });
});

/** The folder a source file belongs to: its top folder under src/, or targets/<name> for a target. */
function folderOf(path: string): string {
  const parts = relative(join(root, 'src'), path).split('/');
  if (parts.length === 1) return '.';
  return parts[0] === 'targets' && parts.length > 2 ? `targets/${parts[1]}` : parts[0];
}

/** Folder → the folders its files import (type-only imports included). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sources(join(root, 'src'))) {
    const from = folderOf(file);
    for (const m of readFileSync(file, 'utf8').matchAll(
      /(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g,
    )) {
      const to = folderOf(resolve(dirname(file), m[1]));
      if (to === from || to === '.' || from === '.') continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)?.add(to);
    }
  }
  return graph;
}

/** The folders that can reach themselves again through imports. */
function foldersOnCycles(graph: Map<string, Set<string>>): string[] {
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>();
    const stack = [...(graph.get(from) ?? [])];
    while (stack.length > 0) {
      const f = stack.pop() as string;
      if (f === to) return true;
      if (seen.has(f)) continue;
      seen.add(f);
      stack.push(...(graph.get(f) ?? []));
    }
    return false;
  };
  return [...graph.keys()].filter((f) => reaches(f, f)).sort();
}

describe('layers only look down', () => {
  it('no two folders under src/ import each other, directly or round a loop', () => {
    expect(foldersOnCycles(folderGraph())).toEqual([]);
  });

  it('the check sees a loop when there is one', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(foldersOnCycles(graph)).toEqual(['a', 'b', 'c']);
  });

  it('the runtime executes programs and imports no scheduler, driver, emitter or report', () => {
    const runtime = folderGraph().get('runtime') ?? new Set();
    expect(
      [...runtime].filter((f) => ['schedule', 'driver', 'emit', 'report', 'cli'].includes(f)),
    ).toEqual([]);
  });
});

/** Every file of code or build text under `dir` (not data or models). */
function codeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'data' ? [] : codeFiles(path);
    return /\.(ts|js|mjs|cjs|sh|py)$/.test(name) ? [path] : [];
  });
}

describe('the repository is self-contained', () => {
  it('no code, test, bench, script or build file names an absolute home path or the shared folder', () => {
    // A clone at any path must work: fixtures come from the repository (models/, test/fixtures/).
    const outside = /\/work\/|\/home\/|\/Users\/|\.\.\/shared\b/;
    const files = [
      ...['src', 'test', 'bench', 'scripts'].flatMap((d) => codeFiles(join(root, d))),
      ...['Makefile', 'README.md', 'package.json'].map((f) => join(root, f)),
    ].filter((f) => f !== import.meta.filename);
    expect(files.length).toBeGreaterThan(100);
    const offenders = files
      .filter((f) => outside.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});
