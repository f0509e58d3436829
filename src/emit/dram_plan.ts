import { dtypeBytes, elementCount, type Graph } from '../ir/graph.js';
import { isScheduled, type Placement } from '../partition/partition.js';
import { tensorBytes } from '../workload/shape.js';

/** What a DRAM region holds. */
export type RegionKind = 'weight' | 'activation' | 'staging';

/**
 * A region of the model's DRAM arena. Weights (every constant a node reads) live for the whole run;
 * activations (graph inputs and node outputs) from the node that writes them to the last node that
 * reads them (graph outputs to the end); staging buffers (an accelerator layer's input, weights,
 * bias and output in the workload's layouts) only while their layer runs.
 */
export interface Region {
  readonly name: string;
  readonly kind: RegionKind;
  readonly offset: number;
  readonly bytes: number;
  /** Index of the first and last node (in graph order) during which the region is live. */
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
 * Plans the model's DRAM: weights first, packed one after another; then activations and staging
 * buffers share the rest by lifetime. Placement is greedy by size (largest first), each request at
 * the lowest aligned offset where no region live at the same time overlaps it.
 */
export function planDram(
  graph: Graph,
  placements: readonly Placement[],
  alignment: number,
): DramPlan {
  const last = new Map<string, number>();
  const first = new Map<string, number>();
  const end = placements.length - 1;
  for (const name of graph.inputs) first.set(name, 0);
  placements.forEach((p, i) => {
    for (const n of p.node.inputs) if (n !== '') last.set(n, i);
    for (const n of p.node.outputs) if (n !== '') first.set(n, i);
  });
  for (const n of graph.outputs) last.set(n, end);

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
    const t = graph.tensors[name];
    if (t === undefined || t.data !== undefined) continue;
    const bytes = elementCount(t.shape) * dtypeBytes[t.dtype];
    requests.push({ name, kind: 'activation', bytes, first: f, last: last.get(name) ?? f });
  }
  placements.forEach((p, i) => {
    if (!isScheduled(p)) return;
    const b = tensorBytes(p.fused.workload);
    const stage = (part: string, bytes: number) =>
      requests.push({ name: `${p.node.name}/${part}`, kind: 'staging', bytes, first: i, last: i });
    stage('input', b.input);
    stage('weight', b.weight);
    const w = p.fused.workload;
    if (w.bias) stage('bias', 4 * (w.kind === 'gemm' ? w.N : w.K));
    stage('output', b.output);
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
