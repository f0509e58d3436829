import type { LayerReport } from '../results/layer_report.js';
import type { Spec } from '../spec/spec.js';
import { formatBytes, formatCount, formatPercent, formatRatio } from './format.js';
import { layerRoofline } from './roofline.js';

/**
 * What limits a simulated layer, from its numbers: each resource gives a lower bound on the layer's
 * cycles (the array's busy time, the DRAM channel's transfer time and the data-movement units' busy
 * time, the host's issue time). The largest, when it covers most of the layer's cycles, is the limit;
 * when none does, the units mostly wait on each other: latency. Data movement is then told apart in
 * the timing model's terms (src/sim/timing_engine.ts): a stream stalled on address translation, a
 * stream whose bus requests outrun the requests the DMA keeps in flight, or the channel's bandwidth
 * (with tiles too small to avoid re-fetching: memory capacity).
 */

export const limitKinds = [
  'compute',
  'dram-bandwidth',
  'memory-capacity',
  'instruction-issue',
  'dram-requests',
  'address-translation',
  'latency',
] as const;
export type LimitKind = (typeof limitKinds)[number];

export interface LimitingFactor {
  readonly kind: LimitKind;
  /** One sentence, with the numbers that decided it. */
  readonly explanation: string;
}

/** A resource busy for at least this fraction of a layer's cycles is what bounds the layer. */
export const bindingFraction = 0.75;
/** DRAM traffic at least this many times the minimal traffic means data is moved again. */
export const refetchFactor = 1.5;
/** A memory at least this full has no room for the larger tiles that would avoid re-fetching. */
export const fullFraction = 0.5;
/** Translation stalls at least this share of the busiest moving unit's time are what bounds it. */
export const translationFraction = 1 / 3;

interface Pressure {
  readonly cycles: number;
  readonly fraction: number;
}

/** The busiest data-movement unit, or the shared DRAM channel when it is busier. */
function dataMovement(
  layer: LayerReport,
  spec: Spec,
): { channel: Pressure; unit: Pressure & { name: string } } {
  const total = layer.simulatedCycles;
  const of = (cycles: number): Pressure => ({ cycles, fraction: total > 0 ? cycles / total : 0 });
  const channel = of((layer.dramBytes.read + layer.dramBytes.write) / spec.dram.bytesPerCycle);
  const unit =
    layer.busyCycles.load >= layer.busyCycles.store
      ? { name: 'load', ...of(layer.busyCycles.load) }
      : { name: 'store', ...of(layer.busyCycles.store) };
  return { channel, unit };
}

/** The fullest memory: its name and the fraction of it the layer's tiles use. */
function fullestMemory(layer: LayerReport): { name: string; fraction: number } | null {
  let best: { name: string; fraction: number } | null = null;
  for (const [name, o] of Object.entries(layer.occupancy)) {
    if (best === null || o.fraction > best.fraction) best = { name, fraction: o.fraction };
  }
  return best;
}

export function limitingFactor(layer: LayerReport, spec: Spec): LimitingFactor {
  const total = layer.simulatedCycles;
  const cycles = `${formatCount(total)} cycles`;
  const share = (x: number): number => (total > 0 ? x / total : 0);
  const execute = share(layer.busyCycles.execute);
  // Results written before the host's cycles were counted: every instruction issued by the host.
  const issueCycles = layer.hostCycles ?? layer.instructions * spec.issueCyclesPerInstruction;
  const issue = share(issueCycles);
  const { channel, unit } = dataMovement(layer, spec);
  const window = layer.requestWindowCycles ?? { read: 0, write: 0 };
  const requests = unit.name === 'load' ? window.read : window.write;
  const movement = Math.max(channel.fraction, unit.fraction, share(requests));
  const roof = layerRoofline(layer, spec);
  const moved = formatBytes(roof.movedBytes);
  const peak = `${spec.array.rows}×${spec.array.cols}`;

  const largest = Math.max(execute, issue, movement);
  if (largest < bindingFraction) {
    return {
      kind: 'latency',
      explanation:
        `No resource is busy for most of the layer's ${cycles}: the array ${formatPercent(execute)}, ` +
        `data movement ${formatPercent(movement)}, instruction issue ${formatPercent(issue)}; ` +
        `the units wait on each other (DRAM latency ${formatCount(spec.dram.latencyCycles)} cycles, ` +
        `array pipeline ${formatCount(spec.array.pipelineLatencyCycles)} cycles).`,
    };
  }
  if (issue === largest) {
    const generated = layer.generatedInstructions ?? 0;
    return {
      kind: 'instruction-issue',
      explanation:
        `The host spends ${formatCount(issueCycles)} cycles issuing ${formatCount(layer.instructions)} ` +
        `instructions (${spec.issueCyclesPerInstruction} cycles each, plus its work per tile), ` +
        `${formatPercent(issue)} of the layer's ${cycles}` +
        (generated > 0
          ? `; the loop unroller generated ${formatCount(generated)} more.`
          : ': larger tiles, or loop instructions, would need fewer.'),
    };
  }
  const roofCycles =
    `${formatCount(roof.computeCycles)} cycles for the MACs against ` +
    `${formatCount(roof.bandwidthCycles)} for the minimal traffic`;
  if (execute === largest) {
    const useful = execute > 0 ? layer.utilization / execute : 0;
    const padding =
      roof.bound === 'dram-bandwidth'
        ? ` The roofline is bandwidth-bound (${roofCycles}): the array is busy mostly with ` +
          "padding, not with the layer's MACs."
        : '';
    return {
      kind: 'compute',
      explanation:
        `The ${peak} array is busy for ${formatPercent(execute)} of the layer's ${cycles}, ` +
        `with ${formatPercent(useful)} of its MAC slots doing useful work while busy ` +
        `(${formatCount(layer.macs)} MACs, ${formatPercent(layer.utilization)} utilization).` +
        padding,
    };
  }
  // The roofline assumes the minimal traffic: say so when it is compute-bound and traffic limits.
  const trafficNote =
    roof.bound === 'compute'
      ? ` With only the minimal traffic the roofline is compute-bound (${roofCycles}): ` +
        'the traffic of this schedule is what limits it.'
      : '';
  const stalls = layer.translationStallCycles ?? 0;
  if (unit.cycles > 0 && stalls >= translationFraction * unit.cycles) {
    const t = spec.dram.translation;
    return {
      kind: 'address-translation',
      explanation:
        `DRAM streams stall ${formatCount(stalls)} cycles on address translation ` +
        `(${formatPercent(share(stalls))} of the layer's ${cycles}, ` +
        `${formatPercent(stalls / unit.cycles)} of the ${unit.name} unit's busy time)` +
        (t === undefined
          ? '.'
          : `: the TLB maps ${t.entryPages} pages of ${formatBytes(t.pageBytes)} at a time and a ` +
            `miss costs ${formatCount(t.missCycles)} cycles, so rows far apart in DRAM miss often.`) +
        trafficNote,
    };
  }
  if (requests > channel.cycles) {
    const inFlight = spec.dram.requestsInFlight ?? 0;
    return {
      kind: 'dram-requests',
      explanation:
        `DMA requests in flight bound the layer: the ${unit.name} stream's bus requests, ` +
        `${inFlight} in flight with ${formatCount(spec.dram.latencyCycles)} cycles of latency each, ` +
        `take ${formatCount(requests)} cycles (${formatPercent(share(requests))} of the layer's ` +
        `${cycles}), more than the ${formatCount(channel.cycles)} the channel needs for the bytes: ` +
        'rows this narrow move few bytes per request; wider tiles along the contiguous dimension ' +
        'would carry more.' +
        trafficNote,
    };
  }
  const refetch = roof.minimalBytes > 0 ? roof.movedBytes / roof.minimalBytes : 1;
  const fullest = fullestMemory(layer);
  // A unit's busy time includes its share of the channel's: name the channel when it is saturated.
  const busiest =
    channel.fraction >= bindingFraction || channel.fraction >= unit.fraction
      ? `the DRAM channel (${spec.dram.bytesPerCycle} B/cycle) is busy ` +
        `${formatPercent(channel.fraction)} of the layer's ${cycles} moving ${moved}`
      : `the ${unit.name} unit is busy ${formatPercent(unit.fraction)} of the layer's ${cycles} ` +
        `moving ${moved}, which the DRAM channel alone would move in ` +
        `${formatCount(channel.cycles)} cycles`;
  if (refetch >= refetchFactor && fullest !== null && fullest.fraction >= fullFraction) {
    return {
      kind: 'memory-capacity',
      explanation:
        `The tiles that fit on chip (${fullest.name} ${formatPercent(fullest.fraction)} full) ` +
        `make DRAM traffic ${formatRatio(refetch)} the minimal ` +
        `${formatBytes(roof.minimalBytes)}, and ${busiest}.${trafficNote}`,
    };
  }
  const excess =
    refetch >= refetchFactor && fullest !== null
      ? `; that is ${formatRatio(refetch)} the minimal traffic with the fullest memory ` +
        `(${fullest.name}) only ${formatPercent(fullest.fraction)} used, so larger tiles would cut it`
      : `, ${formatRatio(refetch)} the minimal traffic`;
  const onRoofline =
    roof.bound === 'dram-bandwidth'
      ? `; even the minimal traffic needs ${formatCount(roof.bandwidthCycles)} cycles against ` +
        `${formatCount(roof.computeCycles)} for the MACs, so the roofline is bandwidth-bound too`
      : '';
  return {
    kind: 'dram-bandwidth',
    explanation: `Data movement bounds the layer: ${busiest}${excess}${onRoofline}.${trafficNote}`,
  };
}
