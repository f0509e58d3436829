import { CheckFailedError } from '../errors.js';
import type { Graph, NodeOf } from '../ir/graph.js';
import { nodeMacs } from '../ir/node_macs.js';
import type { Placement } from '../partition/partition.js';
import type { RunLayer } from '../results/run_summary.js';
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
import { simulateLayer } from './layer_report.js';
import type { LayerReport } from '../results/layer_report.js';
import { simulatedCycles } from '../runtime/run_layer.js';

export interface ExecuteOptions {
  readonly scheduler: string;
  readonly seed: number;
  readonly timeLimitSeconds: number;
  /** Other schedulers to run on every accelerator layer (timing only), for the comparison. */
  readonly compare?: readonly string[];
  /** Schedules by workload, shared across runs (one compile schedules each shape once). */
  readonly cache?: ScheduleCache;
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
  const cache = options.cache ?? createScheduleCache();
  const values = initialValues(graph, inputs);
  const layers: RunLayer[] = [];
  let acceleratorCycles = 0;
  placements.forEach((p, i) => {
    if (p.placement === 'host') {
      runHostNode(graph, p.node, values);
      layers.push({
        name: p.node.name,
        op: p.node.op,
        placement: 'host',
        cycles: null,
        utilization: null,
        macs: nodeMacs(p.node, graph),
        reason: p.reason,
        detail: null,
        schedulers: [],
      });
    } else {
      const layer = runAcceleratorNode(graph, p, values, target, options, cache);
      acceleratorCycles += layer.cycles ?? 0;
      layers.push(layer);
    }
    options.onProgress?.(i + 1, placements.length, p.node.name);
  });
  return { outputs: graphOutputs(graph, values), layers, acceleratorCycles, values };
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
    },
    cache,
  );
}

function runAcceleratorNode(
  graph: Graph,
  p: Extract<Placement, { placement: 'accelerator' }>,
  values: Map<string, HostTensor>,
  target: AnyTarget,
  options: ExecuteOptions,
  cache: ScheduleCache,
): RunLayer {
  const node: NodeOf<'QConv'> | NodeOf<'QGemm'> = p.node;
  const w = p.fused.workload;
  const chosen = scheduled(options.scheduler, w, target, options, cache);
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
  const chosenReport = report as LayerReport;
  const compared = (options.compare ?? [])
    .filter((s) => s !== options.scheduler)
    .map((s) => ({
      scheduler: s,
      cycles:
        simulateLayer(w, target, scheduled(s, w, target, options, cache), null).report
          .simulatedCycles * p.fused.count,
    }));
  const macs = chosenReport.macs * p.fused.count;
  return {
    name: node.name,
    op: node.op,
    placement: 'accelerator',
    cycles,
    utilization: macs / (cycles * target.spec.array.rows * target.spec.array.cols),
    macs,
    reason: null,
    detail: chosenReport,
    schedulers:
      compared.length === 0 ? [] : [{ scheduler: options.scheduler, cycles }, ...compared],
  };
}
