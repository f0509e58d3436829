import { InputError, InternalError, SpecError } from '../errors.js';
import { loadSpecFile, parseSpec } from '../spec/load_spec.js';
import type { Spec } from '../spec/spec.js';
import type { AnyTarget, Target } from './target.js';

/** A preset as its folder ships it: the spec's JSON, and the file it came from (for errors). */
export interface PresetFile {
  readonly json: unknown;
  readonly file: string;
}

/**
 * What a folder src/targets/<name>/ exports from its index.ts (as `target`): the instruction set its
 * code runs, its presets, and how to make a target of it from any spec naming that instruction set.
 */
export interface TargetPackageDefinition<I extends { readonly kind: string }, M> {
  /** The name a spec gives in its `isa` field to run on this folder's code. */
  readonly isa: string;
  /** Where its presets are listed among the packages' (`gemmforge targets`), lowest first. */
  readonly order: number;
  readonly presets: readonly PresetFile[];
  /** A target from a spec the shared schema has accepted (the folder's defineTarget call). */
  create(spec: Spec, specFile: string): Target<I, M>;
}

/** A target package with its presets made (each spec parsed and checked once). */
export interface TargetPackage<I extends { readonly kind: string }, M> {
  readonly isa: string;
  readonly order: number;
  readonly presets: readonly Target<I, M>[];
  create(spec: Spec, specFile: string): Target<I, M>;
}

export type AnyTargetPackage = TargetPackage<{ readonly kind: string }, unknown>;

/** Makes a package's presets: the shared schema, then `create` (the target's own checks). */
export function defineTargetPackage<I extends { readonly kind: string }, M>(
  def: TargetPackageDefinition<I, M>,
): TargetPackage<I, M> {
  const presets = def.presets.map((p) => {
    const spec = parseSpec(p.json, p.file);
    if (spec.isa !== def.isa) {
      throw new InternalError(`${p.file}: "isa" is "${spec.isa}", not its package's "${def.isa}"`);
    }
    return def.create(spec, p.file);
  });
  return { isa: def.isa, order: def.order, presets, create: def.create };
}

/** The built-in targets: every package's presets by name, and the packages by instruction set. */
export interface TargetRegistry {
  /** Preset name → target, in listing order. */
  readonly presets: Readonly<Record<string, AnyTarget>>;
  byName(name: string): AnyTarget;
  /** A target from a spec the shared schema has accepted: the package its `isa` names makes it. */
  fromSpec(spec: Spec, specFile: string): AnyTarget;
  /** A target from a user's spec file: read and schema-checked once, then `fromSpec`. */
  fromSpecFile(path: string): AnyTarget;
}

/**
 * The registry of the packages found in src/targets/ (one per folder), ordered by `order`, then by
 * folder name. Two packages claiming one instruction set or one preset name is an InternalError
 * naming both folders.
 */
export function targetRegistry(
  found: readonly { readonly folder: string; readonly package: AnyTargetPackage }[],
): TargetRegistry {
  const sorted = [...found].sort(
    (a, b) => a.package.order - b.package.order || a.folder.localeCompare(b.folder),
  );
  const presets: Record<string, AnyTarget> = {};
  const presetFolder = new Map<string, string>();
  const byIsa = new Map<string, { folder: string; package: AnyTargetPackage }>();
  for (const f of sorted) {
    const other = byIsa.get(f.package.isa);
    if (other !== undefined) {
      throw new InternalError(
        `src/targets/${f.folder}: instruction set "${f.package.isa}" is also src/targets/${other.folder}'s`,
      );
    }
    byIsa.set(f.package.isa, f);
    for (const t of f.package.presets) {
      const clash = presetFolder.get(t.name);
      if (clash !== undefined) {
        throw new InternalError(
          `src/targets/${f.folder}: preset "${t.name}" is also in src/targets/${clash}`,
        );
      }
      presetFolder.set(t.name, f.folder);
      presets[t.name] = t;
    }
  }
  const names = (): string => Object.keys(presets).join(', ');
  const fromSpec = (spec: Spec, specFile: string): AnyTarget => {
    const entry = byIsa.get(spec.isa);
    if (entry === undefined) {
      const known = [...byIsa.keys()].join(', ');
      throw new SpecError(specFile, [
        {
          path: 'isa',
          message: `must name a built-in instruction set (${known}) (got "${spec.isa}")`,
        },
      ]);
    }
    return entry.package.create(spec, specFile);
  };
  return {
    presets,
    byName(name) {
      const t = Object.hasOwn(presets, name) ? presets[name] : undefined;
      if (t === undefined) {
        throw new InputError(`unknown target "${name}" (built-in targets: ${names()})`);
      }
      return t;
    },
    fromSpec,
    fromSpecFile: (path) => fromSpec(loadSpecFile(path), path),
  };
}
