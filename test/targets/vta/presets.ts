import { target } from '../../../src/targets/vta/index.js';

/** VTA's presets with their instruction and machine types, for tests of its own code. */
function preset(name: string) {
  const t = target.presets.find((p) => p.name === name);
  if (t === undefined) throw new Error(`no vta preset ${name}`);
  return t;
}

export const vta = preset('vta');
export const vtaZcu104 = preset('vta-zcu104');
export const vtaB32 = preset('vta-b32');
