import { target } from '../../../src/targets/vta/index.js';
import { presetOf } from '../preset_of.js';

/** VTA's presets with their instruction and machine types, for tests of its own code. */
export const vta = presetOf(target, 'vta');
export const vtaZcu104 = presetOf(target, 'vta-zcu104');
export const vtaB32 = presetOf(target, 'vta-b32');
