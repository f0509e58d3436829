import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addRead,
  addUntrackedWrite,
  addWrite,
  createTimingDesc,
  resetTimingDesc,
  Unit,
  type TimingDesc,
} from '../../src/sim/timing_desc.js';
import {
  createRowTimes,
  createTimingEngine,
  fence,
  finish,
  latestRowTime,
  raiseRowTimes,
  slotFree,
  step,
  stepGenerated,
  timingParamsOf,
  utilization,
  type TimingParams,
  type TimingResult,
} from '../../src/sim/timing_engine.js';
import type { Spec } from '../../src/spec/spec.js';

/** Two memories: 0 has 64 rows, 1 has 32. One issue per cycle, DRAM 16 B/cycle. */
const base: TimingParams = {
  issueCyclesPerInstruction: 1,
  queueDepths: { load: 4, execute: 4, store: 4 },
  dramBytesPerCycle: 16,
  memoryRows: [64, 32],
};

type Range = readonly [memory: number, start: number, end: number];

interface Instr {
  unit: Unit;
  occupancy?: number;
  latency?: number;
  readBytes?: number;
  writeBytes?: number;
  macs?: number;
  drains?: boolean;
  reads?: readonly Range[];
  writes?: readonly Range[];
  untracked?: readonly Range[];
}

/** Item of a program: an instruction or a fence. */
type Item = Instr | 'fence';

function fill(d: TimingDesc, i: Instr): TimingDesc {
  resetTimingDesc(d);
  d.unit = i.unit;
  d.occupancy = i.occupancy ?? 0;
  d.latency = i.latency ?? 0;
  d.dramReadBytes = i.readBytes ?? 0;
  d.dramWriteBytes = i.writeBytes ?? 0;
  d.macs = i.macs ?? 0;
  d.drainsUnit = i.drains ?? false;
  for (const [m, s, e] of i.reads ?? []) addRead(d, m, s, e);
  for (const [m, s, e] of i.writes ?? []) addWrite(d, m, s, e);
  for (const [m, s, e] of i.untracked ?? []) addUntrackedWrite(d, m, s, e);
  return d;
}

function run(program: readonly Item[], params: TimingParams = base): TimingResult {
  const engine = createTimingEngine(params);
  const d = createTimingDesc();
  for (const item of program) {
    if (item === 'fence') fence(engine);
    else step(engine, fill(d, item));
  }
  return finish(engine);
}

const load = Unit.load;
const exec = Unit.execute;
const store = Unit.store;

describe('timing engine', () => {
  it('overlaps an independent load with a compute on another unit', () => {
    // load: issue 0, start 0, done 10. compute: issue 1, start 1, done 21. Serial would be 30.
    const r = run([
      { unit: load, occupancy: 10, writes: [[0, 0, 16]] },
      { unit: exec, occupancy: 20, reads: [[0, 16, 32]] },
    ]);
    expect(r.totalCycles).toBe(21);
    expect(r.busyCycles).toEqual({ load: 10, execute: 20, store: 0 });
    expect(r.instructions).toBe(2);
  });

  it('makes a load into rows still being read wait for the reader (WAR)', () => {
    // compute reads rows 0..16, done 20. load writes rows 0..16: issue 1, start 20, done 30.
    const r = run([
      { unit: exec, occupancy: 20, reads: [[0, 0, 16]] },
      { unit: load, occupancy: 10, writes: [[0, 0, 16]] },
    ]);
    expect(r.totalCycles).toBe(30);
    expect(r.stalls.dependency.load).toBe(19);
    // Rows 16..32 are free: load starts at its issue (1), done 11; total is the compute's 20.
    const free = run([
      { unit: exec, occupancy: 20, reads: [[0, 0, 16]] },
      { unit: load, occupancy: 10, writes: [[0, 16, 32]] },
    ]);
    expect(free.totalCycles).toBe(20);
  });

  it('counts accesses that may reach untracked rows before they are written', () => {
    // The load tracks rows 0..16 and writes 16..20 untracked; it completes at 10 + 5 = 15.
    const loadUntracked: Instr = {
      unit: load,
      occupancy: 10,
      latency: 5,
      writes: [[0, 0, 16]],
      untracked: [[0, 16, 20]],
    };
    // A read of rows 16..32 only: nothing holds it back, it starts at 1, before 15.
    const early = run([loadUntracked, { unit: exec, occupancy: 20, reads: [[0, 16, 32]] }]);
    expect(early.unorderedAccesses).toBe(1);
    expect(early.totalCycles).toBe(21);
    // A write there from another unit is as early: the load's rows could land on top of it.
    const overwritten = run([loadUntracked, { unit: exec, occupancy: 4, writes: [[0, 18, 19]] }]);
    expect(overwritten.unorderedAccesses).toBe(1);
    // Reading a tracked row too makes it wait for the whole load; so does a fence; and other rows
    // (and the other memory) are never held.
    const ordered = [
      [loadUntracked, { unit: exec, occupancy: 20, reads: [[0, 15, 32]] }],
      [loadUntracked, 'fence', { unit: exec, occupancy: 20, reads: [[0, 16, 32]] }],
      [
        loadUntracked,
        {
          unit: exec,
          occupancy: 20,
          reads: [
            [0, 20, 40],
            [1, 16, 20],
          ],
        },
      ],
    ] as const satisfies readonly (readonly Item[])[];
    for (const program of ordered) expect(run(program).unorderedAccesses).toBe(0);
  });

  it('orders a read after a write to the same rows (RAW)', () => {
    // load done at 10 + 5 = 15; compute reads row 15: start 15, done 35.
    const r = run([
      { unit: load, occupancy: 10, latency: 5, writes: [[0, 0, 16]] },
      { unit: exec, occupancy: 20, reads: [[0, 15, 16]] },
    ]);
    expect(r.totalCycles).toBe(35);
    expect(r.stalls.dependency.execute).toBe(14);
  });

  it('orders writes to the same rows (WAW), per memory', () => {
    // load done 15; compute writing row 8 of memory 0 starts at 15, done 19.
    const same = run([
      { unit: load, occupancy: 10, latency: 5, writes: [[0, 0, 16]] },
      { unit: exec, occupancy: 4, writes: [[0, 8, 9]] },
    ]);
    expect(same.totalCycles).toBe(19);
    // Row 8 of memory 1 is a different row: compute starts at issue 1, done 5; total 15.
    const other = run([
      { unit: load, occupancy: 10, latency: 5, writes: [[0, 0, 16]] },
      { unit: exec, occupancy: 4, writes: [[1, 8, 9]] },
    ]);
    expect(other.totalCycles).toBe(15);
  });

  it('stalls issue when a queue is full (depth 1 vs 4)', () => {
    const program: Item[] = [
      { unit: exec, occupancy: 10 },
      { unit: exec, occupancy: 10 },
      { unit: exec, occupancy: 10 },
      { unit: exec, occupancy: 10 },
      { unit: load, occupancy: 50 },
    ];
    // Depth 4: computes issue 0..3, run 0-40; the load issues at 4, done 54.
    const deep = run(program);
    expect(deep.totalCycles).toBe(54);
    expect(deep.stalls.queue.execute).toBe(0);
    // Depth 1: compute k issues when compute k-1 completes: 0, 10, 20, 30; the load issues at 31
    // and is done at 81. Queue stalls: (10-1) + (20-11) + (30-21) = 27.
    const shallow = run(program, { ...base, queueDepths: { load: 4, execute: 1, store: 4 } });
    expect(shallow.totalCycles).toBe(81);
    expect(shallow.stalls.queue.execute).toBe(27);
  });

  it('drainsUnit waits for everything earlier on the unit to complete', () => {
    // First: busy 0-10, done 40. Second without drain: start 10, done 20 + 30 = 50.
    const first: Instr = { unit: exec, occupancy: 10, latency: 30 };
    const plain = run([first, { unit: exec, occupancy: 10, latency: 30 }]);
    expect(plain.totalCycles).toBe(50);
    expect(plain.stalls.unit.execute).toBe(9);
    // With drain: start 40, done 80.
    const drained = run([first, { unit: exec, occupancy: 10, latency: 30, drains: true }]);
    expect(drained.totalCycles).toBe(80);
    expect(drained.stalls.unit.execute).toBe(39);
  });

  it('a fence holds the next issue until everything earlier completes', () => {
    const a: Instr = { unit: load, occupancy: 10, latency: 5 };
    const b: Instr = { unit: exec, occupancy: 4 };
    // Without: b issues at 1, done 5; total 15. With: b issues at 15, done 19.
    expect(run([a, b]).totalCycles).toBe(15);
    expect(run([a, 'fence', b]).totalCycles).toBe(19);
  });

  it('shares one DRAM channel between loads and stores', () => {
    // 256 B at 16 B/cycle = 16 cycles each. Load: channel 0-16. Store: issue 1, start 1,
    // channel 16-32, busy 1-32.
    const r = run([
      { unit: load, occupancy: 1, readBytes: 256 },
      { unit: store, occupancy: 1, writeBytes: 256 },
    ]);
    expect(r.totalCycles).toBe(32);
    expect(r.stalls.dram.store).toBe(15);
    expect(r.busyCycles).toEqual({ load: 16, execute: 0, store: 31 });
    expect(r.bytesIn).toBe(256);
    expect(r.bytesOut).toBe(256);
    // Occupancy longer than the transfer dominates: busy 0-40.
    expect(run([{ unit: load, occupancy: 40, readBytes: 256 }]).totalCycles).toBe(40);
  });

  it('adds latency after the busy span, visible to dependants', () => {
    // Load: busy 0-4, done 84. Compute reading its rows: start 84, done 100.
    const r = run([
      { unit: load, occupancy: 4, latency: 80, writes: [[0, 0, 16]] },
      { unit: exec, occupancy: 16, reads: [[0, 0, 16]] },
    ]);
    expect(r.totalCycles).toBe(100);
    expect(r.busyCycles.load).toBe(4);
  });

  it('unit-none instructions only take issue slots', () => {
    // Three configurations at 0, 1, 2; the compute issues at 3, done 7.
    const none: Instr = { unit: Unit.none };
    const r = run([none, none, none, { unit: exec, occupancy: 4 }]);
    expect(r.totalCycles).toBe(7);
    expect(r.instructions).toBe(4);
    expect(run([none, none]).totalCycles).toBe(1);
    expect(() => run([{ unit: Unit.none, readBytes: 16 }])).toThrow(Error);
  });

  it('keeps a compute-bound stream near peak', () => {
    // 1000 computes of 16 cycles × 256 MAC/cycle, latency 39, rotating over 4 accumulator tiles
    // and 4 input buffers. Compute k starts at 16k (WAW on its tile waits for k-4, done at
    // 16(k-4) + 55 < 16k), so the total is 16·1000 + 39 = 16039 and utilization 16000/16039.
    const program: Item[] = [];
    for (let k = 0; k < 1000; k++) {
      const t = (k % 4) * 8;
      const b = (k % 4) * 16;
      program.push({
        unit: exec,
        occupancy: 16,
        latency: 39,
        macs: 16 * 256,
        reads: [
          [0, b, b + 16],
          [1, t, t + 8],
        ],
        writes: [[1, t, t + 8]],
      });
    }
    const deep = { ...base, queueDepths: { load: 8, execute: 16, store: 4 } };
    const r = run(program, deep);
    expect(r.totalCycles).toBe(16039);
    expect(r.macs).toBe(1000 * 16 * 256);
    expect(utilization(r, 256)).toBeCloseTo(16000 / 16039, 12);
    expect(utilization(r, 256)).toBeGreaterThanOrEqual(0.9);
    // With a one-entry queue, each compute issues after the previous completes: 55 cycles each.
    const shallow = { ...base, queueDepths: { load: 8, execute: 1, store: 4 } };
    expect(run(program, shallow).totalCycles).toBe(55 * 1000);
  });

  it('throws on malformed parameters', () => {
    expect(() => createTimingEngine({ ...base, dramBytesPerCycle: 0 })).toThrow(Error);
    const noQueue = { ...base, queueDepths: { load: 0, execute: 1, store: 1 } };
    expect(() => createTimingEngine(noQueue)).toThrow(Error);
    expect(() => createTimingEngine({ ...base, memoryRows: [1.5] })).toThrow(Error);
  });

  it('throws on a range outside the local memories', () => {
    expect(() => run([{ unit: load, occupancy: 1, writes: [[0, 60, 65]] }])).toThrow(Error);
    expect(() => run([{ unit: exec, occupancy: 1, reads: [[2, 0, 1]] }])).toThrow(/memory 2/);
    expect(() => run([{ unit: exec, occupancy: 1, reads: [[1, -1, 1]] }])).toThrow(Error);
    expect(run([{ unit: exec, occupancy: 1, reads: [[1, 0, 32]] }]).totalCycles).toBe(1);
  });

  it('derives its parameters from a spec', () => {
    const memory = {
      rowBytes: 16,
      banks: 4,
      elementType: 'int8',
      parent: 'dram',
      doubleBuffer: true,
    } as const;
    const spec: Spec = {
      name: 'toy',
      isa: 'toy',
      description: 'a toy accelerator',
      clockHz: 1e9,
      array: {
        rows: 16,
        cols: 16,
        dataflows: ['weight-stationary'],
        inputType: 'int8',
        weightType: 'int8',
        accType: 'int32',
        outputType: 'int8',
        partialSumBits: 32,
        pipelineLatencyCycles: 39,
      },
      memories: {
        scratch: { ...memory, capacityBytes: 1024, holds: ['input', 'weight'] },
        acc: { ...memory, capacityBytes: 256, rowBytes: 64, banks: 1, holds: ['output'] },
      },
      dram: { bytesPerCycle: 16, latencyCycles: 80, maxTransferBytes: 64, alignmentBytes: 16 },
      issueCyclesPerInstruction: 2,
      queues: { load: 8, execute: 16, store: 4 },
      requantization: { scale: 'float32', perChannel: false, activations: ['none'] },
    };
    expect(timingParamsOf(spec)).toEqual({
      issueCyclesPerInstruction: 2,
      queueDepths: { load: 8, execute: 16, store: 4 },
      dramBytesPerCycle: 16,
      memoryRows: [64, 4],
      dramLatency: 80,
      requestsInFlight: Infinity,
      commandsInFlight: Infinity,
    });
  });

  it('limits outstanding requests per direction: r requests take r × latency / inFlight', () => {
    const e = createTimingEngine({ ...base, dramLatency: 100, requestsInFlight: 4 });
    const d = createTimingDesc();
    // 8 reads of 16 bytes: the window (8 × 25 = 200) outlasts the channel (128 / 16 = 8).
    resetTimingDesc(d);
    d.unit = Unit.load;
    d.occupancy = 1;
    d.dramReadBytes = 128;
    d.dramRequests = 8;
    step(e, d);
    // A write does not wait for the read window.
    resetTimingDesc(d);
    d.unit = Unit.store;
    d.occupancy = 1;
    d.dramWriteBytes = 16;
    d.dramRequests = 1;
    step(e, d);
    const r = finish(e);
    expect(r.busyCycles.load).toBe(200);
    // The store issues at 1; its channel waits for the load's 8 cycles; its window ends at 1 + 25.
    expect(r.busyCycles.store).toBe(25);
    // The windows' totals, per direction: 8 × 25 and 1 × 25.
    expect(r.requestWindowCycles).toEqual({ read: 200, write: 25 });
    expect(r.translationStallCycles).toBe(0);
  });

  it("host cycles delay the host's next issue by that much; stall cycles add to a transfer", () => {
    const e = createTimingEngine({ ...base, dramLatency: 16, requestsInFlight: 16 });
    const d = createTimingDesc();
    resetTimingDesc(d);
    d.hostCycles = 100;
    step(e, d);
    expect(e.lastIssue).toBe(100);
    resetTimingDesc(d);
    d.unit = Unit.load;
    d.occupancy = 1;
    d.dramReadBytes = 16;
    d.dramRequests = 1;
    d.stallCycles = 30;
    step(e, d);
    // Issued at 101; window 101..102, channel 101..102, then 30 cycles of stall.
    const r = finish(e);
    expect(r.busyCycles.load).toBe(1 + 30);
    expect(r.translationStallCycles).toBe(30);
    // The host: 100 cycles of its own work, then one issue cycle per instruction (2).
    expect(r.hostCycles).toBe(102);
  });

  it('commandsInFlight: a move waits until the move that many places earlier has its data back', () => {
    const run = (commandsInFlight: number) => {
      const e = createTimingEngine({
        ...base,
        dramLatency: 100,
        requestsInFlight: 16,
        commandsInFlight,
      });
      const d = createTimingDesc();
      // One store, then four loads: the loads do not wait for the store's slot.
      for (const unit of [Unit.store, Unit.load, Unit.load, Unit.load, Unit.load]) {
        resetTimingDesc(d);
        d.unit = unit;
        d.occupancy = 1;
        if (unit === Unit.store) d.dramWriteBytes = 16;
        else d.dramReadBytes = 16;
        d.dramRequests = 1;
        step(e, d);
      }
      return e.unitFree[Unit.load];
    };
    // A request holds its window 100 / 16 = 6.25 cycles and its data is back 100 cycles after the
    // move's busy end. Loads start at 1 and 7.25; with 2 slots load 2 waits for load 0's data
    // (7.25 + 100) and load 3 for load 1's (13.5 + 100): the last busy end is 113.5 + 6.25.
    expect(run(2)).toBe(119.75);
    // Without the limit the four loads stream back to back.
    expect(run(Infinity)).toBe(1 + 4 * 6.25);
  });

  it('a fence waits for every write to be acknowledged', () => {
    const e = createTimingEngine({ ...base, dramLatency: 50 });
    const d = createTimingDesc();
    resetTimingDesc(d);
    d.unit = Unit.store;
    d.occupancy = 1;
    d.dramWriteBytes = 16;
    d.dramRequests = 1;
    step(e, d);
    fence(e);
    resetTimingDesc(d);
    step(e, d);
    // The store's busy end is 1 (16 bytes at 16 per cycle); acknowledged at 51.
    expect(e.lastIssue).toBe(51);
  });

  it('generated instructions issue one a cycle without moving the host; the host then waits', () => {
    const e = createTimingEngine({ ...base, issueCyclesPerInstruction: 10 });
    const d = createTimingDesc();
    for (let i = 0; i < 3; i++) {
      resetTimingDesc(d);
      d.unit = Unit.execute;
      d.occupancy = 1;
      stepGenerated(e, d, 5);
    }
    expect(e.lastIssue).toBe(7);
    expect(e.nextIssue).toBe(0);
    resetTimingDesc(d);
    d.unit = Unit.load;
    d.occupancy = 1;
    step(e, d);
    expect(e.lastIssue).toBe(8);
    expect(slotFree(e, Unit.execute)).toBe(0);
    // Only the host's instruction costs the host; all four count as instructions.
    const r = finish(e);
    expect(r.hostCycles).toBe(10);
    expect(r.generatedInstructions).toBe(3);
    expect(r.instructions).toBe(4);
  });
});

const rangeArb = fc
  .tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 31 }), fc.nat(12))
  .map(([m, s, n]): Range => [m, s, Math.min(s + n, 32)]);

const instrArb: fc.Arbitrary<Item> = fc.oneof(
  { weight: 1, arbitrary: fc.constant('fence' as const) },
  { weight: 1, arbitrary: fc.constant<Instr>({ unit: Unit.none }) },
  {
    weight: 12,
    arbitrary: fc.record({
      unit: fc.constantFrom<Unit>(load, exec, store),
      occupancy: fc.integer({ min: 0, max: 20 }),
      latency: fc.integer({ min: 0, max: 50 }),
      readBytes: fc.constantFrom(0, 0, 64, 256, 1000),
      writeBytes: fc.constantFrom(0, 0, 64, 256),
      drains: fc.boolean(),
      reads: fc.array(rangeArb, { maxLength: 3 }),
      writes: fc.array(rangeArb, { maxLength: 2 }),
    }),
  },
);

const paramsArb = fc.record({
  issueCyclesPerInstruction: fc.constantFrom(0, 1, 2.5),
  queueDepths: fc.record({
    load: fc.integer({ min: 1, max: 4 }),
    execute: fc.integer({ min: 1, max: 4 }),
    store: fc.integer({ min: 1, max: 4 }),
  }),
  dramBytesPerCycle: fc.constantFrom(3, 16, 64),
  memoryRows: fc.constant([64, 32]),
});

describe('timing engine properties', () => {
  it('keeps row times in blocks exactly like one time per row', () => {
    // 48 rows = 3 blocks of 16; ranges start and end anywhere, so whole and partial blocks mix.
    const span = fc
      .tuple(fc.integer({ min: 0, max: 48 }), fc.integer({ min: 0, max: 48 }))
      .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
    const op = fc.record({ raise: fc.boolean(), span, time: fc.integer({ min: 0, max: 1000 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const t = createRowTimes(48);
        const naive = new Float64Array(48);
        for (const {
          raise,
          span: [s, e],
          time,
        } of ops) {
          if (raise) {
            raiseRowTimes(t, s, e, time);
            for (let r = s; r < e; r++) naive[r] = Math.max(naive[r], time);
          } else {
            let want = time;
            for (let r = s; r < e; r++) want = Math.max(want, naive[r]);
            expect(latestRowTime(t, s, e, time)).toBe(want);
          }
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('never gets faster with less bandwidth or longer occupancy; bounds each unit', () => {
    fc.assert(
      fc.property(
        paramsArb,
        fc.array(instrArb, { maxLength: 40 }),
        fc.nat(),
        fc.integer({ min: 1, max: 30 }),
        (params, program, pick, extra) => {
          const r = run(program, params);
          const slow = run(program, { ...params, dramBytesPerCycle: params.dramBytesPerCycle / 2 });
          expect(slow.totalCycles).toBeGreaterThanOrEqual(r.totalCycles);
          for (const busy of [r.busyCycles.load, r.busyCycles.execute, r.busyCycles.store]) {
            expect(r.totalCycles).toBeGreaterThanOrEqual(busy);
          }
          if (program.length === 0) return;
          const k = pick % program.length;
          const item = program[k];
          if (item === 'fence' || item.unit === Unit.none) return;
          const longer = program.slice();
          longer[k] = { ...item, occupancy: (item.occupancy ?? 0) + extra };
          expect(run(longer, params).totalCycles).toBeGreaterThanOrEqual(r.totalCycles);
          const later = program.slice();
          later[k] = { ...item, latency: (item.latency ?? 0) + extra };
          expect(run(later, params).totalCycles).toBeGreaterThanOrEqual(r.totalCycles);
        },
      ),
      { numRuns: 500, seed: 20240611 },
    );
  });
});
