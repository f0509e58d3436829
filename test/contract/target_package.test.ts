import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { defineTarget } from '../../src/contract/target.js';
import {
  defineTargetPackage,
  targetRegistry,
  type AnyTargetPackage,
} from '../../src/contract/target_package.js';
import { InternalError } from '../../src/errors.js';
import { specSchema, type Spec } from '../../src/spec/spec.js';
import { builtinTargets, loadTargetPackages, targetByName } from '../../src/targets/index.js';
import { createMachine, isa } from '../../src/targets/toy/isa.js';
import { checkMapping, footprint, lower } from '../../src/targets/toy/lower.js';
import toySpec from '../../src/targets/toy/specs/toy.json' with { type: 'json' };

/** A package of the toy's code under another instruction set, counting its spec checks. */
function countingPackage(isaName: string, presetNames: readonly string[]) {
  const counts = { checks: 0 };
  const pkg = defineTargetPackage({
    isa: isaName,
    order: 0,
    presets: presetNames.map((name) => ({
      json: { ...toySpec, name, isa: isaName },
      file: `${name}.json`,
    })),
    create: (spec: Spec, specFile: string) =>
      defineTarget({
        spec,
        specFile,
        checkSpec: () => {
          counts.checks++;
          return [];
        },
        isa: () => isa,
        createMachine,
        lower,
        footprint,
        checkMapping,
      }),
  });
  return { pkg: pkg as AnyTargetPackage, counts };
}

describe('a spec is validated once', () => {
  it('a preset: parsed by the schema once, checked by its target once', () => {
    const parse = vi.spyOn(specSchema, 'safeParse');
    const { counts } = countingPackage('counting', ['one']);
    expect(parse).toHaveBeenCalledTimes(1);
    expect(counts.checks).toBe(1);
    parse.mockRestore();
  });

  it('a user spec file: parsed once, checked once', () => {
    const { pkg, counts } = countingPackage('counting', []);
    const registry = targetRegistry([{ folder: 'counting', package: pkg }]);
    const path = join(mkdtempSync(join(tmpdir(), 'gf-once-')), 'mine.json');
    writeFileSync(path, JSON.stringify({ ...toySpec, name: 'mine', isa: 'counting' }));
    const parse = vi.spyOn(specSchema, 'safeParse');
    const t = registry.fromSpecFile(path);
    expect(t.name).toBe('mine');
    expect(parse).toHaveBeenCalledTimes(1);
    expect(counts.checks).toBe(1);
    parse.mockRestore();
  });
});

describe('the registry', () => {
  it('lists the packages by their order, then folder name; gemmini is the default', () => {
    expect(Object.keys(builtinTargets)).toEqual([
      'gemmini',
      'gemmini-os',
      'gemmini-32',
      'gemmini-8',
      'vta',
      'vta-zcu104',
      'vta-b32',
      'toy',
    ]);
    const a = countingPackage('a', ['a1']).pkg;
    const b = countingPackage('b', ['b1']).pkg;
    const names = (r: ReturnType<typeof targetRegistry>) => Object.keys(r.presets);
    expect(
      names(
        targetRegistry([
          { folder: 'b', package: b },
          { folder: 'a', package: a },
        ]),
      ),
    ).toEqual(['a1', 'b1']);
    expect(
      names(
        targetRegistry([
          { folder: 'a', package: { ...a, order: 1 } },
          { folder: 'b', package: b },
        ]),
      ),
    ).toEqual(['b1', 'a1']);
  });

  it('a preset name or an instruction set claimed twice is an InternalError naming both folders', () => {
    const a = countingPackage('a', ['same']).pkg;
    const b = countingPackage('b', ['same']).pkg;
    const twice = () =>
      targetRegistry([
        { folder: 'fa', package: a },
        { folder: 'fb', package: b },
      ]);
    expect(twice).toThrow(InternalError);
    expect(twice).toThrow('src/targets/fb: preset "same" is also in src/targets/fa');
    const c = countingPackage('a', ['other']).pkg;
    expect(() =>
      targetRegistry([
        { folder: 'fa', package: a },
        { folder: 'fc', package: c },
      ]),
    ).toThrow('src/targets/fc: instruction set "a" is also src/targets/fa\'s');
  });

  it('a folder without an index is an InternalError naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-targets-'));
    mkdirSync(join(dir, 'empty'));
    await expect(loadTargetPackages(dir)).rejects.toThrow(
      /src\/targets\/empty: a target folder needs index\.ts/,
    );
  });

  it('unknown names list the built-in targets', () => {
    expect(() => targetByName('nope')).toThrow(/built-in targets: gemmini, gemmini-os/);
    expect(() => targetByName('toString')).toThrow(/unknown target "toString"/);
  });
});
