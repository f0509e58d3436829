import { parseSpec } from '../../spec/load_spec.js';
import { defineTarget, withTargetChecks } from '../../contract/target.js';
import { vtaIsa } from './isa.js';
import { checkMapping, footprint } from './layout.js';
import { lower } from './lower.js';
import { createMachine, endOfStream } from './machine.js';
import { packInput, packWeights, unpackOutput } from './pack.js';
import { patterns } from './patterns.js';
import { checkVtaSpec } from './spec_checks.js';
import vtaSpec from './specs/vta.json' with { type: 'json' };
import vtaZcu104Spec from './specs/vta-zcu104.json' with { type: 'json' };
import vtaB32Spec from './specs/vta-b32.json' with { type: 'json' };

/**
 * A VTA target from a spec: the built-in presets and users' specs with `"isa": "vta"`. Its ISA table
 * is built per spec, since field widths follow the buffer depths. No vendor baseline: TVM tunes
 * VTA's tiles per layer (AutoTVM), so the simple mapping stands in.
 */
export function vtaTarget(specJson: unknown, specFile: string) {
  const spec = withTargetChecks(parseSpec(specJson, specFile), specFile, checkVtaSpec);
  return defineTarget({
    specJson: spec,
    specFile,
    isa: vtaIsa(spec),
    createMachine,
    endOfStream,
    checkSpec: checkVtaSpec,
    code: { lower, footprint, checkMapping, packInput, packWeights, unpackOutput, patterns },
  });
}

const dir = 'src/targets/vta/specs';
export const vta = vtaTarget(vtaSpec, `${dir}/vta.json`);
export const vtaZcu104 = vtaTarget(vtaZcu104Spec, `${dir}/vta-zcu104.json`);
export const vtaB32 = vtaTarget(vtaB32Spec, `${dir}/vta-b32.json`);
