import type { Spec } from '../../../src/spec/spec.js';
import { target } from '../../../src/targets/gemmini/index.js';

/** Gemmini's presets with their instruction and machine types, for tests of its own code. */
function preset(name: string) {
  const t = target.presets.find((p) => p.name === name);
  if (t === undefined) throw new Error(`no gemmini preset ${name}`);
  return t;
}

export const gemmini = preset('gemmini');
export const gemminiOs = preset('gemmini-os');
export const gemmini32 = preset('gemmini-32');
export const gemmini8 = preset('gemmini-8');

/** A Gemmini target from a spec (a preset's, edited). */
export const gemminiTarget = (spec: Spec, specFile: string) => target.create(spec, specFile);
