import { dtypeBytes, elementCount, type Graph } from '../ir/graph.js';
import {
  formLabel,
  formShape,
  graphForm,
  planLayouts,
  stepTensors,
  type TensorForm,
  type TensorUse,
} from '../partition/layout_plan.js';
import { isScheduled, type Placement } from '../partition/partition.js';
import { tensorBytes } from '../workload/shape.js';

/** What a DRAM region holds. */
export type RegionKind = 'weight' | 'activation' | 'staging';

/**
 * A region of the model's DRAM arena. Weights (every constant a node reads) live for the whole run;
 * activations (graph inputs, node outputs, and the other forms the layout plan holds them in) from
 * the step that writes them to the last step that reads them (graph outputs to the end); staging
 * buffers (an accelerator layer's operands the program does not read in place) only while their
 * layer runs.
 */
export interface Region {
  readonly name: string;
  readonly kind: RegionKind;
  readonly offset: number;
  readonly bytes: number;
  /** Index of the first and last step of the layout plan during which the region is live. */
  readonly first: number;
  readonly last: number;
}

export interface DramPlan {
  readonly alignment: number;
  readonly regions: readonly Region[];
  /** The arena's size: every region fits below it. */
  readonly totalBytes: number;
  readonly weightBytes: number;
  /** What activations and staging would take without reuse, for comparison. */
  readonly unsharedBytes: number;
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

interface Request {
  readonly name: string;
  readonly kind: RegionKind;
  readonly bytes: number;
  readonly first: number;
  readonly last: number;
}

/**
 * The region holding a tensor in a form of the layout plan: the tensor's own name in the graph's
 * layout, `name (NHWC)` or `name (NHWC padded (v))` in the accelerator's.
 */
export function formRegion(tensor: string, form: TensorForm): string {
  return form.layout === 'NCHW' ? tensor : `${tensor} (${formLabel(form)})`;
}

/**
 * Plans the model's DRAM along its layout plan (src/partition/layout_plan.ts): weights first,
 * packed one after another; then activations, one region per form a tensor is held in, and staging
 * buffers share the rest by lifetime. An accelerator convolution reads and writes its activations'
 * NHWC regions in place; with `packedActivations` (a target whose programs read their own layout)
 * its program's input and output are staged beside them. Placement is greedy by size (largest
 * first), each request at the lowest aligned offset where no region live at the same time overlaps.
 */
export function planDram(
  graph: Graph,
  placements: readonly Placement[],
  alignment: number,
  packedActivations = false,
): DramPlan {
  const steps = planLayouts(graph, placements);
  const last = new Map<string, number>();
  const first = new Map<string, number>();
  const sizes = new Map<string, number>();
  const end = steps.length - 1;
  const use = (u: TensorUse): string => {
    const name = formRegion(u.tensor, u.form);
    const t = graph.tensors[u.tensor];
    const shape = t.shape.length === 4 ? formShape(t.shape, u.form) : t.shape;
    sizes.set(name, elementCount(shape) * dtypeBytes[t.dtype]);
    return name;
  };
  for (const name of graph.inputs) first.set(use({ tensor: name, form: graphForm }), 0);
  steps.forEach((step, i) => {
    const { reads, writes } = stepTensors(step, graph);
    for (const u of reads) last.set(use(u), i);
    for (const u of writes) if (!first.has(use(u))) first.set(use(u), i);
  });
  for (const n of graph.outputs) last.set(use({ tensor: n, form: graphForm }), end);

  const regions: Region[] = [];
  let offset = 0;
  const weights = new Set<string>();
  for (const p of placements) {
    for (const n of p.node.inputs) {
      const t = graph.tensors[n];
      if (n === '' || t?.data === undefined || weights.has(n)) continue;
      weights.add(n);
      const bytes = elementCount(t.shape) * dtypeBytes[t.dtype];
      regions.push({ name: n, kind: 'weight', offset, bytes, first: 0, last: end });
      offset = alignUp(offset + bytes, alignment);
    }
  }
  const weightBytes = offset;

  const requests: Request[] = [];
  for (const [name, f] of first) {
    const bytes = sizes.get(name) ?? 0;
    requests.push({ name, kind: 'activation', bytes, first: f, last: last.get(name) ?? f });
  }
  steps.forEach((step, i) => {
    if (step.kind !== 'node' || !isScheduled(step.placement)) return;
    const p = step.placement;
    const b = tensorBytes(p.fused.workload);
    const stage = (part: string, bytes: number) =>
      requests.push({ name: `${p.node.name}/${part}`, kind: 'staging', bytes, first: i, last: i });
    const inPlace = p.node.op === 'QConv' && !packedActivations;
    if (!inPlace) stage('input', b.input);
    stage('weight', b.weight);
    const w = p.fused.workload;
    if (w.bias) stage('bias', 4 * (w.kind === 'gemm' ? w.N : w.K));
    if (!inPlace) stage('output', b.output);
  });
  requests.sort((a, b) => b.bytes - a.bytes || a.first - b.first || a.name.localeCompare(b.name));

  const placed: Region[] = [];
  let top = weightBytes;
  for (const r of requests) {
    const live = placed
      .filter((q) => q.first <= r.last && r.first <= q.last)
      .sort((a, b) => a.offset - b.offset);
    let at = weightBytes;
    for (const q of live) {
      if (at + r.bytes <= q.offset) break;
      at = Math.max(at, alignUp(q.offset + q.bytes, alignment));
    }
    const region: Region = { ...r, offset: at };
    placed.push(region);
    top = Math.max(top, alignUp(at + r.bytes, alignment));
  }
  const unsharedBytes = requests.reduce((n, r) => n + alignUp(r.bytes, alignment), 0);
  return {
    alignment,
    regions: [...regions, ...placed.sort((a, b) => a.offset - b.offset || a.first - b.first)],
    totalBytes: top,
    weightBytes,
    unsharedBytes,
  };
}
