import { defineTarget } from '../../contract/target.js';
import { defineTargetPackage } from '../../contract/target_package.js';
import { cHeader } from './c_header.js';
import { vtaCEncoding, vtaIsa } from './isa.js';
import { checkMapping, footprint } from './layout.js';
import { lower } from './lower.js';
import { createMachine, endOfStream } from './machine.js';
import { packInput, packWeights, unpackOutput } from './pack.js';
import { patterns } from './patterns.js';
import { checkVtaSpec } from './spec_checks.js';
import vtaSpec from './specs/vta.json' with { type: 'json' };
import vtaZcu104Spec from './specs/vta-zcu104.json' with { type: 'json' };
import vtaB32Spec from './specs/vta-b32.json' with { type: 'json' };

const dir = 'src/targets/vta/specs';

/**
 * VTA: the built-in presets, and users' specs with `"isa": "vta"`. Its ISA table is built per spec,
 * since field widths follow the buffer depths. No vendor baseline: TVM tunes VTA's tiles per layer
 * (AutoTVM), so the simple mapping stands in.
 */
export const target = defineTargetPackage({
  isa: 'vta',
  order: 1,
  presets: [
    { json: vtaSpec, file: `${dir}/vta.json` },
    { json: vtaZcu104Spec, file: `${dir}/vta-zcu104.json` },
    { json: vtaB32Spec, file: `${dir}/vta-b32.json` },
  ],
  create: (spec, specFile) =>
    defineTarget({
      spec,
      specFile,
      checkSpec: checkVtaSpec,
      isa: vtaIsa,
      createMachine,
      endOfStream,
      lower,
      footprint,
      checkMapping,
      packInput,
      packWeights,
      unpackOutput,
      patterns,
      cHeader,
      cEncoding: vtaCEncoding,
    }),
});
