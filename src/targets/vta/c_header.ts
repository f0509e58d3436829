import { cInstrQueue } from '../../contract/c_device.js';
import { cTraceRuntime } from '../../contract/c_trace.js';
import type { Spec } from '../../spec/spec.js';
import { vtaCEncoding } from './isa.js';

/**
 * VTA's runtime header for C emission (src/emit/c.ts). Each instruction kind's macro takes the funct
 * (its opcode) and the 128-bit word as its low and high 64 bits (docs/vta.md §3.1). Built with
 * GF_VTA_DEVICE, words are queued in order and gf_fence() hands the queue to gf_vta_device_run, which
 * the board's support code supplies (it points VTA's fetch module at the words and waits for FINISH);
 * anywhere else they are trace lines (src/contract/c_trace.ts).
 */

const device = `${cInstrQueue('gf_vta', 'runs count instructions (two words each) to FINISH')}
#define GF_VTA_INSN(funct, lo, hi) gf_vta_insn((lo), (hi))`;

/** The runtime header the emitted C of a program for this spec includes. */
export function cHeader(spec: Spec): string {
  const macros = Object.values(vtaCEncoding(spec)).map(
    ({ cName }) => `#define ${cName}(funct, lo, hi) GF_VTA_INSN(funct, lo, hi)`,
  );
  return `/*
 * gemmforge runtime for ${spec.name} (generated): ${spec.description.replace(/\*\//g, '* /')}
 *
 * vta_<kind>(funct, lo, hi): one 128-bit instruction, its low and high 64 bits. With GF_VTA_DEVICE
 * the words are queued and gf_fence() runs the queue on the device through gf_vta_device_run
 * (supplied by the board's support code); otherwise a trace line "funct lo hi" in the file named by
 * GF_TRACE or given to gf_trace_init, else on stdout.
 */
#ifndef GF_RUNTIME_H
#define GF_RUNTIME_H
#include <stdint.h>

#if defined(GF_VTA_DEVICE)
${device}
#else
${cTraceRuntime}
#define GF_VTA_INSN(funct, lo, hi) gf_trace_word((funct), (lo), (hi))
#endif

/* One macro per instruction kind. */
${macros.join('\n')}

#endif
`;
}
