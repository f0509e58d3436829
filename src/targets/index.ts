import { InputError, SpecError } from '../errors.js';
import { loadSpecFile } from '../spec/load_spec.js';
import type { AnyTarget } from '../contract/target.js';
import { gemmini, gemmini32, gemmini8, gemminiOs, gemminiTarget } from './gemmini/index.js';
import { vta, vtaB32, vtaTarget, vtaZcu104 } from './vta/index.js';

/**
 * The built-in targets by name, and the instruction sets a user's spec may name in its `isa` field.
 * This file is the only way from shared code into src/targets/.
 */
export const builtinTargets = {
  gemmini: gemmini as AnyTarget,
  'gemmini-os': gemminiOs as AnyTarget,
  'gemmini-32': gemmini32 as AnyTarget,
  'gemmini-8': gemmini8 as AnyTarget,
  vta: vta as AnyTarget,
  'vta-zcu104': vtaZcu104 as AnyTarget,
  'vta-b32': vtaB32 as AnyTarget,
} as const;

const instructionSets: Readonly<Record<string, (json: unknown, file: string) => AnyTarget>> = {
  gemmini: (json, file) => gemminiTarget(json, file) as AnyTarget,
  vta: (json, file) => vtaTarget(json, file) as AnyTarget,
};

export const defaultTargetName = 'gemmini';

export function targetNames(): string[] {
  return Object.keys(builtinTargets);
}

export function targetByName(name: string): AnyTarget {
  const t = (builtinTargets as Record<string, AnyTarget>)[name];
  if (t === undefined) {
    throw new InputError(
      `unknown target "${name}" (built-in targets: ${targetNames().join(', ')})`,
    );
  }
  return t;
}

/** A target from a user's spec file: the shared schema, then the checks of the ISA it names. */
export function targetFromSpecFile(path: string): AnyTarget {
  const spec = loadSpecFile(path);
  const make = instructionSets[spec.isa];
  if (make === undefined) {
    throw new SpecError(path, [
      {
        path: 'isa',
        message: `must name a built-in instruction set (${Object.keys(instructionSets).join(', ')}) (got "${spec.isa}")`,
      },
    ]);
  }
  return make(spec, path);
}

/** `--target`: a preset name, or a path to a spec file (anything ending in .json). */
export function resolveTarget(nameOrFile: string): AnyTarget {
  return nameOrFile.endsWith('.json') ? targetFromSpecFile(nameOrFile) : targetByName(nameOrFile);
}
