import { estimateCost, rooflineCycles } from '../schedule/cost.js';
import type { ScheduleResult } from '../schedule/scheduler.js';
import { occupancy as memoryUse } from '../schedule/occupancy.js';
import { tileSchedule } from '../mapping/tile_schedule.js';
import { assertValidMapping } from '../schedule/validate.js';
import type { AnyTarget } from '../contract/target.js';
import { loopNest, macs as macsOf, minimalTraffic, totalBytes } from '../workload/shape.js';
import type { Workload } from '../workload/workload.js';
import {
  referenceOutput,
  verifyData,
  verifyDataKinds,
  type LayerData,
  type VerifyDataKind,
} from '../runtime/layer_data.js';
import type { LayerReport, MappingSource } from '../results/layer_report.js';
import { runLayer } from '../runtime/run_layer.js';
import { InputError, InternalError } from '../errors.js';
import { partialSumOverflow } from '../schedule/partial_sums.js';

/**
 * Validates a scheduler's (or the user's) mapping, simulates it (with `verify` functionally, on each
 * kind of data in `data`: seeded random and worst case by default, comparing every output with the
 * integer reference; timing only otherwise) and gathers the numbers.
 */
export function layerReport(
  w: Workload,
  target: AnyTarget,
  result: ScheduleResult,
  options: {
    readonly verify: boolean;
    readonly seed: number;
    readonly data?: readonly VerifyDataKind[];
    readonly mappingSource?: MappingSource;
  },
): LayerReport {
  const source = options.mappingSource;
  if (!options.verify) return simulateLayer(w, target, result, null, 1, source).report;
  const requant = target.spec.requantization.scale;
  const runs = (options.data ?? verifyDataKinds).map((kind) => ({
    kind,
    report: simulateLayer(w, target, result, verifyData(w, kind, options.seed, requant), 1, source)
      .report,
  }));
  const checks = runs.map((r) => ({ data: r.kind, mismatches: r.report.mismatches ?? 0 }));
  const mismatches = checks.reduce((n, c) => n + c.mismatches, 0);
  return { ...runs[0].report, verified: mismatches === 0, mismatches, checks };
}

/**
 * Validates a scheduler's mapping and simulates it on the given data (functionally, comparing every
 * output with the integer reference) or timing only (null): the report and the output read back.
 */
export function simulateLayer(
  w: Workload,
  target: AnyTarget,
  result: ScheduleResult,
  data: LayerData | null,
  timingScale = 1,
  mappingSource: MappingSource = 'scheduler',
): { readonly report: LayerReport; readonly output: Int8Array | null } {
  const spec = target.spec;
  const m = result.mapping;
  // The baseline scheduler's own mapping reproduces the vendor library, overflow risk included.
  const vendorTiling = result.scheduler === 'baseline' && mappingSource === 'scheduler';
  assertValidMapping(w, m, target, vendorTiling);
  const run = runLayer(target, w, m, data, timingScale);
  const unordered = run.result.unorderedAccesses;
  if (unordered > 0) {
    // The simulation runs in program order and is right; the hardware would not order these.
    const message =
      `mapping for ${w.name} on ${spec.name}: its program has ${unordered} local-memory ` +
      'accesses the hardware leaves unordered (rows an earlier instruction writes without ' +
      'dependency tracking, touched before they are written)';
    if (mappingSource === 'scheduler')
      throw new InternalError(`${result.scheduler} chose a ${message}`);
    throw new InputError(`${message}; choose other tiles or leave foldKernelColumns out`);
  }
  let mismatches: number | undefined;
  if (data !== null && run.output !== null) {
    const want = referenceOutput(w, data);
    mismatches = 0;
    for (let i = 0; i < want.length; i++) if (want[i] !== run.output[i]) mismatches++;
  }
  const occupancy = Object.fromEntries(
    memoryUse(target.footprint(w, m), m, spec).map((u) => [
      u.memory,
      { bytes: u.bytes, fraction: u.fraction },
    ]),
  );
  const macs = macsOf(w);
  const s = tileSchedule(loopNest(w), m);
  const checks = vendorTiling ? target.baselineSearchChecks?.(w) : undefined;
  const search =
    checks === undefined || spec.hostCyclesPerTilingCheck === undefined
      ? {}
      : { librarySearchCycles: checks * spec.hostCyclesPerTilingCheck };
  const report: LayerReport = {
    workload: w,
    target: spec.name,
    scheduler: result.scheduler,
    mappingSource,
    mapping: m,
    trips: s.trips as Record<string, number>,
    predictedCycles: estimateCost(w, m, spec).cycles,
    simulatedCycles: run.result.totalCycles,
    seconds: run.result.totalCycles / spec.clockHz,
    // The workload's own MACs: the array's padded work (a depthwise conv fills one column of it)
    // is not useful work.
    utilization: macs / (run.result.totalCycles * spec.array.rows * spec.array.cols),
    rooflineCycles: rooflineCycles(spec, macs, totalBytes(minimalTraffic(w))),
    macs,
    instructions: run.instructions,
    dramBytes: { read: run.result.bytesIn, write: run.result.bytesOut },
    busyCycles: run.result.busyCycles,
    hostCycles: run.result.hostCycles,
    generatedInstructions: run.result.generatedInstructions,
    requestWindowCycles: run.result.requestWindowCycles,
    translationStallCycles: run.result.translationStallCycles,
    ...search,
    occupancy,
    solveSeconds: result.solveSeconds,
    mappingsTried: result.mappingsTried,
    searchComplete: result.complete,
    limitHit: result.limitHit,
    fallback: result.fallback,
    overflowRisk: partialSumOverflow(w, m, spec) !== null,
    ...(mismatches === undefined ? {} : { verified: mismatches === 0, mismatches }),
  };
  return { report, output: run.output };
}
