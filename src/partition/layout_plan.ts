import { elementCount, type DType, type Graph, type Node, type NodeOf } from '../ir/graph.js';
import { isScheduled, type Placement, type ScheduledPlacement } from './partition.js';

/**
 * Layouts decided once, for the whole graph. A 4-D activation is held in the graph's layout (ONNX:
 * NCHW) or in the accelerator's (the workload's DRAM layout, workload.ts: NHWC), the latter padded
 * when a convolution reads it padded with its zero point. An accelerator convolution writes NHWC
 * and reads NHWC; a host node that only maps elements one to one (layoutFree), and an accelerator
 * vector op (element-wise by construction), runs in whichever layout its operands are in; every other host node, and every graph output, needs NCHW. A
 * conversion happens only where a reader needs a form the tensor is not yet held in, and each one
 * is a step of the plan, placed just before its first reader.
 */

export type ActivationLayout = 'NCHW' | 'NHWC';

/** Padding of an NHWC activation: rows above and below, columns left and right, and their value. */
export interface ActivationPad {
  /** [top, left, bottom, right], the order of a QConv's `pads`. */
  readonly pads: readonly [number, number, number, number];
  readonly value: number;
}

/** How an activation is held: its layout and, for NHWC, the padding a convolution reads. */
export interface TensorForm {
  readonly layout: ActivationLayout;
  readonly pad: ActivationPad | null;
}

/** One copy of a tensor into another form, run on the host. */
export interface LayoutConversion {
  /** The tensor and the form it is copied into, e.g. `x → NHWC padded (-128)`. */
  readonly name: string;
  /** `LayoutConversion` when the layout changes, `PadCopy` when only padding is added. */
  readonly op: 'LayoutConversion' | 'PadCopy';
  readonly tensor: string;
  readonly from: TensorForm;
  readonly to: TensorForm;
  readonly dtype: DType;
  /** Elements written (padding included). */
  readonly elements: number;
  /** Who needs the new form. */
  readonly reason: string;
}

export type PlanStep =
  | {
      readonly kind: 'node';
      readonly placement: Placement;
      /** The layout the node reads and writes its 4-D activations in. */
      readonly layout: ActivationLayout;
    }
  | { readonly kind: 'conversion'; readonly conversion: LayoutConversion };

export const graphForm: TensorForm = { layout: 'NCHW', pad: null };
export const nhwcForm: TensorForm = { layout: 'NHWC', pad: null };

/** A form as a short label: `NCHW`, `NHWC`, `NHWC padded (-128)`. */
export function formLabel(form: TensorForm): string {
  return form.pad === null ? form.layout : `${form.layout} padded (${form.pad.value})`;
}

/** A key telling forms apart (two paddings of one tensor are two forms). */
export function formKey(form: TensorForm): string {
  return form.pad === null
    ? form.layout
    : `${form.layout}:${form.pad.pads.join(',')}:${form.pad.value}`;
}

/** A convolution's padding as the padding of its NHWC input, with the value it reads. */
export function convPad(attrs: NodeOf<'QConv'>['attrs']): ActivationPad {
  const [pT, pL, pB, pR] = attrs.pads;
  return { pads: [pT, pL, pB, pR], value: attrs.padValue };
}

/** The form an accelerator convolution reads its input in: NHWC, padded when the runtime pads. */
export function convInputForm(p: ScheduledPlacement): TensorForm {
  return p.node.op === 'QConv' && p.fused.prePad
    ? { layout: 'NHWC', pad: convPad(p.node.attrs) }
    : nhwcForm;
}

/** A tensor in the form a step reads or writes it. */
export interface TensorUse {
  readonly tensor: string;
  readonly form: TensorForm;
}

/**
 * The non-constant tensors a step reads and writes, each in its form: a 4-D activation in the
 * node's layout (an accelerator convolution's input as `convInputForm`), anything else as the
 * graph holds it; a conversion reads its `from` form and writes its `to` form.
 */
export function stepTensors(
  step: PlanStep,
  graph: Graph,
): { readonly reads: TensorUse[]; readonly writes: TensorUse[] } {
  if (step.kind === 'conversion') {
    const c = step.conversion;
    return {
      reads: [{ tensor: c.tensor, form: c.from }],
      writes: [{ tensor: c.tensor, form: c.to }],
    };
  }
  const { placement: p, layout } = step;
  const convInput = isScheduled(p) && p.node.op === 'QConv' ? p.node.inputs[0] : undefined;
  const uses = (names: readonly string[]): TensorUse[] =>
    names
      .filter((name) => name !== '' && graph.tensors[name]?.data === undefined)
      .map((tensor) => {
        if (graph.tensors[tensor].shape.length !== 4) return { tensor, form: graphForm };
        if (tensor === convInput && isScheduled(p)) return { tensor, form: convInputForm(p) };
        return { tensor, form: layout === 'NHWC' ? nhwcForm : graphForm };
      });
  return { reads: uses(p.node.inputs), writes: uses(p.node.outputs) };
}

/** The shape of a 4-D NCHW tensor held in `form` ([N][H][W][C] for NHWC, padding included). */
export function formShape(shape: readonly number[], form: TensorForm): number[] {
  if (form.layout === 'NCHW') return [...shape];
  const [N, C, H, W] = shape;
  const [pT, pL, pB, pR] = form.pad?.pads ?? [0, 0, 0, 0];
  return [N, H + pT + pB, W + pL + pR, C];
}

const oneToOneOps: ReadonlySet<string> = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Relu',
  'Clip',
  'Sigmoid',
  'Tanh',
  'Erf',
  'Sqrt',
  'HardSigmoid',
  'HardSwish',
  'Identity',
  'Cast',
  'QuantizeLinear',
  'DequantizeLinear',
]);

/**
 * Whether a host node computes each output element from the same element of its operands only, so
 * any layout will do: an elementwise op, activation or per-tensor (de)quantization whose every
 * operand is a single value or an activation of the output's shape (a per-channel operand would
 * need its channel axis found).
 */
export function layoutFree(node: Node, graph: Graph): boolean {
  if (!oneToOneOps.has(node.op)) return false;
  const out = graph.tensors[node.outputs[0]]?.shape;
  if (out === undefined) return false;
  return node.inputs.every((name) => {
    if (name === '') return true;
    const t = graph.tensors[name];
    if (elementCount(t.shape) === 1) return true;
    return (
      t.data === undefined && t.shape.length === out.length && t.shape.every((d, i) => d === out[i])
    );
  });
}

/** The plan: every node in graph order, with the conversions its inputs need just before it. */
export function planLayouts(graph: Graph, placements: readonly Placement[]): PlanStep[] {
  const activation = (name: string): boolean => {
    const t = name === '' ? undefined : graph.tensors[name];
    return t !== undefined && t.data === undefined && t.shape.length === 4;
  };
  const held = new Map<string, Map<string, TensorForm>>();
  const hold = (name: string, form: TensorForm): void => {
    if (!activation(name)) return;
    const forms = held.get(name) ?? new Map<string, TensorForm>();
    forms.set(formKey(form), form);
    held.set(name, forms);
  };
  const holds = (name: string, form: TensorForm): boolean =>
    held.get(name)?.has(formKey(form)) ?? false;
  const steps: PlanStep[] = [];
  const need = (name: string, to: TensorForm, reason: string): void => {
    if (!activation(name) || holds(name, to)) return;
    const from = to.layout === 'NCHW' || holds(name, nhwcForm) ? nhwcForm : graphForm;
    const t = graph.tensors[name];
    const op = from.layout === to.layout ? 'PadCopy' : 'LayoutConversion';
    steps.push({
      kind: 'conversion',
      conversion: {
        name: `${name} → ${formLabel(to)}`,
        op,
        tensor: name,
        from,
        to,
        dtype: t.dtype,
        elements: elementCount(formShape(t.shape, to)),
        reason,
      },
    });
    hold(name, to);
  };
  for (const name of graph.inputs) hold(name, graphForm);
  for (const p of placements) {
    const node = p.node;
    const label = `${node.op} '${node.name}'`;
    let layout: ActivationLayout = 'NCHW';
    if (isScheduled(p) && node.op === 'QConv') {
      const { pad } = convInputForm(p);
      const why =
        pad === null
          ? `${label} on the accelerator reads NHWC`
          : `${label} on the accelerator reads NHWC padded with ${pad.value} (its input's zero ` +
            'point; the target pads with zeros only)';
      need(node.inputs[0], { layout: 'NHWC', pad }, why);
      layout = 'NHWC';
    } else if ((p.placement === 'host' && layoutFree(node, graph)) || 'vector' in p) {
      const operands = node.inputs.filter(activation);
      const inNhwc = operands.filter((name) => holds(name, nhwcForm)).length;
      layout = operands.length > 0 && 2 * inNhwc >= operands.length ? 'NHWC' : 'NCHW';
      const form = layout === 'NHWC' ? nhwcForm : graphForm;
      for (const name of operands) {
        need(name, form, `${label} runs in ${layout}, the layout of its other operands`);
      }
    } else {
      const where = p.placement === 'host' ? 'on the host' : 'on the accelerator';
      for (const name of node.inputs) need(name, graphForm, `${label} ${where} reads NCHW`);
    }
    steps.push({ kind: 'node', placement: p, layout });
    for (const name of node.outputs) hold(name, layout === 'NHWC' ? nhwcForm : graphForm);
  }
  for (const name of graph.outputs) {
    need(name, graphForm, `graph output '${name}' is returned in the model's layout (NCHW)`);
  }
  return steps;
}
