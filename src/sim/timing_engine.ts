/**
 * The event-driven timing engine shared by every target. A target turns each instruction into
 * a `TimingDesc`; the engine turns the stream of descriptors into cycles. It never sees an
 * opcode and knows nothing about any particular accelerator.
 *
 * Model (times in cycles; instructions in program order, never reordered):
 * - Issue. The host issues one instruction per `issueCyclesPerInstruction`. Each unit (load,
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
 * - DRAM. Loads and stores share one channel. An instruction moving b > 0 bytes holds it for
 *   b / dramBytesPerCycle cycles from dramStart = max(start, channelFree); its unit is busy
 *   until busyEnd = max(start + occupancy, channelEnd). Without DRAM bytes, busyEnd = start +
 *   occupancy. In both cases completion = busyEnd + latency.
 * - Fence. The next issue is >= the completion of everything before the fence.
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
}

/** Engine state: plain numbers and typed arrays, mutated by `step` and `fence`. */
export interface TimingEngine {
  readonly issueCost: number;
  readonly dramBytesPerCycle: number;
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
  /** Earliest time the next instruction may issue. */
  nextIssue: number;
  lastIssue: number;
  channelFree: number;
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

/** Derives engine parameters from a validated spec (memories in `Object.keys` order). */
export function timingParamsOf(spec: Spec): TimingParams {
  return {
    issueCyclesPerInstruction: spec.issueCyclesPerInstruction,
    queueDepths: { load: spec.queues.load, execute: spec.queues.execute, store: spec.queues.store },
    dramBytesPerCycle: spec.dram.bytesPerCycle,
    memoryRows: Object.keys(spec.memories).map((name) => rowsOfMemory(spec.memories[name])),
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
  return {
    issueCost,
    dramBytesPerCycle: params.dramBytesPerCycle,
    memoryCount,
    rows,
    rowOffset,
    lastWrite: createRowTimes(totalRows),
    lastRead: createRowTimes(totalRows),
    lastWriteBy: [createRowTimes(totalRows), createRowTimes(totalRows), createRowTimes(totalRows)],
    unitWrites: new Uint8Array(unitCount),
    depth,
    ringOffset,
    ringHead: new Int32Array(unitCount),
    ring: new Float64Array(depth[0] + depth[1] + depth[2]),
    unitFree: new Float64Array(unitCount),
    retired: new Float64Array(unitCount),
    busy: new Float64Array(unitCount),
    stalls: new Float64Array(4 * unitCount),
    nextIssue: 0,
    lastIssue: 0,
    channelFree: 0,
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
}

/** Issues one instruction, in program order, and advances the engine. Allocates nothing. */
export function step(e: TimingEngine, d: TimingDesc): void {
  const u = d.unit;
  const occupancy = d.occupancy;
  const latency = d.latency;
  const bytes = d.dramReadBytes + d.dramWriteBytes;
  if (!(occupancy >= 0 && latency >= 0 && d.dramReadBytes >= 0 && d.dramWriteBytes >= 0)) {
    throw new Error('a timing descriptor has a negative (or NaN) duration or byte count');
  }
  if (u === Unit.none) {
    if (bytes !== 0 || d.macs !== 0 || d.readCount !== 0 || d.writeCount !== 0) {
      throw new Error('a unit-none instruction moves DRAM bytes, does macs or touches rows');
    }
    e.instructions++;
    const at = e.nextIssue;
    e.lastIssue = at;
    e.nextIssue = at + e.issueCost;
    if (at > e.maxCompletion) e.maxCompletion = at;
    return;
  }
  if (!(u >= 0 && u < unitCount)) throw new Error(`unknown unit ${u}`);
  // Checks every range before any state changes.
  const deps = dependencyReady(e, d);
  e.instructions++;

  const slot = e.ringOffset[u] + e.ringHead[u];
  const slotFree = e.ring[slot];
  const issue = slotFree > e.nextIssue ? slotFree : e.nextIssue;
  e.stalls[queueStall + u] += issue - e.nextIssue;
  e.lastIssue = issue;
  e.nextIssue = issue + e.issueCost;

  let unitReady = e.unitFree[u];
  if (d.drainsUnit && e.retired[u] > unitReady) unitReady = e.retired[u];
  const ready = unitReady > issue ? unitReady : issue;
  e.stalls[unitStall + u] += ready - issue;
  const start = deps > ready ? deps : ready;
  e.stalls[dependencyStall + u] += start - ready;

  let busyEnd = start + occupancy;
  if (bytes > 0) {
    const dramStart = e.channelFree > start ? e.channelFree : start;
    e.stalls[dramStall + u] += dramStart - start;
    const channelEnd = dramStart + bytes / e.dramBytesPerCycle;
    e.channelFree = channelEnd;
    if (channelEnd > busyEnd) busyEnd = channelEnd;
    e.bytesIn += d.dramReadBytes;
    e.bytesOut += d.dramWriteBytes;
  }
  const completion = busyEnd + latency;
  e.unitFree[u] = busyEnd;
  e.busy[u] += busyEnd - start;
  e.macs += d.macs;
  if (completion > e.maxCompletion) e.maxCompletion = completion;
  if (completion > e.retired[u]) e.retired[u] = completion;
  e.ring[slot] = e.retired[u];
  e.ringHead[u] = e.ringHead[u] + 1 === e.depth[u] ? 0 : e.ringHead[u] + 1;
  recordRows(e, d, completion);
}

/** The host waits until every instruction issued so far has completed. */
export function fence(e: TimingEngine): void {
  if (e.maxCompletion > e.nextIssue) e.nextIssue = e.maxCompletion;
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
  };
}

/** Fraction of peak: macs / (totalCycles × peakMacsPerCycle); 0 for an empty run. */
export function utilization(result: TimingResult, peakMacsPerCycle: number): number {
  const denominator = result.totalCycles * peakMacsPerCycle;
  return denominator > 0 ? result.macs / denominator : 0;
}
