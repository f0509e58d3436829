import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bindingFraction,
  limitingFactor,
  limitKinds,
  refetchFactor,
} from '../../src/report/limits.js';
import { layerRoofline } from '../../src/report/roofline.js';
import type { LayerReport } from '../../src/results/layer_report.js';
import { noResidency } from '../../src/mapping/mapping.js';
import type { Spec } from '../../src/spec/spec.js';
import { targetByName } from '../../src/targets/index.js';
import { gemmWorkload } from '../fixtures/workloads.js';

const spec: Spec = targetByName('gemmini').spec;
const peak = spec.array.rows * spec.array.cols;
const bw = spec.dram.bytesPerCycle;

// GEMM 256×256×256 with bias: 16,777,216 MACs (65,536 cycles at 256 MACs/cycle); minimal traffic
// 3 × 65,536 int8 bytes + 256 × 4 bias bytes = 197,632 bytes (12,352 cycles at 16 B/cycle).
const workload = gemmWorkload(256, 256, 256);
const macs = 256 * 256 * 256;
const minimalBytes = 3 * 65536 + 256 * 4;

/** A LayerReport with the numbers a case needs; the rest as a plain mapping would give them. */
function layer(fields: {
  cycles: number;
  busy?: Partial<LayerReport['busyCycles']>;
  read?: number;
  write?: number;
  instructions?: number;
  occupancy?: LayerReport['occupancy'];
  host?: number;
  generated?: number;
  window?: { read: number; write: number };
  translation?: number;
}): LayerReport {
  const cycles = fields.cycles;
  return {
    workload,
    target: spec.name,
    scheduler: 'baseline',
    mappingSource: 'scheduler',
    overflowRisk: false,
    mapping: {
      dataflow: 'weight-stationary',
      spatial: { rows: 'K', cols: 'N' },
      tile: { M: 64, N: 64, K: 64 },
      order: ['M', 'N', 'K'],
      resident: noResidency,
      doubleBuffer: { input: true, weight: true, output: false },
    },
    trips: { M: 4, N: 4, K: 4 },
    predictedCycles: cycles,
    simulatedCycles: cycles,
    seconds: cycles / spec.clockHz,
    utilization: macs / (peak * cycles),
    rooflineCycles: Math.ceil(Math.max(macs / peak, minimalBytes / bw)),
    macs,
    instructions: fields.instructions ?? 1000,
    dramBytes: { read: fields.read ?? minimalBytes - 65536, write: fields.write ?? 65536 },
    busyCycles: { load: 0, execute: 0, store: 0, ...fields.busy },
    occupancy: fields.occupancy ?? {
      scratchpad: { bytes: 32768, fraction: 0.125 },
      accumulator: { bytes: 16384, fraction: 0.25 },
    },
    ...(fields.host === undefined ? {} : { hostCycles: fields.host }),
    ...(fields.generated === undefined ? {} : { generatedInstructions: fields.generated }),
    ...(fields.window === undefined ? {} : { requestWindowCycles: fields.window }),
    ...(fields.translation === undefined ? {} : { translationStallCycles: fields.translation }),
    solveSeconds: 0,
    mappingsTried: 1,
    searchComplete: true,
    limitHit: null,
    fallback: null,
  };
}

describe('layerRoofline', () => {
  it('splits the roofline bound into its compute and bandwidth parts', () => {
    const r = layerRoofline(layer({ cycles: 80000 }), spec);
    expect(r.computeCycles).toBe(65536);
    expect(r.bandwidthCycles).toBe(12352);
    expect(r.bound).toBe('compute');
    expect(r.minimalBytes).toBe(minimalBytes);
    expect(r.movedBytes).toBe(minimalBytes);
    expect(r.intensity).toBeCloseTo(macs / minimalBytes, 12);
    expect(r.achievedMacsPerCycle).toBeCloseTo(macs / 80000, 12);
  });

  it('a GEMM with one row is bandwidth-bound', () => {
    const w = gemmWorkload(1, 1000, 512);
    const r = layerRoofline({ ...layer({ cycles: 40000 }), workload: w, macs: 512000 }, spec);
    expect(r.computeCycles).toBe(2000);
    // 512 + 512,000 + 1,000 int8 bytes + 4,000 bias bytes.
    expect(r.bandwidthCycles).toBe(517512 / bw);
    expect(r.bound).toBe('dram-bandwidth');
  });
});

describe('limitingFactor', () => {
  it('compute: the array busy for most cycles, with the useful share of its MAC slots', () => {
    const l = layer({ cycles: 70000, busy: { execute: 66500, load: 14000, store: 4000 } });
    const f = limitingFactor(l, spec);
    expect(f.kind).toBe('compute');
    expect(f.explanation).toContain('16×16 array is busy for 95.0% of the layer');
    expect(f.explanation).toContain('70,000 cycles');
    expect(f.explanation).toContain('16,777,216 MACs');
    // utilization 65,536 / 70,000 = 93.6%; while busy, 65,536 / 66,500 = 98.6% of slots.
    expect(f.explanation).toContain('93.6% utilization');
    expect(f.explanation).toContain('98.6% of its MAC slots');
  });

  it('compute with a poorly used array: busy, but few MAC slots useful', () => {
    const l = layer({ cycles: 1_000_000, busy: { execute: 900_000 } });
    const f = limitingFactor(l, spec);
    expect(f.kind).toBe('compute');
    // utilization 6.6%, busy 90%: 7.3% of the slots do useful work.
    expect(f.explanation).toContain('7.3% of its MAC slots');
  });

  it('dram-bandwidth: the channel busy for most cycles at the minimal traffic', () => {
    // 197,632 bytes at 16 B/cycle = 12,352 channel cycles of 13,000.
    const l = layer({ cycles: 13000, busy: { execute: 8000, load: 12000, store: 4000 } });
    const f = limitingFactor(l, spec);
    expect(f.kind).toBe('dram-bandwidth');
    expect(f.explanation).toContain('DRAM channel (16 B/cycle) is busy 95.0%');
    expect(f.explanation).toContain('1.00× the minimal traffic');
    expect(f.explanation).not.toContain('bandwidth-bound too');
  });

  it('dram-bandwidth with re-fetching and room to spare: larger tiles would help', () => {
    const read = 3 * minimalBytes;
    const l = layer({ cycles: 40000, read, write: 0, busy: { load: 39000, execute: 20000 } });
    const f = limitingFactor(l, spec);
    expect(read / minimalBytes).toBeGreaterThanOrEqual(refetchFactor);
    expect(f.kind).toBe('dram-bandwidth');
    expect(f.explanation).toContain('3.00× the minimal traffic');
    expect(f.explanation).toContain('(accumulator) only 25.0% used');
    expect(f.explanation).toContain('larger tiles would cut it');
  });

  it('memory-capacity: re-fetching while a memory is full', () => {
    const read = 3 * minimalBytes;
    const l = layer({
      cycles: 40000,
      read,
      write: 0,
      busy: { load: 39000, execute: 20000 },
      occupancy: {
        scratchpad: { bytes: 235930, fraction: 0.9 },
        accumulator: { bytes: 16384, fraction: 0.25 },
      },
    });
    const f = limitingFactor(l, spec);
    expect(f.kind).toBe('memory-capacity');
    expect(f.explanation).toContain('scratchpad 90.0% full');
    expect(f.explanation).toContain('3.00× the minimal');
    // 592,896 bytes at 16 B/cycle: 37,056 cycles of 40,000.
    expect(f.explanation).toContain('busy 92.6%');
  });

  it('dram-bandwidth through a data-movement unit slower than the channel', () => {
    const l = layer({ cycles: 50000, busy: { load: 48000, execute: 20000 } });
    const f = limitingFactor(l, spec);
    expect(f.kind).toBe('dram-bandwidth');
    expect(f.explanation).toContain('the load unit is busy 96.0%');
    expect(f.explanation).toContain('the DRAM channel alone would move in 12,352 cycles');
  });

  it('says when the roofline itself is bandwidth-bound', () => {
    const w = gemmWorkload(1, 1000, 512);
    const bytes = 517512;
    const l = {
      ...layer({ cycles: 34000, read: bytes - 1000, write: 1000, busy: { load: 33000 } }),
      workload: w,
      macs: 512000,
      utilization: 512000 / (peak * 34000),
    };
    const f = limitingFactor(l, spec);
    expect(f.kind).toBe('dram-bandwidth');
    expect(f.explanation).toContain('minimal traffic needs 32,345 cycles against 2,000');
  });

  it('a traffic limit says when the roofline (minimal traffic) is compute-bound', () => {
    const f = limitingFactor(layer({ cycles: 50000, busy: { load: 48000, execute: 20000 } }), spec);
    expect(f.kind).toBe('dram-bandwidth');
    expect(f.explanation).toMatch(
      / With only the minimal traffic the roofline is compute-bound \(65,536 cycles for the MACs against 12,352 for the minimal traffic\): the traffic of this schedule is what limits it\.$/,
    );
    const w = gemmWorkload(1, 1000, 512);
    const bound = limitingFactor(
      { ...layer({ cycles: 34000, busy: { load: 33000 } }), workload: w, macs: 512000 },
      spec,
    );
    expect(bound.explanation).not.toContain('compute-bound');
  });

  it('a busy array whose roofline is bandwidth-bound is busy with padding', () => {
    const w = gemmWorkload(1, 1000, 512);
    const l = {
      ...layer({ cycles: 40000, busy: { execute: 38000, load: 20000 } }),
      workload: w,
      macs: 512000,
      utilization: 512000 / (peak * 40000),
    };
    const f = limitingFactor(l, spec);
    expect(f.kind).toBe('compute');
    expect(f.explanation).toMatch(
      / The roofline is bandwidth-bound \(2,000 cycles for the MACs against 32,345 for the minimal traffic\): the array is busy mostly with padding, not with the layer's MACs\.$/,
    );
  });

  it('instruction-issue: issuing takes most of the cycles', () => {
    // 9,000 instructions × 2 cycles = 18,000 of 20,000 cycles.
    const l = layer({ cycles: 20000, instructions: 9000, busy: { execute: 12000, load: 12000 } });
    const f = limitingFactor(l, { ...spec, issueCyclesPerInstruction: 2 });
    expect(f.kind).toBe('instruction-issue');
    expect(f.explanation).toContain('The host spends 18,000 cycles issuing 9,000 instructions');
    expect(f.explanation).toContain('90.0%');
  });

  it("instruction-issue from the host's counted cycles, with the unroller's instructions named", () => {
    // 300 host instructions whose issue (and per-tile work) took 16,000 of 20,000 cycles.
    const l = layer({
      cycles: 20000,
      instructions: 300,
      host: 16000,
      generated: 7000,
      busy: { execute: 12000, load: 12000 },
    });
    const f = limitingFactor(l, spec);
    expect(f.kind).toBe('instruction-issue');
    expect(f.explanation).toBe(
      'The host spends 16,000 cycles issuing 300 instructions (2 cycles each, plus its work per ' +
        "tile), 80.0% of the layer's 20,000 cycles; the loop unroller generated 7,000 more.",
    );
  });

  it('address-translation: the moving unit stalls on TLB misses for a third of its time or more', () => {
    const l = layer({ cycles: 100000, busy: { load: 90000, execute: 40000 }, translation: 30000 });
    const f = limitingFactor(l, spec);
    expect(f.kind).toBe('address-translation');
    expect(f.explanation).toContain(
      "stall 30,000 cycles on address translation (30.0% of the layer's 100,000 cycles, 33.3% of the load unit's busy time)",
    );
    // Just under a third: the same layer is bounded by its data movement instead.
    const g = limitingFactor({ ...l, translationStallCycles: 29999 }, spec);
    expect(g.kind).not.toBe('address-translation');
  });

  it('dram-requests: the request window outlasts the bytes on the channel', () => {
    // 131,072 bytes read and written: 8,192 channel cycles; the write window 50,000 cycles.
    const l = layer({
      cycles: 60000,
      read: 65536,
      write: 65536,
      busy: { store: 55000, load: 9000, execute: 20000 },
      window: { read: 4000, write: 50000 },
    });
    const f = limitingFactor(l, spec);
    expect(f.kind).toBe('dram-requests');
    expect(f.explanation).toContain(
      `the store stream's bus requests, ${spec.dram.requestsInFlight} in flight with ${spec.dram.latencyCycles} cycles of latency each, take 50,000 cycles (83.3% of the layer's 60,000 cycles), more than the 8,192 the channel needs`,
    );
    // A window shorter than the channel's time: bandwidth, not requests.
    const g = limitingFactor({ ...l, requestWindowCycles: { read: 4000, write: 8000 } }, spec);
    expect(g.kind).toBe('dram-bandwidth');
  });

  it('latency: nothing is busy for most of the time', () => {
    const l = layer({
      cycles: 100000,
      instructions: 1000,
      busy: { execute: 66000, load: 30000, store: 5000 },
    });
    const f = limitingFactor(l, spec);
    expect(f.kind).toBe('latency');
    expect(f.explanation).toContain('the array 66.0%');
    expect(f.explanation).toContain(`DRAM latency ${spec.dram.latencyCycles} cycles`);
  });

  it('any numbers: a known kind and one finite sentence', () => {
    const count = fc.integer({ min: 0, max: 1e7 });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e7 }),
        count,
        count,
        count,
        count,
        count,
        fc.float({ min: 0, max: 2, noNaN: true }),
        (cycles, execute, load, store, read, instructions, full) => {
          const f = limitingFactor(
            layer({
              cycles,
              busy: { execute, load, store },
              read,
              instructions,
              occupancy: { scratchpad: { bytes: 0, fraction: full } },
            }),
            spec,
          );
          expect(limitKinds).toContain(f.kind);
          expect(f.explanation).toMatch(/^[A-Z].*\.$/);
          expect(f.explanation).not.toMatch(/NaN|Infinity|undefined/);
          const busiest = Math.max(execute, load, store, instructions * 2) / cycles;
          if (f.kind === 'latency') expect(busiest).toBeLessThan(bindingFraction);
        },
      ),
    );
  });
});
