import { InternalError } from '../errors.js';
import type { Graph, Node, NodeOf } from '../ir/graph.js';
import type { HostTensor } from '../host/host_tensor.js';
import { runHostNode } from '../host/run_graph.js';
import {
  convPad,
  formKey,
  nhwcForm,
  type ActivationLayout,
  type LayoutConversion,
  type TensorForm,
} from '../partition/layout_plan.js';
import { padNhwc, toNchw, toNhwc } from './activation_layout.js';

/**
 * The values of a run that follows a layout plan (src/partition/layout_plan.ts): tensors in the
 * graph's layout in `values` (what the host kernels read), and tensors held in the accelerator's
 * layout (NHWC, [N][H][W][C], padded or not) beside them, each made by the plan's conversions or
 * written by an accelerator convolution.
 */
export interface LayoutStore {
  /** Tensors in the graph's layout: constants, graph inputs, and what was made in that layout. */
  readonly values: Map<string, HostTensor>;
  /** Runs one of the plan's conversions. */
  convert(c: LayoutConversion): void;
  /** Runs a host node in the layout the plan gave it. */
  runHost(node: Node, layout: ActivationLayout): void;
  /**
   * Runs `run` on a node's operands in the layout the plan gave it (a node mapping elements one to
   * one: in NHWC its activations are passed relabelled with their graph shapes) and holds what it
   * stores in that layout.
   */
  runIn<T>(node: Node, layout: ActivationLayout, run: (values: Map<string, HostTensor>) => T): T;
  /** A convolution's input in the workload's layout (padded when `prePad`), as the plan made it. */
  convInput(node: NodeOf<'QConv'>, prePad: boolean): Int8Array;
  /** A fused op's constant operands (weights, bias), from input 1 on. */
  constants(node: Node): (HostTensor | undefined)[];
  /** Holds an accelerator convolution's output as it wrote it (NHWC). */
  holdConvOutput(node: NodeOf<'QConv'>, nhwc: Int8Array): void;
  /** Every tensor in the graph's layout, NHWC-only ones converted (for inspection, not costed). */
  everyValue(): Map<string, HostTensor>;
}

export function createLayoutStore(graph: Graph, values: Map<string, HostTensor>): LayoutStore {
  const other = new Map<string, HostTensor>();
  const key = (name: string, form: TensorForm): string => `${name}\n${formKey(form)}`;
  const held = (name: string, form: TensorForm): HostTensor => {
    const v = form.layout === 'NCHW' ? values.get(name) : other.get(key(name, form));
    if (v === undefined) {
      throw new InternalError(`layout plan: '${name}' is not held in ${formKey(form)}`);
    }
    return v;
  };
  const nchwShape = (name: string): readonly number[] => graph.tensors[name].shape;
  /** An NHWC tensor relabelled with its graph shape, for a kernel that maps elements one to one. */
  const asGraphShaped = (name: string): HostTensor => ({
    ...held(name, nhwcForm),
    shape: nchwShape(name),
  });
  const isActivation = (name: string): boolean =>
    name !== '' &&
    graph.tensors[name]?.data === undefined &&
    graph.tensors[name]?.shape.length === 4;
  const runIn = <T>(
    node: Node,
    layout: ActivationLayout,
    run: (view: Map<string, HostTensor>) => T,
  ): T => {
    if (layout === 'NCHW') return run(values);
    const view = new Map<string, HostTensor>();
    for (const name of node.inputs.filter((n) => n !== '')) {
      const v = isActivation(name) ? asGraphShaped(name) : values.get(name);
      if (v !== undefined) view.set(name, v);
    }
    const result = run(view);
    for (const name of node.outputs.filter((n) => n !== '')) {
      const v = view.get(name) as HostTensor;
      const [N, C, H, W] = v.shape;
      other.set(key(name, nhwcForm), { ...v, shape: [N, H, W, C] });
    }
    return result;
  };
  return {
    values,
    convert(c) {
      const from = held(c.tensor, c.from);
      if (c.to.layout === 'NCHW') {
        values.set(c.tensor, toNchw(from));
        return;
      }
      if (c.from.layout === 'NCHW') {
        other.set(key(c.tensor, c.to), toNhwc(from, c.to.pad ?? undefined));
        return;
      }
      if (c.to.pad === null) {
        throw new InternalError(`layout plan: '${c.name}' copies NHWC to NHWC without padding`);
      }
      other.set(key(c.tensor, c.to), padNhwc(from, c.to.pad));
    },
    runHost(node, layout) {
      runIn(node, layout, (view) => runHostNode(graph, node, view));
    },
    runIn,
    convInput(node, prePad) {
      const form = prePad ? { layout: 'NHWC' as const, pad: convPad(node.attrs) } : nhwcForm;
      return held(node.inputs[0], form).data as Int8Array;
    },
    constants(node) {
      return node.inputs.slice(1).map((name) => (name === '' ? undefined : values.get(name)));
    },
    holdConvOutput(node, nhwc) {
      const [N, K, P, Q] = nchwShape(node.outputs[0]);
      if (nhwc.length !== N * K * P * Q) {
        throw new InternalError(
          `'${node.name}' wrote ${nhwc.length} elements for [${N}, ${K}, ${P}, ${Q}]`,
        );
      }
      other.set(key(node.outputs[0], nhwcForm), { dtype: 'int8', shape: [N, P, Q, K], data: nhwc });
    },
    everyValue() {
      const all = new Map(values);
      for (const name of Object.keys(graph.tensors)) {
        if (!all.has(name) && other.has(key(name, nhwcForm))) {
          all.set(name, toNchw(held(name, nhwcForm)));
        }
      }
      return all;
    },
  };
}
