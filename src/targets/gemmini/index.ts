import { defineTarget } from '../../contract/target.js';
import { defineTargetPackage } from '../../contract/target_package.js';
import { baseline, convTilingChecks } from './baseline.js';
import { cHeader } from './c_header.js';
import { cEncoding, isa } from './isa.js';
import { checkMapping, footprint, lower, packWeights } from './lower.js';
import { lowerVector } from './lower_vector.js';
import { createMachine } from './machine.js';
import { patterns } from './patterns.js';
import { unroll } from './unroller.js';
import { checkGemminiSpec } from './spec_checks.js';
import gemminiSpec from './specs/gemmini.json' with { type: 'json' };
import gemminiOsSpec from './specs/gemmini-os.json' with { type: 'json' };
import gemmini32Spec from './specs/gemmini-32.json' with { type: 'json' };
import gemmini8Spec from './specs/gemmini-8.json' with { type: 'json' };

const dir = 'src/targets/gemmini/specs';

/** Gemmini: the built-in presets, and users' specs with `"isa": "gemmini"`. Listed first. */
export const target = defineTargetPackage({
  isa: 'gemmini',
  order: 0,
  presets: [
    { json: gemminiSpec, file: `${dir}/gemmini.json` },
    { json: gemminiOsSpec, file: `${dir}/gemmini-os.json` },
    { json: gemmini32Spec, file: `${dir}/gemmini-32.json` },
    { json: gemmini8Spec, file: `${dir}/gemmini-8.json` },
  ],
  create: (spec, specFile) =>
    defineTarget({
      spec,
      specFile,
      checkSpec: checkGemminiSpec,
      isa: () => isa,
      createMachine,
      lower,
      lowerVector,
      footprint,
      checkMapping,
      packWeights,
      baseline,
      foldsKernelColumns: true,
      baselineSearchChecks: (w, spec) => (w.kind === 'conv' ? convTilingChecks(w, spec) : 0),
      patterns,
      cHeader,
      cEncoding: () => cEncoding,
      unroll,
    }),
});
