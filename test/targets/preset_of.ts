import type { Target } from '../../src/contract/target.js';
import type { TargetPackage } from '../../src/contract/target_package.js';

/** A package's preset by name, with the package's instruction and machine types (for its tests). */
export function presetOf<I extends { readonly kind: string }, M>(
  pkg: TargetPackage<I, M>,
  name: string,
): Target<I, M> {
  const t = pkg.presets.find((p) => p.name === name);
  if (t === undefined) throw new Error(`no preset ${name} in the ${pkg.isa} package`);
  return t;
}
