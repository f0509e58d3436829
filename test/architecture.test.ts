import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The design rule of ARCHITECTURE.md, checked on the source tree. */
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
