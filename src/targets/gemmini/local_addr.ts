/**
 * Gemmini's 32-bit local addresses (docs/gemmini.md §2): bit 31 selects the accumulator, bit 30 accumulates on
 * acc writes, bit 29 reads raw int32 from the acc, bits 28:26 a normalization command, then a garbage bit
 * just above the row bits. The row field is as wide as the larger memory needs (14 bits for the default
 * 16384-row scratchpad), so the garbage bit's position follows the configuration.
 */

export const accBit = 0x8000_0000;
export const accumulateBit = 0x4000_0000;
export const readFullBit = 0x2000_0000;
/** The all-ones address: a zero matrix as B/D, "don't write" as C. */
export const garbageAddr = 0xffff_ffff;

export function isGarbage(addr: number): boolean {
  return addr === garbageAddr;
}

export function isAcc(addr: number): boolean {
  return (addr & accBit) !== 0;
}

export function isAccumulate(addr: number): boolean {
  return (addr & accumulateBit) !== 0;
}

export function isReadFull(addr: number): boolean {
  return (addr & readFullBit) !== 0;
}

export function normCmd(addr: number): number {
  return (addr >>> 26) & 0x7;
}

/** Bits in the row field for memories of these sizes. */
export function rowBits(spadRows: number, accRows: number): number {
  return Math.ceil(Math.log2(Math.max(spadRows, accRows)));
}

/** The row an address names, for a row field of `bits` bits. */
export function rowOf(addr: number, bits: number): number {
  return addr & ((1 << bits) - 1);
}

/** The garbage bit of an address, for a row field of `bits` bits. */
export function hasGarbageBit(addr: number, bits: number): boolean {
  return ((addr >>> bits) & 1) !== 0;
}

/** A scratchpad address. */
export function spAddr(row: number): number {
  return row >>> 0;
}

/** An accumulator address; `accumulate` adds to the old value on writes, `full` reads raw int32. */
export function accAddr(row: number, accumulate = false, full = false): number {
  return (accBit | (accumulate ? accumulateBit : 0) | (full ? readFullBit : 0) | row) >>> 0;
}

/**
 * `sp[12]`, `acc[3]+` (accumulate), `acc[3]:full` (raw int32 read), `acc[3]:norm2`, `garbage`.
 * The row shown is bits 25:0 (garbage bit included); flag bits 30:26 are shown whenever set.
 */
export function formatAddr(addr: number): string {
  if (isGarbage(addr)) return 'garbage';
  const row = addr & 0x3ff_ffff;
  const base = isAcc(addr) ? `acc[${row}]` : `sp[${row}]`;
  const accumulate = isAccumulate(addr) ? '+' : '';
  const full = isReadFull(addr) ? ':full' : '';
  const norm = normCmd(addr) !== 0 ? `:norm${normCmd(addr)}` : '';
  return base + accumulate + full + norm;
}
