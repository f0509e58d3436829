import { defineTarget } from '../../contract/target.js';
import { squareInt8ArrayProblems } from '../../contract/array_checks.js';
import { defineTargetPackage } from '../../contract/target_package.js';
import type { Spec } from '../../spec/spec.js';
import { cHeader } from './c_header.js';
import { createMachine, isa, toyCEncoding } from './isa.js';
import { checkMapping, footprint, lower } from './lower.js';
import toySpec from './specs/toy.json' with { type: 'json' };

/** What the toy's code needs of a spec: a square int8 array, an int8 buffer, an int32 accumulator. */
function checkSpec(spec: Spec) {
  const problems = squareInt8ArrayProblems(spec);
  const elementTypes = { buffer: 'int8', accumulator: 'int32' } as const;
  for (const [name, type] of Object.entries(elementTypes)) {
    if (spec.memories[name]?.elementType !== type) {
      problems.push({ path: `memories.${name}`, message: `must be a memory of ${type}` });
    }
  }
  return problems;
}

/**
 * The toy target: the smallest GEMM accelerator the compiler runs end to end (isa.ts, lower.ts), to
 * show the shared code needs neither Gemmini nor VTA. No conv, no vendor baseline; its C runtime
 * traces the instructions on a host (c_header.ts).
 */
export const target = defineTargetPackage({
  isa: 'toy',
  order: 2,
  presets: [{ json: toySpec, file: 'src/targets/toy/specs/toy.json' }],
  create: (spec, specFile) =>
    defineTarget({
      spec,
      specFile,
      checkSpec,
      isa: () => isa,
      createMachine,
      lower,
      footprint,
      checkMapping,
      patterns: [{ name: 'matmul + bias + relu + requant', kind: 'gemm', check: () => null }],
      cHeader,
      cEncoding: () => toyCEncoding,
    }),
});
