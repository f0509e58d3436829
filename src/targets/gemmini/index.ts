import { defineTarget } from '../../contract/target.js';
import { baseline } from './baseline.js';
import { cEncoding, cHeader } from './c_header.js';
import { isa } from './isa.js';
import { checkMapping, footprint, lower, packWeights } from './lower.js';
import { createMachine } from './machine.js';
import { patterns } from './patterns.js';
import { checkGemminiSpec } from './spec_checks.js';
import gemminiSpec from './specs/gemmini.json' with { type: 'json' };
import gemminiOsSpec from './specs/gemmini-os.json' with { type: 'json' };
import gemmini32Spec from './specs/gemmini-32.json' with { type: 'json' };
import gemmini8Spec from './specs/gemmini-8.json' with { type: 'json' };

/** A Gemmini target from a spec: the built-in presets and users' specs with `"isa": "gemmini"`. */
export function gemminiTarget(specJson: unknown, specFile: string) {
  return defineTarget({
    specJson,
    specFile,
    isa,
    createMachine,
    checkSpec: checkGemminiSpec,
    code: { lower, footprint, checkMapping, baseline, packWeights, cHeader, cEncoding, patterns },
  });
}

const dir = 'src/targets/gemmini/specs';
export const gemmini = gemminiTarget(gemminiSpec, `${dir}/gemmini.json`);
export const gemminiOs = gemminiTarget(gemminiOsSpec, `${dir}/gemmini-os.json`);
export const gemmini32 = gemminiTarget(gemmini32Spec, `${dir}/gemmini-32.json`);
export const gemmini8 = gemminiTarget(gemmini8Spec, `${dir}/gemmini-8.json`);
