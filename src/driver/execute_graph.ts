import { CheckFailedError } from '../errors.js';
import type { Graph, NodeOf } from '../ir/graph.js';
import { nodeMacs } from '../ir/node_macs.js';
import type { Placement, ScheduledPlacement, VectorPlacement } from '../partition/partition.js';
import { runVectorNode, timeVectorNode, vectorRunLayer } from './vector_layer.js';
import { hostCycles, hostWork } from '../partition/host_cost.js';
import { planLayouts, type LayoutConversion } from '../partition/layout_plan.js';
import { hostLayer, type RunLayer } from '../results/run_summary.js';
import type { ScheduleResult } from '../schedule/scheduler.js';
import { createScheduleCache, type ScheduleCache } from '../schedule/cache.js';
import { schedule } from '../schedule/schedulers.js';
import type { AnyTarget } from '../contract/target.js';
import type { Workload } from '../workload/workload.js';
import { fusedLayerData, fusedOutput } from '../runtime/fused_data.js';
import { createLayoutStore, type LayoutStore } from '../runtime/layout_store.js';
import type { HostTensor } from '../host/host_tensor.js';
import type { ActivationLayout } from '../partition/layout_plan.js';
import type { HostWork } from '../partition/host_cost.js';
import {
  graphOutputs,
  initialValues,
  nodeInputs,
  storeOutputs,
  type HostValue,
} from '../host/run_graph.js';
import { simulateLayer } from './layer_report.js';
import type { LayerReport } from '../results/layer_report.js';
import { simulatedCycles } from '../runtime/run_layer.js';
import { candidateBudgets } from '../schedule/exhaustive.js';

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

export interface GraphRun extends GraphSchedule {
  readonly outputs: Record<string, HostTensor>;
  /** Every tensor's value at the end of the run (intermediates included), in the graph's layout. */
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
  const store = createLayoutStore(graph, initialValues(graph, inputs));
  const walked = walkGraph(graph, placements, target, options, {
    host: (p, layout) => store.runHost(p.node, layout),
    conversion: (c) => store.convert(c),
    accelerator: (p, chosen) => runAcceleratorNode(graph, p, store, target, chosen),
    vector: (p, layout) =>
      store.runIn(p.node, layout, (values) => runVectorNode(graph, p, values, target)),
  });
  return { ...walked, outputs: graphOutputs(graph, store.values), values: store.everyValue() };
}

/** A partitioned graph's layers scheduled and timed, without running anything on data. */
export interface GraphSchedule {
  /**
   * One entry per step of the layout plan (src/partition/layout_plan.ts): every node in graph
   * order, and each layout conversion just before the node that needs it.
   */
  readonly layers: readonly RunLayer[];
  readonly acceleratorCycles: number;
  /** The host steps' cycles (the spec's host costs); null when the spec describes no host. */
  readonly hostCycles: number | null;
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
    conversion: () => undefined,
    vector: (p) => timeVectorNode(p, target),
    accelerator: (p, chosen) => {
      const scale = p.node.attrs.requant.scale[0];
      const report = simulateLayer(p.fused.workload, target, chosen, null, scale).report;
      return { report, cycles: report.simulatedCycles * p.fused.count };
    },
  });
}

type AcceleratorPlacement = ScheduledPlacement;

/**
 * What a walk does at each step: run a host node or a layout conversion (or not), and simulate an
 * accelerator layer.
 */
interface NodeActions {
  host(p: Extract<Placement, { placement: 'host' }>, layout: ActivationLayout): void;
  conversion(c: LayoutConversion): void;
  accelerator(
    p: AcceleratorPlacement,
    chosen: ScheduleResult,
  ): { readonly report: LayerReport; readonly cycles: number };
  /** Runs (or times) a vector op in the layout the plan gave it: its simulated cycles. */
  vector(p: VectorPlacement, layout: ActivationLayout): number;
}

/**
 * The plan's steps in order: each accelerator layer scheduled (once per shape) and simulated, each
 * host node and layout conversion costed by the spec's host section (host_cost.ts).
 */
function walkGraph(
  graph: Graph,
  placements: readonly Placement[],
  target: AnyTarget,
  options: ExecuteOptions,
  actions: NodeActions,
): GraphSchedule {
  const cache = options.cache ?? createScheduleCache();
  const host = target.spec.host;
  const cost = (work: HostWork | null): number | null =>
    host === undefined ? null : hostCycles(work, host, target.spec.clockHz);
  const steps = planLayouts(graph, placements);
  const layers: RunLayer[] = [];
  let acceleratorCycles = 0;
  steps.forEach((step, i) => {
    if (step.kind === 'conversion') {
      const c = step.conversion;
      actions.conversion(c);
      layers.push(hostLayer(c.name, c.op, 0, c.reason, cost({ kind: 'copy', count: c.elements })));
    } else if (step.placement.placement === 'host') {
      const p = step.placement;
      actions.host(p, step.layout);
      const cycles = cost(hostWork(p.node, graph));
      layers.push(hostLayer(p.node.name, p.node.op, nodeMacs(p.node, graph), p.reason, cycles));
    } else if ('vector' in step.placement) {
      const cycles = actions.vector(step.placement, step.layout);
      acceleratorCycles += cycles;
      layers.push(vectorRunLayer(step.placement, cycles));
    } else {
      const p = step.placement;
      const chosen = scheduled(options.scheduler, p.fused.workload, target, options, cache);
      const { report, cycles } = actions.accelerator(p, chosen);
      const layer = acceleratorRunLayer(p, report, cycles, target, options, cache);
      acceleratorCycles += cycles;
      layers.push(layer);
    }
    const name = step.kind === 'conversion' ? step.conversion.name : step.placement.node.name;
    options.onProgress?.(i + 1, steps.length, name);
  });
  const hostTotal =
    host === undefined
      ? null
      : layers.reduce((n, l) => n + (l.placement === 'host' ? (l.cycles ?? 0) : 0), 0);
  return { layers, acceleratorCycles, hostCycles: hostTotal };
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
      candidateBudget: candidateBudgets.modelLayer,
    },
    cache,
  );
}

/**
 * Simulates an accelerator node on its data, once per part (e.g. per batch element), checks every
 * output against the integer reference and stores the outputs.
 */
function runAcceleratorNode(
  graph: Graph,
  p: AcceleratorPlacement,
  store: LayoutStore,
  target: AnyTarget,
  chosen: ScheduleResult,
): { readonly report: LayerReport; readonly cycles: number } {
  const node: NodeOf<'QConv'> | NodeOf<'QGemm'> = p.node;
  const w = p.fused.workload;
  const staged = node.op === 'QConv' ? store.convInput(node, p.fused.prePad) : undefined;
  const ins = staged === undefined ? nodeInputs(node, store.values) : [];
  const outputs: Int8Array[] = [];
  let report: LayerReport | null = null;
  let cycles = 0;
  for (let i = 0; i < p.fused.count; i++) {
    const data = fusedLayerData(
      node,
      p.fused,
      staged === undefined ? ins : [undefined, ...store.constants(node)],
      i,
      target.spec.requantization.scale,
      staged,
    );
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
  if (node.op === 'QConv') store.holdConvOutput(node, outputs[0]);
  else storeOutputs(graph, node, [fusedOutput(node, out.shape, outputs)], store.values);
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
