import type { LayerReport } from '../runtime/layer_report.js';
import type { Spec } from '../target/spec.js';

/**
 * What one run of a model produced, as JSON: `gemmforge run --json` prints it and
 * `gemmforge report RUN.json` renders it (run_summary_schema.ts validates it on the way in).
 * Accelerator layers carry the LayerReport of the chosen schedule; host layers say why they are not
 * on the accelerator.
 */
export interface RunSummary {
  readonly model: string;
  readonly target: string;
  readonly scheduler: string;
  /** The target's spec: the report's roofline, occupancy and limiting factors come from it. */
  readonly spec: Spec;
  readonly layers: readonly RunLayer[];
  readonly totalCycles: number;
  readonly acceleratorCycles: number;
  /** Simulated time: totalCycles at the spec's clock. */
  readonly seconds: number;
  /** How long the run took on this machine. */
  readonly wallSeconds: number;
  readonly outputs: readonly RunOutput[];
  /** The comparison of the outputs with the reference runtime, when one was run. */
  readonly reference: ReferenceComparison | null;
  readonly warnings: readonly string[];
}

export type Placement = 'accelerator' | 'host';

export interface RunLayer {
  /** The model's name for the node (the ONNX node name). */
  readonly name: string;
  readonly op: string;
  readonly placement: Placement;
  /** Simulated cycles; null for host layers, which are not timed. */
  readonly cycles: number | null;
  readonly utilization: number | null;
  readonly macs: number;
  /** Why a host layer is not on the accelerator; null for accelerator layers. */
  readonly reason: string | null;
  /** The chosen schedule of an accelerator layer, simulated. */
  readonly detail: LayerReport | null;
  /** Simulated cycles under each scheduler that was run, when more than one was. */
  readonly schedulers: readonly SchedulerCycles[];
}

export interface SchedulerCycles {
  readonly scheduler: string;
  readonly cycles: number;
}

export interface RunOutput {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface ReferenceComparison {
  readonly cosine: number;
  readonly maxAbsError: number;
  /** Fraction of output elements within one quantization step of the reference. */
  readonly withinOneStep: number;
  readonly sqnrDb: number;
}

/**
 * An accelerator layer from the report of its chosen schedule and, when several schedulers were run
 * on it, all their reports (the chosen one among them) for the comparison.
 */
export function acceleratorLayer(
  name: string,
  op: string,
  chosen: LayerReport,
  compared: readonly LayerReport[] = [],
): RunLayer {
  return {
    name,
    op,
    placement: 'accelerator',
    cycles: chosen.simulatedCycles,
    utilization: chosen.utilization,
    macs: chosen.macs,
    reason: null,
    detail: chosen,
    schedulers:
      compared.length > 1
        ? compared.map((r) => ({ scheduler: r.scheduler, cycles: r.simulatedCycles }))
        : [],
  };
}

/** A layer that runs on the host, and why. */
export function hostLayer(name: string, op: string, macs: number, reason: string): RunLayer {
  return {
    name,
    op,
    placement: 'host',
    cycles: null,
    utilization: null,
    macs,
    reason,
    detail: null,
    schedulers: [],
  };
}

/**
 * How many times an accelerator layer ran its schedule: a layer the runtime splits into equal parts
 * (e.g. one per batch element) has cycles and MACs that many times its detail's.
 */
export function scheduleRuns(layer: RunLayer): number {
  if (layer.detail === null || layer.cycles === null || layer.detail.simulatedCycles === 0)
    return 1;
  return Math.max(1, Math.round(layer.cycles / layer.detail.simulatedCycles));
}
