import { InputError } from '../errors.js';
import { fault } from './fault.js';

/**
 * Simulated DRAM: byte-addressed, holding named allocations. An access outside every allocation is a
 * fault. Address 0 is never allocated (accelerators use it as "no address").
 */

export interface Allocation {
  readonly name: string;
  readonly address: number;
  readonly bytes: number;
}

export interface Dram {
  bytes: Uint8Array;
  i8: Int8Array;
  view: DataView;
  readonly allocations: Allocation[];
  /** The first free address. */
  next: number;
  /** Index of the allocation the last check hit (most accesses repeat it). */
  lastHit: number;
}

const firstAddress = 0x1000;

export function createDram(initialBytes = 1 << 20): Dram {
  const bytes = new Uint8Array(initialBytes);
  return {
    bytes,
    i8: new Int8Array(bytes.buffer),
    view: new DataView(bytes.buffer),
    allocations: [],
    next: firstAddress,
    lastHit: 0,
  };
}

/** The most bytes simulated DRAM holds: one typed array, kept well inside what Node allocates. */
export const maxDramBytes = 2 ** 31;

function grow(dram: Dram, needed: number): void {
  let size = dram.bytes.length;
  while (size < needed) size *= 2;
  const bytes = new Uint8Array(size);
  bytes.set(dram.bytes);
  dram.bytes = bytes;
  dram.i8 = new Int8Array(bytes.buffer);
  dram.view = new DataView(bytes.buffer);
}

/** Reserves `bytes` bytes named `name`, aligned to `alignment`; returns its address. */
export function allocate(dram: Dram, name: string, bytes: number, alignment = 64): number {
  if (!Number.isInteger(bytes) || bytes <= 0) {
    throw new InputError(`allocation "${name}": size must be a positive integer (got ${bytes})`);
  }
  if (dram.allocations.some((a) => a.name === name)) {
    throw new InputError(`allocation "${name}" exists already`);
  }
  const address = Math.ceil(dram.next / alignment) * alignment;
  if (address + bytes > maxDramBytes) {
    throw new InputError(
      `allocation "${name}" of ${bytes} bytes does not fit in the simulated DRAM ` +
        `(${maxDramBytes} bytes, ${dram.next} in use)`,
    );
  }
  dram.next = address + bytes;
  if (dram.next > dram.bytes.length) grow(dram, dram.next);
  dram.allocations.push({ name, address, bytes });
  return address;
}

export function allocationNamed(dram: Dram, name: string): Allocation {
  const a = dram.allocations.find((x) => x.name === name);
  if (a === undefined) throw new InputError(`no DRAM allocation named "${name}"`);
  return a;
}

function describeMiss(dram: Dram, address: number, length: number): string {
  const span = `[0x${address.toString(16)}, 0x${(address + length).toString(16)})`;
  const inside = dram.allocations.find(
    (a) => address >= a.address && address < a.address + a.bytes,
  );
  if (inside !== undefined) {
    const over = address + length - (inside.address + inside.bytes);
    return `DRAM ${span} runs ${over} bytes past the end of allocation "${inside.name}"`;
  }
  return `DRAM ${span} is outside every allocation`;
}

/** Faults unless [address, address + length) lies inside one allocation. */
export function checkAccess(dram: Dram, address: number, length: number): void {
  const hit = dram.allocations[dram.lastHit];
  if (hit !== undefined && address >= hit.address && address + length <= hit.address + hit.bytes) {
    return;
  }
  const list = dram.allocations;
  for (let i = 0; i < list.length; i++) {
    const a = list[i];
    if (address >= a.address && address + length <= a.address + a.bytes) {
      dram.lastHit = i;
      return;
    }
  }
  fault(describeMiss(dram, address, length));
}

/** Copies int8 data into DRAM at an address (no access check: for setting up inputs). */
export function writeInt8(dram: Dram, address: number, data: Int8Array): void {
  dram.i8.set(data, address);
}

/** Copies int32 data (little-endian) into DRAM at an address. */
export function writeInt32(dram: Dram, address: number, data: Int32Array): void {
  for (let i = 0; i < data.length; i++) dram.view.setInt32(address + 4 * i, data[i], true);
}

export function readInt8(dram: Dram, address: number, count: number): Int8Array {
  return dram.i8.slice(address, address + count);
}

export function readInt32(dram: Dram, address: number, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = dram.view.getInt32(address + 4 * i, true);
  return out;
}
