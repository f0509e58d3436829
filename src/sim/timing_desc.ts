/**
 * What a target tells the timing engine about one instruction. The engine never sees the instruction
 * itself, only this: which unit runs it, for how long, what it moves, and which local-memory rows it
 * reads and writes. One descriptor object is reused for every instruction (no allocation per step).
 */

/** The decoupled units of a GEMM accelerator. `none` completes at issue (configuration, counters). */
export const Unit = { load: 0, execute: 1, store: 2, none: 3 } as const;
export type Unit = (typeof Unit)[keyof typeof Unit];
export const unitNames = ['load', 'execute', 'store', 'none'] as const;

/** Most local-memory ranges one instruction may name for reading, and for writing. */
export const maxRanges = 8;

export interface TimingDesc {
  unit: Unit;
  /** Cycles the unit is busy with this instruction (it can take the next one after this). */
  occupancy: number;
  /** Further cycles until its results are visible to dependants (pipeline depth, DRAM latency). */
  latency: number;
  /** Bytes read from DRAM (loads) and written to DRAM (stores); they share the DRAM channel. */
  dramReadBytes: number;
  dramWriteBytes: number;
  /** Bus requests those bytes travel in (0: the engine counts none, only bandwidth limits them). */
  dramRequests: number;
  /** Bytes those requests carry, over-fetch included (0: the data bytes). */
  dramBusBytes: number;
  /** Cycles the unit's DRAM stream stalls on top of its transfer (e.g. address translation misses). */
  stallCycles: number;
  /** Host cycles spent before the host issues this instruction (its own work, e.g. a tile's setup). */
  hostCycles: number;
  /** Multiply-accumulates done. */
  macs: number;
  /** Starts only after everything earlier on its unit has completed (e.g. reconfiguring the array). */
  drainsUnit: boolean;
  /** Local-memory ranges read: memory index (spec order), first row, row past the last. */
  readCount: number;
  readonly readMemory: Int32Array;
  readonly readStart: Int32Array;
  readonly readEnd: Int32Array;
  /** Local-memory ranges written, likewise. */
  writeCount: number;
  readonly writeMemory: Int32Array;
  readonly writeStart: Int32Array;
  readonly writeEnd: Int32Array;
  /**
   * Local-memory ranges written that the hardware's dependency tracking does not see (besides the
   * tracked ones above): nothing orders a later access to them after this instruction, so the
   * engine counts every access of another unit that may come before they are written.
   */
  untrackedCount: number;
  readonly untrackedMemory: Int32Array;
  readonly untrackedStart: Int32Array;
  readonly untrackedEnd: Int32Array;
}

export function createTimingDesc(): TimingDesc {
  return {
    unit: Unit.none,
    occupancy: 0,
    latency: 0,
    dramReadBytes: 0,
    dramWriteBytes: 0,
    dramRequests: 0,
    dramBusBytes: 0,
    hostCycles: 0,
    stallCycles: 0,
    macs: 0,
    drainsUnit: false,
    readCount: 0,
    readMemory: new Int32Array(maxRanges),
    readStart: new Int32Array(maxRanges),
    readEnd: new Int32Array(maxRanges),
    writeCount: 0,
    writeMemory: new Int32Array(maxRanges),
    writeStart: new Int32Array(maxRanges),
    writeEnd: new Int32Array(maxRanges),
    untrackedCount: 0,
    untrackedMemory: new Int32Array(maxRanges),
    untrackedStart: new Int32Array(maxRanges),
    untrackedEnd: new Int32Array(maxRanges),
  };
}

/** Clears a descriptor before a target fills it for the next instruction. */
export function resetTimingDesc(d: TimingDesc): void {
  d.unit = Unit.none;
  d.occupancy = 0;
  d.latency = 0;
  d.dramReadBytes = 0;
  d.dramWriteBytes = 0;
  d.dramRequests = 0;
  d.dramBusBytes = 0;
  d.hostCycles = 0;
  d.stallCycles = 0;
  d.macs = 0;
  d.drainsUnit = false;
  d.readCount = 0;
  d.writeCount = 0;
  d.untrackedCount = 0;
}

/** Stores range `n` of a list (memory, first row, row past the last); returns the new count. */
function putRange(
  memories: Int32Array,
  starts: Int32Array,
  ends: Int32Array,
  n: number,
  memory: number,
  start: number,
  end: number,
): number {
  memories[n] = memory;
  starts[n] = start;
  ends[n] = end;
  return n + 1;
}

/** Adds a read range; a range with end <= start is ignored. */
export function addRead(d: TimingDesc, memory: number, start: number, end: number): void {
  if (end <= start) return;
  d.readCount = putRange(d.readMemory, d.readStart, d.readEnd, d.readCount, memory, start, end);
}

/** Adds a write range; a range with end <= start is ignored. */
export function addWrite(d: TimingDesc, memory: number, start: number, end: number): void {
  if (end <= start) return;
  d.writeCount = putRange(
    d.writeMemory,
    d.writeStart,
    d.writeEnd,
    d.writeCount,
    memory,
    start,
    end,
  );
}

/** Adds a range written without dependency tracking; a range with end <= start is ignored. */
export function addUntrackedWrite(d: TimingDesc, memory: number, start: number, end: number): void {
  if (end <= start) return;
  d.untrackedCount = putRange(
    d.untrackedMemory,
    d.untrackedStart,
    d.untrackedEnd,
    d.untrackedCount,
    memory,
    start,
    end,
  );
}
