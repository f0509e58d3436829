import { cDeviceNoTrace } from '../../contract/c_device.js';
import { cTraceRuntime } from '../../contract/c_trace.js';
import type { Spec } from '../../spec/spec.js';
import { funct3Counter, funct3Default, opcodeCustom3 } from './encoding.js';
import type { InstrKind } from './instr.js';
import { isa } from './isa.js';

/**
 * Gemmini's runtime header for C emission (src/emit/c.ts), with a macro per instruction kind (the C
 * names and word layouts are declared in isa.ts). On RISC-V the header issues the
 * RoCC instructions (docs/gemmini.md §3); on any other host it writes them to a trace, one line each, so a
 * program's C can be checked against the interpreter without hardware.
 */

const kinds = Object.keys(isa) as InstrKind[];

/** COUNTER returns a value in rd (funct3 0b111); every other instruction has rd = x0. */
const returnsRd: ReadonlySet<InstrKind> = new Set(['counter']);

const hex = (n: number): string => `0x${n.toString(16)}`;

function kindMacros(): string[] {
  return kinds.map((kind) => {
    const rocc = returnsRd.has(kind) ? 'gf_rocc_rd' : 'gf_rocc';
    const functs = isa[kind].functs.join('/');
    return `#define ${isa[kind].cName}(funct, rs1, rs2) ${rocc}(funct, rs1, rs2) /* ${functs} */`;
  });
}

const device = (opcode: string): string => `#define gf_rocc(funct, rs1, rs2) \\
  __asm__ volatile(".insn r ${opcode}, ${hex(funct3Default)}, " #funct ", x0, %0, %1" \\
                   : \\
                   : "r"((uint64_t)(rs1)), "r"((uint64_t)(rs2)) \\
                   : "memory")
#define gf_rocc_rd(funct, rs1, rs2) \\
  do { \\
    uint64_t gf_rd_; \\
    __asm__ volatile(".insn r ${opcode}, ${hex(funct3Counter)}, " #funct ", %0, %1, %2" \\
                     : "=r"(gf_rd_) \\
                     : "r"((uint64_t)(rs1)), "r"((uint64_t)(rs2)) \\
                     : "memory"); \\
    (void)gf_rd_; \\
  } while (0)
#define gf_fence() __asm__ volatile("fence" : : : "memory")
${cDeviceNoTrace}`;

const host = `${cTraceRuntime}
#define gf_rocc(funct, rs1, rs2) gf_trace_word((funct), (rs1), (rs2))
#define gf_rocc_rd(funct, rs1, rs2) gf_trace_word((funct), (rs1), (rs2))`;

/** The runtime header the emitted C of a program for this spec includes. */
export function cHeader(spec: Spec): string {
  const opcode = hex(opcodeCustom3);
  return `/*
 * gemmforge runtime for ${spec.name} (generated): ${spec.description.replace(/\*\//g, '* /')}
 *
 * gf_rocc(funct, rs1, rs2), funct a literal: on RISC-V the R-type instruction with opcode custom-3
 * (${opcode}), funct7 = funct, funct3 ${hex(funct3Default)} and rd = x0 (COUNTER: funct3 ${hex(funct3Counter)},
 * returns rd). On any other host a trace line "funct rs1 rs2" (decimal funct, registers as 0x and
 * 16 hex digits) in the file named by GF_TRACE or given to gf_trace_init, else on stdout; the
 * trace state is per translation unit, and GF_TRACE_MODE is defined. gf_fence(): a RISC-V fence,
 * or a "fence" line.
 */
#ifndef GF_RUNTIME_H
#define GF_RUNTIME_H
#include <stdint.h>

#define GF_DIM ${spec.array.rows}

#if defined(__riscv)
${device(opcode)}
#else
${host}
#endif

/* One macro per instruction kind (the functs each may carry). */
${kindMacros().join('\n')}

#endif
`;
}
