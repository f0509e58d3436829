import type { Spec } from '../../../src/spec/spec.js';
import { target } from '../../../src/targets/gemmini/index.js';
import { presetOf } from '../preset_of.js';

/** Gemmini's presets with their instruction and machine types, for tests of its own code. */
export const gemmini = presetOf(target, 'gemmini');
export const gemminiOs = presetOf(target, 'gemmini-os');
export const gemmini32 = presetOf(target, 'gemmini-32');
export const gemmini8 = presetOf(target, 'gemmini-8');

/** A Gemmini target from a spec (a preset's, edited). */
export const gemminiTarget = (spec: Spec, specFile: string) => target.create(spec, specFile);
