import { cTraceRuntime } from '../../contract/c_trace.js';
import type { Spec } from '../../spec/spec.js';
import { toyCEncoding } from './isa.js';

/**
 * The toy's runtime header for C emission (src/emit/c.ts). The toy has no hardware, so every
 * instruction is a trace line "funct rs1 rs2" (src/contract/c_trace.ts), to check against the
 * interpreter.
 */
export function cHeader(spec: Spec): string {
  const macros = Object.values(toyCEncoding).map(
    ({ cName }) => `#define ${cName}(funct, rs1, rs2) gf_trace_word((funct), (rs1), (rs2))`,
  );
  return `/* gemmforge runtime for ${spec.name} (generated): each instruction a trace line. */
#ifndef GF_RUNTIME_H
#define GF_RUNTIME_H
#include <stdint.h>
${cTraceRuntime}
${macros.join('\n')}
#endif
`;
}
