/**
 * The event-driven timing engine shared by every target. A target turns each instruction into
 * a `TimingDesc`; the engine turns the stream of descriptors into cycles. It never sees an
 * opcode and knows nothing about any particular accelerator.
 *
 * Model (times in cycles; instructions in program order, never reordered):
 * - Issue. The host issues one instruction per `issueCyclesPerInstruction`, after `hostCycles` of
 *   its own work where a descriptor names some. Each unit (load,
 *   execute, store) has a queue of `queueDepths[unit]` entries, held from issue until the
 *   instruction retires. A unit retires in order (retire = running max of its completions), so
 *     issue = max(previous issue + issueCost, fence, retire of the instruction `depth` places
 *             earlier on the same unit).
 *   Unit `none` instructions (configuration) only take the issue slot: they complete at issue
 *   and must carry no DRAM bytes, macs or ranges.
 * - Start. start = max(issue, unitFree, dependencies), where unitFree is the previous
 *   instruction's start plus its busy time on that unit; with `drainsUnit`, also >= the
 *   retirement of everything earlier on the unit.
 * - Dependencies, per memory row: a read waits for the completion of the last write to any row
 *   it reads (RAW); a write waits for the last write by another unit (WAW; a unit is an in-order
 *   pipeline, so its own writes land in program order) and for the latest completion of any
 *   earlier read (WAR) of the rows it writes. Per-row last-write and last-read completion times
 *   (`RowTimes`, summarised per 16-row block) make a step cost at most O(rows touched).
 * - DRAM. Loads and stores share one channel. With `commandsInFlight` n, a move (an instruction with
 *   DRAM bytes) starts no earlier than dramLatency after the busy end of the move n places earlier
 *   in its direction (the controller tracks n moves until their data is back). An instruction moving b > 0 bytes in r bus requests
 *   first takes its direction's request window (reads and writes each have `requestsInFlight`
 *   slots, a slot held for `dramLatency` cycles): windowStart = max(start, windowFree[dir]),
 *   windowEnd = windowStart + r × dramLatency / requestsInFlight. It holds the channel for
 *   (bus bytes, over-fetch included, or else b) / dramBytesPerCycle cycles from dramStart = max(windowStart, channelFree); its unit is busy
 *   until busyEnd = max(start + occupancy, windowEnd, channelEnd). Without DRAM bytes, busyEnd =
 *   start + occupancy. Stall cycles (address translation) then add to busyEnd and to the
 *   direction's window. In both cases completion = busyEnd + latency. A write is acknowledged
 *   dramLatency after its busy end.
 * - Generated instructions. An accelerator's own loop unroller issues instructions without the
 *   host: `stepGenerated` issues at max(earliest, the unroller's previous issue + 1, the unit's
 *   queue slot) and leaves the host's clock alone; an instruction the host issues after them waits
 *   for the unroller's last issue (commands pass in order).
 * - Fence. The next issue is >= the completion of everything before the fence and the
 *   acknowledgement of every write.
 * - Result. totalCycles = max(every completion, last issue).
 * Every time is a max/plus expression of earlier times and non-negative durations, so lengthening
 * any duration or lowering bandwidth never shortens the total.
 *
 * Performance: state is typed arrays and numbers; a step allocates nothing and does no Map
 * lookup. Queue slots are circular buffers of retire times.
 */
import { memoryRows as rowsOfMemory, type Spec } from '../spec/spec.js';
import { Unit, type TimingDesc } from './timing_desc.js';

/** The numbers that parameterise the engine; `timingParamsOf` derives them from a spec. */
export interface TimingParams {
  /** The host issues one instruction per this many cycles. */
  readonly issueCyclesPerInstruction: number;
  /** Queue entries per unit. */
  readonly queueDepths: { readonly load: number; readonly execute: number; readonly store: number };
  /** Bytes per cycle of the one DRAM channel that loads and stores share. */
  readonly dramBytesPerCycle: number;
  /** Rows of each local memory, indexed as descriptor ranges name them. */
  readonly memoryRows: readonly number[];
  /** Cycles a bus request is outstanding, and how many may be per direction (Infinity: no limit). */
  readonly dramLatency?: number;
  readonly requestsInFlight?: number;
  /** Moves per direction whose requests may be outstanding at once (Infinity: no limit). */
  readonly commandsInFlight?: number;
}

/** One number per unit. */
export interface PerUnit {
  readonly load: number;
  readonly execute: number;
  readonly store: number;
}

/** Cycles instructions of a unit spent waiting, by cause. */
export interface TimingStalls {
  /** Issue held back because the unit's queue was full. */
  readonly queue: PerUnit;
  /** Start held back by the unit still being busy (or draining). */
  readonly unit: PerUnit;
  /** Start held back further by memory-row dependencies. */
  readonly dependency: PerUnit;
  /** DRAM transfer held back by the channel being busy with another instruction. */
  readonly dram: PerUnit;
}

/** What a run costs. */
export interface TimingResult {
  readonly totalCycles: number;
  /** Sum of busy spans (start to busy end) per unit; spans of one unit never overlap. */
  readonly busyCycles: PerUnit;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly macs: number;
  readonly instructions: number;
  readonly stalls: TimingStalls;
  /** Cycles the host spent issuing: its cost per instruction plus any host cycles an instruction adds. */
  readonly hostCycles: number;
  /** Instructions the accelerator's loop unroller generated (the host did not issue them). */
  readonly generatedInstructions: number;
  /**
   * Per direction, the request window's time: bus requests × (DRAM latency / requests in flight).
   * When it exceeds the channel's transfer time, requests in flight bound the stream, not bandwidth.
   */
  readonly requestWindowCycles: { readonly read: number; readonly write: number };
  /** Cycles DRAM streams stalled on address translation (TLB misses). */
  readonly translationStallCycles: number;
  /**
   * Accesses that may reach rows before an earlier instruction's untracked write to them has landed
   * (TimingDesc.untracked…): the hardware would not order them, so a program with any is wrong on
   * it even where the functional simulation (in program order) is right.
   */
  readonly unorderedAccesses: number;
}

/** Engine state: plain numbers and typed arrays, mutated by `step` and `fence`. */
export interface TimingEngine {
  readonly issueCost: number;
  readonly dramBytesPerCycle: number;
  /** dramLatency / requestsInFlight: window cycles per request (0 without a limit). */
  readonly requestCycles: number;
  readonly dramLatency: number;
  readonly memoryCount: number;
  /** Rows of each memory, and where its rows begin in the row tables (a multiple of blockRows). */
  readonly rows: Int32Array;
  readonly rowOffset: Int32Array;
  /** Completion of the last write to each row, and latest completion of a read of it. */
  readonly lastWrite: RowTimes;
  readonly lastRead: RowTimes;
  /** Completion of the last write to each row by each unit (WAW only waits for other units). */
  readonly lastWriteBy: readonly RowTimes[];
  /** Whether each unit has written local memory yet (a unit that never writes is never waited on). */
  readonly unitWrites: Uint8Array;
  /** Per unit, completion of its last untracked write to each row; made at the first one. */
  untrackedBy: RowTimes[] | null;
  unorderedAccesses: number;
  /** Per unit: queue depth, ring offset in `ring`, next ring slot. */
  readonly depth: Int32Array;
  readonly ringOffset: Int32Array;
  readonly ringHead: Int32Array;
  /** Retire times of the last `depth` instructions of each unit. */
  readonly ring: Float64Array;
  /** Per unit: when it can start the next instruction, and its running max completion. */
  readonly unitFree: Float64Array;
  readonly retired: Float64Array;
  /** Per unit: busy cycles; stall cycles at [cause * 3 + unit], causes as in `TimingStalls`. */
  readonly busy: Float64Array;
  readonly stalls: Float64Array;
  /** Per direction (0 read, 1 write): request-window cycles; and the totals in `TimingResult`. */
  readonly requestWindow: Float64Array;
  translationStall: number;
  hostBusy: number;
  generated: number;
  /** Earliest time the next instruction may issue. */
  nextIssue: number;
  lastIssue: number;
  /** The unroller's next free issue cycle; 0 until it issues. */
  unrollerNext: number;
  /** Issue cycle of the host's latest instruction (the simulator sets it). */
  lastHostIssue: number;
  channelFree: number;
  /** When each direction's request window frees: [reads, writes]. */
  readonly windowFree: Float64Array;
  /**
   * Move slots per direction (commandsInFlight; 0: no limit) and, per direction, when each slot frees
   * (its move's last request back), used round-robin from moveHead.
   */
  readonly moveSlots: number;
  readonly moveFree: Float64Array;
  readonly moveHead: Int32Array;
  /** Latest write acknowledgement. */
  lastAck: number;
  maxCompletion: number;
  bytesIn: number;
  bytesOut: number;
  macs: number;
  instructions: number;
}

/**
 * A time per row, kept as a running max, in blocks of `blockRows` rows so that a range costs
 * O(rows / blockRows + blockRows): row r's time is max(row[r], tag[b]) for its block b, and
 * top[b] is the largest time in block b. A whole-block raise only touches tag and top.
 */
export interface RowTimes {
  readonly row: Float64Array;
  readonly tag: Float64Array;
  readonly top: Float64Array;
}

const unitCount = 3;
const queueStall = 0;
const unitStall = unitCount;
const dependencyStall = 2 * unitCount;
const dramStall = 3 * unitCount;
const blockShift = 4;
const blockRows = 1 << blockShift;

/** Row times for `rows` rows (a multiple of 16), all 0. */
export function createRowTimes(rows: number): RowTimes {
  const blocks = rows >> blockShift;
  const row = new Float64Array(rows);
  return { row, tag: new Float64Array(blocks), top: new Float64Array(blocks) };
}

/** The larger of `atLeast` and the latest time among rows [start, end). */
export function latestRowTime(t: RowTimes, start: number, end: number, atLeast: number): number {
  const row = t.row;
  let latest = atLeast;
  let r = start;
  while (r < end) {
    const b = r >> blockShift;
    const blockEnd = (b + 1) << blockShift;
    if (r === blockEnd - blockRows && end >= blockEnd) {
      if (t.top[b] > latest) latest = t.top[b];
    } else {
      if (t.tag[b] > latest) latest = t.tag[b];
      const stop = end < blockEnd ? end : blockEnd;
      for (let i = r; i < stop; i++) {
        if (row[i] > latest) latest = row[i];
      }
    }
    r = blockEnd;
  }
  return latest;
}

/** Raises the time of every row in [start, end) to at least `time`. */
export function raiseRowTimes(t: RowTimes, start: number, end: number, time: number): void {
  const row = t.row;
  let r = start;
  while (r < end) {
    const b = r >> blockShift;
    const blockEnd = (b + 1) << blockShift;
    if (r === blockEnd - blockRows && end >= blockEnd) {
      if (time > t.tag[b]) t.tag[b] = time;
    } else {
      const stop = end < blockEnd ? end : blockEnd;
      for (let i = r; i < stop; i++) {
        if (time > row[i]) row[i] = time;
      }
    }
    if (time > t.top[b]) t.top[b] = time;
    r = blockEnd;
  }
}

/**
 * The row tables of the last released engine (src/runtime/simulate.ts releases its engine when the
 * simulation finishes): the next engine with as many rows takes them cleared instead of allocating
 * them. Allocating and collecting them took about a third of a short stream's run. One set per
 * thread; an engine must not be used after its release.
 */
let spareTables: { readonly rows: number; readonly tables: readonly RowTimes[] } | null = null;

/** Row tables for a new engine: lastWrite, lastRead and lastWriteBy of each unit. */
function rowTables(totalRows: number): readonly RowTimes[] {
  const spare = spareTables;
  if (spare !== null && spare.rows === totalRows) {
    spareTables = null;
    for (const t of spare.tables) {
      t.row.fill(0);
      t.tag.fill(0);
      t.top.fill(0);
    }
    return spare.tables;
  }
  return Array.from({ length: 2 + unitCount }, () => createRowTimes(totalRows));
}

/** Hands an engine's row tables to the next engine; the engine must not be stepped again. */
export function releaseTimingEngine(e: TimingEngine): void {
  spareTables = {
    rows: e.lastWrite.row.length,
    tables: [e.lastWrite, e.lastRead, ...e.lastWriteBy],
  };
}

/** Derives engine parameters from a validated spec (memories in `Object.keys` order). */
export function timingParamsOf(spec: Spec): TimingParams {
  return {
    issueCyclesPerInstruction: spec.issueCyclesPerInstruction,
    queueDepths: { load: spec.queues.load, execute: spec.queues.execute, store: spec.queues.store },
    dramBytesPerCycle: spec.dram.bytesPerCycle,
    memoryRows: Object.keys(spec.memories).map((name) => rowsOfMemory(spec.memories[name])),
    dramLatency: spec.dram.latencyCycles,
    requestsInFlight: spec.dram.requestsInFlight ?? Infinity,
    commandsInFlight: spec.dram.commandsInFlight ?? Infinity,
  };
}

/** A fresh engine at cycle 0. Throws a plain Error on malformed parameters. */
export function createTimingEngine(params: TimingParams): TimingEngine {
  const issueCost = params.issueCyclesPerInstruction;
  if (!(issueCost >= 0 && Number.isFinite(issueCost))) {
    throw new Error(`issueCyclesPerInstruction must be finite and >= 0 (got ${issueCost})`);
  }
  if (!(params.dramBytesPerCycle > 0 && Number.isFinite(params.dramBytesPerCycle))) {
    throw new Error(`dramBytesPerCycle must be finite and > 0 (got ${params.dramBytesPerCycle})`);
  }
  const q = params.queueDepths;
  const depth = Int32Array.of(q.load, q.execute, q.store);
  for (const d of [q.load, q.execute, q.store]) {
    if (!(Number.isInteger(d) && d > 0)) throw new Error(`queue depths must be > 0 (got ${d})`);
  }
  const ringOffset = Int32Array.of(0, depth[0], depth[0] + depth[1]);
  const memoryCount = params.memoryRows.length;
  const rows = new Int32Array(memoryCount);
  const rowOffset = new Int32Array(memoryCount);
  let totalRows = 0;
  for (let m = 0; m < memoryCount; m++) {
    const r = params.memoryRows[m];
    if (!(Number.isInteger(r) && r >= 0)) throw new Error(`memory ${m} has ${r} rows`);
    rows[m] = r;
    rowOffset[m] = totalRows;
    totalRows += Math.ceil(r / blockRows) * blockRows;
  }
  const inFlight = params.requestsInFlight ?? Infinity;
  const dramLatency = params.dramLatency ?? 0;
  if (!(inFlight > 0) || !(dramLatency >= 0)) {
    throw new Error('requestsInFlight must be > 0 and dramLatency >= 0');
  }
  const moves = params.commandsInFlight ?? Infinity;
  if (!(moves >= 1)) throw new Error(`commandsInFlight must be >= 1 (got ${moves})`);
  const moveSlots = Number.isFinite(moves) ? moves : 0;
  const tables = rowTables(totalRows);
  return {
    issueCost,
    dramBytesPerCycle: params.dramBytesPerCycle,
    requestCycles: Number.isFinite(inFlight) ? dramLatency / inFlight : 0,
    dramLatency,
    memoryCount,
    rows,
    rowOffset,
    lastWrite: tables[0],
    lastRead: tables[1],
    lastWriteBy: tables.slice(2),
    unitWrites: new Uint8Array(unitCount),
    untrackedBy: null,
    unorderedAccesses: 0,
    depth,
    ringOffset,
    ringHead: new Int32Array(unitCount),
    ring: new Float64Array(depth[0] + depth[1] + depth[2]),
    unitFree: new Float64Array(unitCount),
    retired: new Float64Array(unitCount),
    busy: new Float64Array(unitCount),
    stalls: new Float64Array(4 * unitCount),
    requestWindow: new Float64Array(2),
    translationStall: 0,
    hostBusy: 0,
    generated: 0,
    nextIssue: 0,
    lastIssue: 0,
    unrollerNext: 0,
    lastHostIssue: 0,
    channelFree: 0,
    windowFree: new Float64Array(2),
    moveSlots,
    moveFree: new Float64Array(2 * moveSlots),
    moveHead: new Int32Array(2),
    lastAck: 0,
    maxCompletion: 0,
    bytesIn: 0,
    bytesOut: 0,
    macs: 0,
    instructions: 0,
  };
}

/** Index of the first row of a range in the row tables, after checking the range (a target bug). */
function rangeBase(e: TimingEngine, memory: number, start: number, end: number): number {
  if (memory < 0 || memory >= e.memoryCount || start < 0 || end > e.rows[memory]) {
    throw new Error(
      `range [${start}, ${end}) of memory ${memory} is outside the local memories ` +
        `(${e.memoryCount} memories)`,
    );
  }
  return e.rowOffset[memory];
}

/** Latest completion among the rows this instruction must wait for (RAW, WAW, WAR). */
function dependencyReady(e: TimingEngine, d: TimingDesc): number {
  let ready = 0;
  for (let i = 0; i < d.readCount; i++) {
    const base = rangeBase(e, d.readMemory[i], d.readStart[i], d.readEnd[i]);
    ready = latestRowTime(e.lastWrite, base + d.readStart[i], base + d.readEnd[i], ready);
  }
  for (let i = 0; i < d.writeCount; i++) {
    const base = rangeBase(e, d.writeMemory[i], d.writeStart[i], d.writeEnd[i]);
    const start = base + d.writeStart[i];
    const end = base + d.writeEnd[i];
    // WAW only across units: a unit is an in-order pipeline, so its own writes land in order.
    for (let u = 0; u < unitCount; u++) {
      if (u !== d.unit && e.unitWrites[u] !== 0) {
        ready = latestRowTime(e.lastWriteBy[u], start, end, ready);
      }
    }
    ready = latestRowTime(e.lastRead, start, end, ready);
  }
  return ready;
}

/** Records this instruction's completion on the rows it reads and writes. */
function recordRows(e: TimingEngine, d: TimingDesc, completion: number): void {
  for (let i = 0; i < d.readCount; i++) {
    const base = e.rowOffset[d.readMemory[i]];
    raiseRowTimes(e.lastRead, base + d.readStart[i], base + d.readEnd[i], completion);
  }
  for (let i = 0; i < d.writeCount; i++) {
    const base = e.rowOffset[d.writeMemory[i]];
    raiseRowTimes(e.lastWrite, base + d.writeStart[i], base + d.writeEnd[i], completion);
    raiseRowTimes(e.lastWriteBy[d.unit], base + d.writeStart[i], base + d.writeEnd[i], completion);
  }
  if (d.writeCount > 0) e.unitWrites[d.unit] = 1;
  if (d.untrackedCount > 0) {
    if (e.untrackedBy === null) {
      const rows = e.lastWrite.row.length;
      e.untrackedBy = Array.from({ length: unitCount }, () => createRowTimes(rows));
    }
    for (let i = 0; i < d.untrackedCount; i++) {
      const base = rangeBase(e, d.untrackedMemory[i], d.untrackedStart[i], d.untrackedEnd[i]);
      raiseRowTimes(
        e.untrackedBy[d.unit],
        base + d.untrackedStart[i],
        base + d.untrackedEnd[i],
        completion,
      );
    }
  }
}

/**
 * Whether an instruction starting at `start` may touch rows another unit's untracked write has not
 * yet landed on (its reads, and its writes: those could land first and be overwritten).
 */
function unordered(e: TimingEngine, d: TimingDesc, start: number): boolean {
  const untracked = e.untrackedBy as RowTimes[];
  for (let u = 0; u < unitCount; u++) {
    if (u === d.unit) continue;
    for (let i = 0; i < d.readCount; i++) {
      const base = e.rowOffset[d.readMemory[i]];
      const at = latestRowTime(untracked[u], base + d.readStart[i], base + d.readEnd[i], 0);
      if (at > start) return true;
    }
    for (let i = 0; i < d.writeCount; i++) {
      const base = e.rowOffset[d.writeMemory[i]];
      const at = latestRowTime(untracked[u], base + d.writeStart[i], base + d.writeEnd[i], 0);
      if (at > start) return true;
    }
  }
  return false;
}

/** Checks a descriptor; false for a unit-none one, which only takes an issue slot. */
function checkDesc(d: TimingDesc): boolean {
  if (
    !(d.occupancy >= 0 && d.latency >= 0 && d.dramReadBytes >= 0 && d.dramWriteBytes >= 0) ||
    !(d.hostCycles >= 0 && d.stallCycles >= 0)
  ) {
    throw new Error('a timing descriptor has a negative (or NaN) duration or byte count');
  }
  if (d.unit === Unit.none) {
    if (d.dramReadBytes + d.dramWriteBytes !== 0 || d.macs !== 0 || d.readCount !== 0) {
      throw new Error('a unit-none instruction moves DRAM bytes, does macs or touches rows');
    }
    if (d.writeCount !== 0) throw new Error('a unit-none instruction writes rows');
    return false;
  }
  if (!(d.unit >= 0 && d.unit < unitCount)) throw new Error(`unknown unit ${d.unit}`);
  return true;
}

/** When the next instruction for `unit` can take a queue slot. */
export function slotFree(e: TimingEngine, unit: Unit): number {
  return unit === Unit.none ? 0 : e.ring[e.ringOffset[unit] + e.ringHead[unit]];
}

/** Issues one instruction from the host, in program order, and advances the engine. Allocates nothing. */
export function step(e: TimingEngine, d: TimingDesc): void {
  if (d.hostCycles > 0) e.nextIssue += d.hostCycles;
  e.hostBusy += d.hostCycles + e.issueCost;
  if (!checkDesc(d)) {
    e.instructions++;
    const at = e.nextIssue;
    e.lastIssue = at;
    e.nextIssue = at + e.issueCost;
    if (at > e.maxCompletion) e.maxCompletion = at;
    return;
  }
  // Checks every range before any state changes.
  const deps = dependencyReady(e, d);
  const earliest = e.nextIssue > e.unrollerNext ? e.nextIssue : e.unrollerNext;
  const issue = run(e, d, deps, earliest);
  e.nextIssue = issue + e.issueCost;
}

/**
 * Issues one instruction the accelerator's loop unroller generated, no earlier than `earliest`
 * (when the host handed it the loop). The host's clock is not moved.
 */
export function stepGenerated(e: TimingEngine, d: TimingDesc, earliest: number): void {
  const at = earliest > e.unrollerNext ? earliest : e.unrollerNext;
  e.generated++;
  if (!checkDesc(d)) {
    e.instructions++;
    e.lastIssue = at;
    e.unrollerNext = at + 1;
    if (at > e.maxCompletion) e.maxCompletion = at;
    return;
  }
  const deps = dependencyReady(e, d);
  const issue = run(e, d, deps, at);
  e.unrollerNext = issue + 1;
}

/** The host's next issue is no earlier than `time` (it waited for the accelerator). */
export function hostWait(e: TimingEngine, time: number): void {
  if (time > e.nextIssue) e.nextIssue = time;
}

/** Queue slot, start, DRAM and completion of one unit instruction; returns its issue time. */
function run(e: TimingEngine, d: TimingDesc, deps: number, earliest: number): number {
  const u = d.unit;
  const occupancy = d.occupancy;
  const bytes = d.dramReadBytes + d.dramWriteBytes;
  e.instructions++;

  const slot = e.ringOffset[u] + e.ringHead[u];
  const slotFreeAt = e.ring[slot];
  const issue = slotFreeAt > earliest ? slotFreeAt : earliest;
  e.stalls[queueStall + u] += issue - earliest;
  e.lastIssue = issue;

  let unitReady = e.unitFree[u];
  if (d.drainsUnit && e.retired[u] > unitReady) unitReady = e.retired[u];
  const ready = unitReady > issue ? unitReady : issue;
  e.stalls[unitStall + u] += ready - issue;
  let start = deps > ready ? deps : ready;
  e.stalls[dependencyStall + u] += start - ready;
  const dir = d.dramWriteBytes > 0 ? 1 : 0;
  const moveSlot = dir * e.moveSlots + e.moveHead[dir];
  if (bytes > 0 && e.moveSlots > 0 && e.moveFree[moveSlot] > start) {
    // The move waits for a slot: the one taken `moveSlots` moves ago frees when its data is back.
    e.stalls[dramStall + u] += e.moveFree[moveSlot] - start;
    start = e.moveFree[moveSlot];
  }

  if (e.untrackedBy !== null && unordered(e, d, start)) e.unorderedAccesses++;

  let busyEnd = start + occupancy;
  if (bytes > 0) {
    const windowStart = e.windowFree[dir] > start ? e.windowFree[dir] : start;
    const window = d.dramRequests * e.requestCycles;
    const windowEnd = windowStart + window;
    e.requestWindow[dir] += window;
    e.translationStall += d.stallCycles;
    const dramStart = e.channelFree > windowStart ? e.channelFree : windowStart;
    e.stalls[dramStall + u] += dramStart - start;
    const channelEnd =
      dramStart + (d.dramBusBytes > 0 ? d.dramBusBytes : bytes) / e.dramBytesPerCycle;
    e.channelFree = channelEnd;
    if (channelEnd > busyEnd) busyEnd = channelEnd;
    if (windowEnd > busyEnd) busyEnd = windowEnd;
    // A stall pauses this direction's stream: the unit and the window both lose that time.
    busyEnd += d.stallCycles;
    e.windowFree[dir] = windowEnd + d.stallCycles;
    e.bytesIn += d.dramReadBytes;
    e.bytesOut += d.dramWriteBytes;
    if (dir === 1 && busyEnd + e.dramLatency > e.lastAck) e.lastAck = busyEnd + e.dramLatency;
    if (e.moveSlots > 0) {
      e.moveFree[moveSlot] = busyEnd + e.dramLatency;
      e.moveHead[dir] = (e.moveHead[dir] + 1) % e.moveSlots;
    }
  }
  const completion = busyEnd + d.latency;
  e.unitFree[u] = busyEnd;
  e.busy[u] += busyEnd - start;
  e.macs += d.macs;
  if (completion > e.maxCompletion) e.maxCompletion = completion;
  if (completion > e.retired[u]) e.retired[u] = completion;
  e.ring[slot] = e.retired[u];
  e.ringHead[u] = e.ringHead[u] + 1 === e.depth[u] ? 0 : e.ringHead[u] + 1;
  recordRows(e, d, completion);
  return issue;
}

/** The host waits until every instruction issued so far has completed. */
export function fence(e: TimingEngine): void {
  const done = e.maxCompletion > e.lastAck ? e.maxCompletion : e.lastAck;
  if (e.unrollerNext > done && e.unrollerNext > e.nextIssue) e.nextIssue = e.unrollerNext;
  if (done > e.nextIssue) e.nextIssue = done;
}

function perUnit(a: Float64Array, at = 0): PerUnit {
  return { load: a[at + Unit.load], execute: a[at + Unit.execute], store: a[at + Unit.store] };
}

/** The totals so far; the engine may keep stepping afterwards. */
export function finish(e: TimingEngine): TimingResult {
  return {
    totalCycles: Math.ceil(e.maxCompletion > e.lastIssue ? e.maxCompletion : e.lastIssue),
    busyCycles: perUnit(e.busy),
    bytesIn: e.bytesIn,
    bytesOut: e.bytesOut,
    macs: e.macs,
    instructions: e.instructions,
    stalls: {
      queue: perUnit(e.stalls, queueStall),
      unit: perUnit(e.stalls, unitStall),
      dependency: perUnit(e.stalls, dependencyStall),
      dram: perUnit(e.stalls, dramStall),
    },
    hostCycles: e.hostBusy,
    generatedInstructions: e.generated,
    requestWindowCycles: { read: e.requestWindow[0], write: e.requestWindow[1] },
    translationStallCycles: e.translationStall,
    unorderedAccesses: e.unorderedAccesses,
  };
}

/** Fraction of peak: macs / (totalCycles × peakMacsPerCycle); 0 for an empty run. */
export function utilization(result: TimingResult, peakMacsPerCycle: number): number {
  const denominator = result.totalCycles * peakMacsPerCycle;
  return denominator > 0 ? result.macs / denominator : 0;
}
