import { existsSync, readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InternalError } from '../errors.js';
import type { AnyTarget } from '../contract/target.js';
import {
  targetRegistry,
  type AnyTargetPackage,
  type TargetPackage,
} from '../contract/target_package.js';
import type { Spec } from '../spec/spec.js';

/**
 * The built-in targets, found from their folders: every folder here is a target package whose
 * index exports `target` (src/contract/target_package.ts). Adding a target is adding a folder. This
 * file is the only way from shared code into src/targets/.
 */
const here = fileURLToPath(import.meta.url);
/** `.ts` when run from the sources (vitest, tsx), `.js` when built. */
const extension = extname(here);

/** Loads the package of every folder of `dir`, in folder-name order. */
export async function loadTargetPackages(
  dir: string,
): Promise<{ readonly folder: string; readonly package: AnyTargetPackage }[]> {
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const found: { folder: string; package: AnyTargetPackage }[] = [];
  for (const folder of folders) {
    const index = join(dir, folder, `index${extension}`);
    if (!existsSync(index)) {
      throw new InternalError(`src/targets/${folder}: a target folder needs index${extension}`);
    }
    const module = (await import(pathToFileURL(index).href)) as { target?: unknown };
    if (!isPackage(module.target)) {
      throw new InternalError(
        `src/targets/${folder}: its index must export a target package as "target" (defineTargetPackage)`,
      );
    }
    found.push({ folder, package: module.target });
  }
  return found;
}

function isPackage(x: unknown): x is AnyTargetPackage {
  const p = x as Partial<TargetPackage<{ readonly kind: string }, unknown>> | undefined;
  return typeof p?.isa === 'string' && Array.isArray(p.presets) && typeof p.create === 'function';
}

const registry = targetRegistry(await loadTargetPackages(dirname(here)));

/** The built-in presets by name, in listing order. */
export const builtinTargets: Readonly<Record<string, AnyTarget>> = registry.presets;

export const defaultTargetName = 'gemmini';

export function targetNames(): string[] {
  return Object.keys(builtinTargets);
}

export function targetByName(name: string): AnyTarget {
  return registry.byName(name);
}

/** A target from a spec the shared schema accepted, by the instruction set it names. */
export function targetFromSpec(spec: Spec, specFile: string): AnyTarget {
  return registry.fromSpec(spec, specFile);
}

/** A target from a user's spec file: the shared schema, then the checks of the ISA it names. */
export function targetFromSpecFile(path: string): AnyTarget {
  return registry.fromSpecFile(path);
}

/** `--target`: a preset name, or a path to a spec file (anything ending in .json). */
export function resolveTarget(nameOrFile: string): AnyTarget {
  return nameOrFile.endsWith('.json') ? targetFromSpecFile(nameOrFile) : targetByName(nameOrFile);
}
