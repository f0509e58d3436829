import type { LayerReport } from '../results/layer_report.js';
import type { Spec } from '../spec/spec.js';
import { minimalTraffic, totalBytes } from '../workload/shape.js';

/** Which roof bounds a layer: the array's MAC rate or the DRAM bandwidth for its minimal traffic. */
export type RooflineBound = 'compute' | 'dram-bandwidth';

/** A layer on the roofline of its target, in MACs, bytes and cycles. */
export interface LayerRoofline {
  /** MACs / (rows × cols): cycles with every processing element busy on every cycle. */
  readonly computeCycles: number;
  /** Minimal DRAM traffic / bytes per cycle: cycles to move every tensor element exactly once. */
  readonly bandwidthCycles: number;
  readonly bound: RooflineBound;
  readonly minimalBytes: number;
  /** DRAM bytes the schedule actually moved (read + written). */
  readonly movedBytes: number;
  /** MACs per DRAM byte the schedule moved. */
  readonly intensity: number;
  /** MACs per simulated cycle. */
  readonly achievedMacsPerCycle: number;
}

/** The roof of a spec: peak MACs per cycle and the DRAM slope (bytes per cycle). */
export function peakMacsPerCycle(spec: Spec): number {
  return spec.array.rows * spec.array.cols;
}

export function layerRoofline(layer: LayerReport, spec: Spec): LayerRoofline {
  const minimalBytes = totalBytes(minimalTraffic(layer.workload));
  const computeCycles = layer.macs / peakMacsPerCycle(spec);
  const bandwidthCycles = minimalBytes / spec.dram.bytesPerCycle;
  const movedBytes = layer.dramBytes.read + layer.dramBytes.write;
  return {
    computeCycles,
    bandwidthCycles,
    bound: computeCycles >= bandwidthCycles ? 'compute' : 'dram-bandwidth',
    minimalBytes,
    movedBytes,
    intensity: movedBytes > 0 ? layer.macs / movedBytes : 0,
    achievedMacsPerCycle: layer.simulatedCycles > 0 ? layer.macs / layer.simulatedCycles : 0,
  };
}
