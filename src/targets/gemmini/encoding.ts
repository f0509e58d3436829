/**
 * How a Gemmini instruction travels as a RISC-V instruction (docs/gemmini.md §3.1): a RoCC R-type word
 * on the custom-3 opcode. The fields of (funct, rs1, rs2) are declared in isa.ts.
 */

/** The RISC-V major opcode of every Gemmini instruction: custom-3. */
export const opcodeCustom3 = 0x7b;

/** funct3 of every instruction but COUNTER (rd = x0), and of COUNTER (returns rd). */
export const funct3Default = 0b011;
export const funct3Counter = 0b111;

/**
 * The 32-bit R-type word `funct<<25 | rs2<<20 | rs1<<15 | funct3<<12 | rd<<7 | 0x7B` (custom-3)
 * as an unsigned number; registers are x0..x31. MVIN a0, a1 is riscvWord(2, 10, 11) = 0x04B5307B.
 */
export function riscvWord(
  funct: number,
  rs1Reg: number,
  rs2Reg: number,
  rdReg = 0,
  funct3 = funct3Default,
): number {
  const fields = [
    ['funct', funct, 7, 25],
    ['rs2', rs2Reg, 5, 20],
    ['rs1', rs1Reg, 5, 15],
    ['funct3', funct3, 3, 12],
    ['rd', rdReg, 5, 7],
  ] as const;
  let word = opcodeCustom3;
  for (const [name, value, width, lo] of fields) {
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** width) {
      throw new Error(`riscvWord: ${name} = ${value} is not an integer in [0, 2^${width})`);
    }
    word += value * 2 ** lo;
  }
  return word;
}
