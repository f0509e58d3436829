import { CheckFailedError } from '../errors.js';
import type { Graph, NodeOf } from '../ir/graph.js';
import { nodeMacs } from '../ir/node_macs.js';
import type { Placement } from '../partition/partition.js';
import { hostLayer, type RunLayer } from '../results/run_summary.js';
import type { ScheduleResult } from '../schedule/scheduler.js';
import { createScheduleCache, type ScheduleCache } from '../schedule/cache.js';
import { schedule } from '../schedule/schedulers.js';
import type { AnyTarget } from '../contract/target.js';
import type { Workload } from '../workload/workload.js';
import { fusedLayerData, fusedOutput } from '../runtime/fused_data.js';
import type { HostTensor } from '../host/host_tensor.js';
import {
  graphOutputs,
  initialValues,
  nodeInputs,
  runHostNode,
  storeOutputs,
  type HostValue,
} from '../host/run_graph.js';
import { extremeLayerData } from '../runtime/layer_data.js';
import { simulateLayer } from './layer_report.js';
import type { LayerReport } from '../results/layer_report.js';
import { simulatedCycles } from '../runtime/run_layer.js';
import { candidateBudgets } from '../schedule/exhaustive.js';

export interface ExecuteOptions {
  readonly scheduler: string;
  readonly seed: number;
  readonly timeLimitSeconds: number;
  /** exhaustive's candidate budget per layer (its deterministic limit; default `modelLayer`). */
  readonly candidateBudget?: number;
  /** Other schedulers to run on every accelerator layer (timing only), for the comparison. */
  readonly compare?: readonly string[];
  /** Schedules by workload, shared across runs (one compile schedules each shape once). */
  readonly cache?: ScheduleCache;
  /**
   * Also run every accelerator layer on worst-case data (`extremeLayerData`) and check each output
   * against the integer reference; a difference is a CheckFailedError naming the layer.
   */
  readonly extremeCheck?: boolean;
  /** Called after each node, for progress bars. */
  readonly onProgress?: (done: number, total: number, node: string) => void;
}

export interface GraphRun {
  readonly outputs: Record<string, HostTensor>;
  /** One entry per node, in graph order. */
  readonly layers: readonly RunLayer[];
  readonly acceleratorCycles: number;
  /** Every tensor's value at the end of the run (intermediates included). */
  readonly values: ReadonlyMap<string, HostTensor>;
}

/**
 * Runs a partitioned graph: host nodes on the reference kernels, accelerator nodes scheduled, lowered
 * and simulated (functional and timing) on the target. Every accelerator layer's output is checked
 * against the integer reference of its workload; a difference is a CheckFailedError naming the layer.
 */
export function executeGraph(
  graph: Graph,
  placements: readonly Placement[],
  inputs: Readonly<Record<string, HostValue>>,
  target: AnyTarget,
  options: ExecuteOptions,
): GraphRun {
  const values = initialValues(graph, inputs);
  const { layers, acceleratorCycles } = walkGraph(graph, placements, target, options, {
    host: (p) => runHostNode(graph, p.node, values),
    accelerator: (p, chosen) => runAcceleratorNode(graph, p, values, target, chosen),
  });
  return { outputs: graphOutputs(graph, values), layers, acceleratorCycles, values };
}

/** A partitioned graph's layers scheduled and timed, without running anything on data. */
export interface GraphSchedule {
  /** One entry per node, in graph order; host nodes are not timed. */
  readonly layers: readonly RunLayer[];
  readonly acceleratorCycles: number;
}

/**
 * Schedules every accelerator layer and times its program (a timing-only simulation of the program
 * lowered for the layer's own requantization scale: the cycles do not depend on the data); host
 * nodes are listed, not run. What `gemmforge compile` needs without
 * `--verify`: executeGraph gives the same layers and cycles, and checks every output besides.
 */
export function scheduleGraph(
  graph: Graph,
  placements: readonly Placement[],
  target: AnyTarget,
  options: ExecuteOptions,
): GraphSchedule {
  return walkGraph(graph, placements, target, options, {
    host: () => undefined,
    accelerator: (p, chosen) => {
      const scale = p.node.attrs.requant.scale[0];
      const report = simulateLayer(p.fused.workload, target, chosen, null, scale).report;
      return { report, cycles: report.simulatedCycles * p.fused.count };
    },
  });
}

type AcceleratorPlacement = Extract<Placement, { placement: 'accelerator' }>;

/** What a walk does at each node: run a host node (or not), and simulate an accelerator layer. */
interface NodeActions {
  host(p: Extract<Placement, { placement: 'host' }>): void;
  accelerator(
    p: AcceleratorPlacement,
    chosen: ScheduleResult,
  ): { readonly report: LayerReport; readonly cycles: number };
}

/** The nodes in graph order: each accelerator layer scheduled (once per shape) and simulated. */
function walkGraph(
  graph: Graph,
  placements: readonly Placement[],
  target: AnyTarget,
  options: ExecuteOptions,
  actions: NodeActions,
): GraphSchedule {
  const cache = options.cache ?? createScheduleCache();
  const layers: RunLayer[] = [];
  let acceleratorCycles = 0;
  placements.forEach((p, i) => {
    if (p.placement === 'host') {
      actions.host(p);
      layers.push(hostLayer(p.node.name, p.node.op, nodeMacs(p.node, graph), p.reason));
    } else {
      const chosen = scheduled(options.scheduler, p.fused.workload, target, options, cache);
      const run = actions.accelerator(p, chosen);
      const report =
        options.extremeCheck === true
          ? withExtremeCheck(p, run.report, target, chosen)
          : run.report;
      const layer = acceleratorRunLayer(p, report, run.cycles, target, options, cache);
      acceleratorCycles += run.cycles;
      layers.push(layer);
    }
    options.onProgress?.(i + 1, placements.length, p.node.name);
  });
  return { layers, acceleratorCycles };
}

function scheduled(
  scheduler: string,
  w: Workload,
  target: AnyTarget,
  options: ExecuteOptions,
  cache: ScheduleCache,
): ScheduleResult {
  return schedule(
    scheduler,
    w,
    target,
    {
      evaluate: simulatedCycles,
      seed: options.seed,
      timeLimitSeconds: options.timeLimitSeconds,
      candidateBudget: options.candidateBudget ?? candidateBudgets.modelLayer,
    },
    cache,
  );
}

/** The layer's report with its worst-case check added; a mismatch throws, as on the model's data. */
function withExtremeCheck(
  p: AcceleratorPlacement,
  report: LayerReport,
  target: AnyTarget,
  chosen: ScheduleResult,
): LayerReport {
  const w = p.fused.workload;
  const data = extremeLayerData(w, target.spec.requantization.scale);
  const mismatches = simulateLayer(w, target, chosen, data).report.mismatches ?? 0;
  if (mismatches !== 0) {
    throw new CheckFailedError(
      `layer '${p.node.name}' (${p.node.op}) on ${target.name}: on worst-case data the simulated ` +
        `output differs from the integer reference in ${mismatches} elements`,
    );
  }
  const checks = [...(report.checks ?? []), { data: 'extreme' as const, mismatches }];
  return { ...report, verified: true, mismatches: report.mismatches ?? 0, checks };
}

/**
 * Simulates an accelerator node on its data, once per part (e.g. per batch element), checks every
 * output against the integer reference and stores the outputs.
 */
function runAcceleratorNode(
  graph: Graph,
  p: AcceleratorPlacement,
  values: Map<string, HostTensor>,
  target: AnyTarget,
  chosen: ScheduleResult,
): { readonly report: LayerReport; readonly cycles: number } {
  const node: NodeOf<'QConv'> | NodeOf<'QGemm'> = p.node;
  const w = p.fused.workload;
  const ins = nodeInputs(node, values);
  const outputs: Int8Array[] = [];
  let report: LayerReport | null = null;
  let cycles = 0;
  for (let i = 0; i < p.fused.count; i++) {
    const data = fusedLayerData(node, p.fused, ins, i, target.spec.requantization.scale);
    const run = simulateLayer(w, target, chosen, data);
    if (run.report.mismatches !== 0 || run.output === null) {
      throw new CheckFailedError(
        `layer '${node.name}' (${node.op}) on ${target.name}: the simulated output differs from ` +
          `the integer reference in ${run.report.mismatches} of ${run.output?.length} elements`,
      );
    }
    outputs.push(run.output);
    report ??= run.report;
    cycles += run.report.simulatedCycles;
  }
  const out = graph.tensors[node.outputs[0]];
  storeOutputs(graph, node, [fusedOutput(node, out.shape, outputs)], values);
  return { report: report as LayerReport, cycles };
}

/** An accelerator layer's entry, with the other schedulers' cycles (timing only) when compared. */
function acceleratorRunLayer(
  p: AcceleratorPlacement,
  chosenReport: LayerReport,
  cycles: number,
  target: AnyTarget,
  options: ExecuteOptions,
  cache: ScheduleCache,
): RunLayer {
  const w = p.fused.workload;
  const scale = p.node.attrs.requant.scale[0];
  const compared = (options.compare ?? [])
    .filter((s) => s !== options.scheduler)
    .map((s) => {
      const r = simulateLayer(w, target, scheduled(s, w, target, options, cache), null, scale);
      return {
        scheduler: s,
        cycles: r.report.simulatedCycles * p.fused.count,
        complete: r.report.searchComplete,
        limitHit: r.report.limitHit,
      };
    });
  const macs = chosenReport.macs * p.fused.count;
  return {
    name: p.node.name,
    op: p.node.op,
    placement: 'accelerator',
    cycles,
    utilization: macs / (cycles * target.spec.array.rows * target.spec.array.cols),
    macs,
    reason: null,
    detail: chosenReport,
    schedulers:
      compared.length === 0
        ? []
        : [
            { scheduler: options.scheduler, cycles, complete: chosenReport.searchComplete },
            ...compared,
          ],
  };
}
