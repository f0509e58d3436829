import { InternalError, UnsupportedError } from '../errors.js';
import type { Graph, NodeOf } from '../ir/graph.js';
import type { FusedWorkload } from '../partition/fused_workload.js';
import { isScheduled, type Placement } from '../partition/partition.js';
import { formRegion, type DramPlan, type Region } from './dram_plan.js';
import { convInputForm, nhwcForm, type TensorForm } from '../partition/layout_plan.js';
import { fusedLayerData } from '../runtime/fused_data.js';
import type { HostTensor } from '../host/host_tensor.js';
import type { Mapping } from '../mapping/mapping.js';
import type { AnyTarget } from '../contract/target.js';
import type { Buffer, Program } from '../program/program.js';
import { tensorBytes } from '../workload/shape.js';
import type { Workload } from '../workload/workload.js';

/**
 * Where each accelerator layer's program buffers live in the model's DRAM arena: the planner's
 * regions (dram_plan.ts) where they fit (a convolution's input and output in the regions of the
 * NHWC forms the layout plan holds them in, a matrix product's staging input and output, the
 * layer's weight and bias constants, which hold the target's packed layout), and regions past the
 * plan's end for what the plan does not
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
  /** How the C moves activations between the workload's layouts and the target's; null: no change. */
  readonly packing: ActivationPacking | null;
}

/**
 * For a target whose programs read and write activations in a layout of their own (its packInput and
 * unpackOutput): the input is staged in the workload's layout at `inputAt`, then gathered into the
 * program's input buffer by `input` (per packed element, 1 + the element it takes, 0 for a zero); the
 * output is gathered back into the workload's layout at `outputAt` by `output` (per element, 1 + the
 * packed element holding it). The tables come from the target's own functions (`layoutGather`).
 */
export interface ActivationPacking {
  readonly inputAt: number;
  readonly outputAt: number;
  readonly input: Int32Array;
  readonly output: Int32Array;
}

/**
 * A layout transform as a gather table: `transform` (which only moves elements and fills zeros) applied
 * to the bytes of 1 + each element's index, three bytes at a time, gives per destination element
 * 1 + its source index, or 0 where it is filled.
 */
export function layoutGather(n: number, transform: (x: Int8Array) => Int8Array): Int32Array {
  if (n + 1 >= 2 ** 24) {
    throw new UnsupportedError(
      `a packed activation of ${n} elements`,
      'the C project packs activations of fewer than 2^24 elements',
    );
  }
  let table: Int32Array | null = null;
  for (const shift of [0, 8, 16]) {
    const plane = new Int8Array(n);
    for (let i = 0; i < n; i++) plane[i] = ((i + 1) >> shift) & 0xff;
    const moved = transform(plane);
    table ??= new Int32Array(moved.length);
    for (let j = 0; j < moved.length; j++) table[j] |= (moved[j] & 0xff) << shift;
  }
  return table ?? new Int32Array(0);
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
  const formOffset = (tensor: string, form: TensorForm): number => {
    const r = regions.get(formRegion(tensor, form));
    if (r === undefined) {
      throw new InternalError(
        `C project: the DRAM plan does not hold '${tensor}' in ${form.layout}`,
      );
    }
    return r.offset;
  };
  const layers: AcceleratorLayer[] = [];
  placements.forEach((p, index) => {
    if (!isScheduled(p)) return;
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
    // A convolution's activations in the workload's layout: the plan's NHWC regions.
    const held =
      node.op === 'QConv'
        ? {
            input: formOffset(node.inputs[0], convInputForm(p)),
            output: formOffset(node.outputs[0], nhwcForm),
          }
        : null;
    const inPlace = held !== null && !target.packsActivations;
    const buffers = program.buffers.map((b): PlacedBuffer => {
      switch (b.role) {
        case 'input':
          return {
            buffer: b,
            offset:
              inPlace && held !== null
                ? held.input
                : (region(`${node.name}/input`, b.bytes) ?? extra(b.bytes)),
            fill: { kind: 'staged' },
          };
        case 'output':
          return {
            buffer: b,
            offset:
              inPlace && held !== null
                ? held.output
                : (region(`${node.name}/output`, b.bytes) ?? extra(b.bytes)),
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
      packing: target.packsActivations ? packing(target, w, mapping, program, held, extra) : null,
    });
  });
  return { plan, totalBytes: top, layers };
}

/**
 * The gather tables of a packing target's layer, and where its activations are in the workload's
 * layouts: a convolution's in the plan's NHWC regions (`held`), a product's in room of their own.
 */
function packing(
  target: AnyTarget,
  w: Workload,
  m: Mapping,
  program: Program,
  held: { readonly input: number; readonly output: number } | null,
  extra: (bytes: number) => number,
): ActivationPacking {
  const sizes = tensorBytes(w);
  const out = program.buffers.find((b) => b.role === 'output');
  if (out === undefined) throw new InternalError(`program ${program.name} has no output buffer`);
  return {
    inputAt: held?.input ?? extra(sizes.input),
    outputAt: held?.output ?? extra(sizes.output),
    input: layoutGather(sizes.input, (x) => target.packInput(w, m, x)),
    output: layoutGather(out.bytes, (x) => target.unpackOutput(w, m, x)),
  };
}

/** A layer's buffer base addresses in trace mode, by buffer name (as `interpret` takes them). */
export function traceBases(layer: AcceleratorLayer): Record<string, number> {
  return Object.fromEntries(layer.buffers.map((b) => [b.buffer.name, traceDramBase + b.offset]));
}
