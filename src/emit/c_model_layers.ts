import { InternalError, UnsupportedError } from '../errors.js';
import type { Graph, NodeOf } from '../ir/graph.js';
import type { FusedWorkload } from '../partition/fused_workload.js';
import type { Placement } from '../partition/partition.js';
import type { DramPlan, Region } from './dram_plan.js';
import { fusedLayerData } from '../runtime/fused_data.js';
import type { HostTensor } from '../host/host_tensor.js';
import type { Mapping } from '../mapping/mapping.js';
import type { AnyTarget } from '../contract/target.js';
import type { Buffer, Program } from '../program/program.js';

/**
 * Where each accelerator layer's program buffers live in the model's DRAM arena: the planner's
 * regions (dram_plan.ts) where they fit (staging input/output, the layer's weight and bias constants,
 * which hold the target's packed layout), and regions past the plan's end for what the plan does not
 * size (a packed weight larger than the graph's, a constant shared with another reader, a program's
 * own constant or scratch buffers). Trace addresses are the arena offsets above a fixed base.
 */

/** The DRAM address of arena offset 0 in trace mode (the C's GF_DRAM and the interpreter agree). */
export const traceDramBase = 0x1000_0000;

/** What fills a buffer before the layer runs. */
export type BufferFill =
  | { readonly kind: 'staged' }
  | { readonly kind: 'weights'; readonly data: Int8Array; readonly reference: Int8Array | null }
  | { readonly kind: 'bias'; readonly data: Int32Array }
  | { readonly kind: 'contents'; readonly words: readonly number[] }
  | { readonly kind: 'none' };

export interface PlacedBuffer {
  readonly buffer: Buffer;
  readonly offset: number;
  readonly fill: BufferFill;
}

export interface AcceleratorLayer {
  /** Index of the node in graph order. */
  readonly index: number;
  readonly node: NodeOf<'QConv'> | NodeOf<'QGemm'>;
  readonly fused: FusedWorkload;
  readonly mapping: Mapping;
  readonly program: Program;
  /** The program's buffers in its parameter order. */
  readonly buffers: readonly PlacedBuffer[];
  /** Whether the weights are an activation, staged per run (a product of two activations). */
  readonly stagedWeights: boolean;
}

export interface ArenaLayout {
  readonly plan: DramPlan;
  readonly totalBytes: number;
  readonly layers: readonly AcceleratorLayer[];
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

function sameBytes(a: Int8Array, b: Int8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Places every accelerator layer's buffers: the plan's regions, then extra ones past its end. */
export function arenaLayout(
  graph: Graph,
  placements: readonly Placement[],
  target: AnyTarget,
  schedules: ReadonlyMap<string, Mapping>,
  plan: DramPlan,
): ArenaLayout {
  if (target.packsActivations) {
    throw new UnsupportedError(
      `the C project for ${target.name}`,
      'the target packs activations (packInput/unpackOutput), which the C does not do yet',
    );
  }
  const regions = new Map<string, Region>(plan.regions.map((r) => [r.name, r]));
  const readers = new Map<string, number>();
  for (const p of placements)
    for (const n of p.node.inputs) readers.set(n, (readers.get(n) ?? 0) + 1);
  const align = Math.max(16, plan.alignment);
  let top = alignUp(plan.totalBytes, align);
  const extra = (bytes: number): number => {
    const at = top;
    top = alignUp(top + Math.max(1, bytes), align);
    return at;
  };
  const region = (name: string, bytes: number): number | undefined => {
    const r = regions.get(name);
    return r !== undefined && r.bytes >= bytes ? r.offset : undefined;
  };
  const layers: AcceleratorLayer[] = [];
  placements.forEach((p, index) => {
    if (p.placement !== 'accelerator') return;
    const node = p.node;
    const mapping = schedules.get(node.name);
    if (mapping === undefined) {
      throw new InternalError(`C project: no schedule for accelerator layer '${node.name}'`);
    }
    const w = p.fused.workload;
    const scale = node.attrs.requant.scale[0];
    const program = target.lower(w, mapping, { scale });
    const tensor = (i: number): HostTensor | undefined => {
      const name = node.inputs[i];
      if (name === undefined || name === '') return undefined;
      const t = graph.tensors[name];
      const data = t.data ?? new Int8Array(t.shape.reduce((a, b) => a * b, 1));
      return { dtype: t.dtype, shape: t.shape, data };
    };
    const data = fusedLayerData(
      node,
      p.fused,
      [tensor(0), tensor(1), tensor(2)],
      0,
      target.spec.requantization.scale,
    );
    const constWeights = graph.tensors[node.inputs[1]].data !== undefined;
    const packed = target.packWeights(w, mapping, data.weight);
    if (!constWeights && !sameBytes(packed, data.weight)) {
      throw new UnsupportedError(
        `node '${node.name}' (${node.op})`,
        `${target.name} packs the weights of this mapping, and they are an activation: the C does not pack at run time`,
      );
    }
    const only = (name: string) => readers.get(name) === 1;
    const buffers = program.buffers.map((b): PlacedBuffer => {
      switch (b.role) {
        case 'input':
          return {
            buffer: b,
            offset: region(`${node.name}/input`, b.bytes) ?? extra(b.bytes),
            fill: { kind: 'staged' },
          };
        case 'output':
          return {
            buffer: b,
            offset: region(`${node.name}/output`, b.bytes) ?? extra(b.bytes),
            fill: { kind: 'staged' },
          };
        case 'weight': {
          if (!constWeights) {
            const at = region(`${node.name}/weight`, b.bytes) ?? extra(b.bytes);
            return { buffer: b, offset: at, fill: { kind: 'staged' } };
          }
          const name = node.inputs[1];
          const at = (only(name) ? region(name, b.bytes) : undefined) ?? extra(b.bytes);
          const reference = sameBytes(packed, data.weight) ? null : data.weight;
          return { buffer: b, offset: at, fill: { kind: 'weights', data: packed, reference } };
        }
        case 'bias': {
          if (data.bias === null)
            throw new InternalError(`'${node.name}': a bias buffer and no bias`);
          const at = region(node.inputs[2], b.bytes) ?? extra(b.bytes);
          return { buffer: b, offset: at, fill: { kind: 'bias', data: data.bias } };
        }
        case 'constant':
          return {
            buffer: b,
            offset: extra(b.bytes),
            fill: { kind: 'contents', words: b.contents ?? [] },
          };
        case 'scratch':
          return { buffer: b, offset: extra(b.bytes), fill: { kind: 'none' } };
      }
    });
    layers.push({
      index,
      node,
      fused: p.fused,
      mapping,
      program,
      buffers,
      stagedWeights: !constWeights,
    });
  });
  return { plan, totalBytes: top, layers };
}

/** A layer's buffer base addresses in trace mode, by buffer name (as `interpret` takes them). */
export function traceBases(layer: AcceleratorLayer): Record<string, number> {
  return Object.fromEntries(layer.buffers.map((b) => [b.buffer.name, traceDramBase + b.offset]));
}
