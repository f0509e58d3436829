import {
  isOnnxNode,
  type Graph,
  type NodeOf,
  type OnnxOpType,
  type Tensor,
} from '../../ir/graph.js';
import { ModelError } from '../../errors.js';
import { sliceRanges } from './layout_shapes.js';
import type { RuleContext, TensorType } from './rule_context.js';
import { shapeRules } from './shape_rules.js';
import { constantValue, isTrackedType, propagateValue } from './shape_values.js';

function applyRule<K extends OnnxOpType>(node: NodeOf<K>, ctx: RuleContext): readonly TensorType[] {
  const rule: (n: NodeOf<K>, c: RuleContext) => readonly TensorType[] = shapeRules[node.op];
  return rule(node, ctx);
}

/** The value of a 1-D Slice output, which shape computations sometimes use (Shape → Slice). */
function sliceValue(
  node: NodeOf<'Slice'>,
  ctx: RuleContext,
  data: readonly number[] | undefined,
): readonly number[] | undefined {
  if (data === undefined || ctx.input(0).shape.length !== 1) {
    return undefined;
  }
  const [r] = sliceRanges(node, ctx);
  return Array.from({ length: r.count }, (_, i) => data[r.start + i * r.step]);
}

/**
 * Infers every node output's dtype and shape, in node order. Takes a graph whose `tensors` hold at
 * least the graph inputs and constants, and returns it with an entry for every node output
 * (existing entries for node outputs are recomputed). Throws a ModelError naming the node when an
 * input is undefined, the inputs do not fit the op, or a shape depends on a value that is not known
 * at compile time.
 */
export function inferShapes(graph: Graph): Graph {
  const tensors: Record<string, Tensor> = {};
  const values = new Map<string, readonly number[]>();
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  for (const [name, t] of Object.entries(graph.tensors)) {
    if (!produced.has(name)) {
      tensors[name] = t;
      const v = constantValue(t);
      if (v !== undefined) {
        values.set(name, v);
      }
    }
  }
  for (const node of graph.nodes) {
    const fail = (reason: string): never => {
      throw new ModelError(node.name, node.op, reason);
    };
    const present = (i: number) => i < node.inputs.length && node.inputs[i] !== '';
    const ctx: RuleContext = {
      opset: graph.opset,
      has: present,
      input: (i) => {
        if (!present(i)) {
          return fail(`input ${i} is missing`);
        }
        const t = tensors[node.inputs[i]];
        return t ?? fail(`input '${node.inputs[i]}' is not defined before this node`);
      },
      value: (i, what) => {
        ctx.input(i);
        const v = values.get(node.inputs[i]);
        return v ?? fail(`${what} (input '${node.inputs[i]}') is not a compile-time constant`);
      },
      fail,
    };
    node.inputs.forEach((_, i) => present(i) && ctx.input(i));
    if (!isOnnxNode(node))
      return fail('is not an ONNX op; shape inference runs on imported graphs');
    const types = applyRule(node, ctx);
    node.outputs.forEach((name, i) => {
      if (name === '') {
        return;
      }
      const type = types[i] ?? fail(`output ${i} ('${name}') is not supported`);
      if (tensors[name] !== undefined) {
        fail(`output '${name}' is defined twice`);
      }
      tensors[name] = { name, dtype: type.dtype, shape: type.shape };
    });
    if (types.length > 0 && isTrackedType(types[0]) && node.outputs[0] !== '') {
      const valueInputs = {
        shape: (i: number) => ctx.input(i).shape,
        value: (i: number) => (present(i) ? values.get(node.inputs[i]) : undefined),
      };
      const v =
        node.op === 'Slice'
          ? sliceValue(node, ctx, valueInputs.value(0))
          : propagateValue(node, valueInputs, types[0].shape);
      if (v !== undefined) {
        values.set(node.outputs[0], v);
      }
    }
  }
  return { ...graph, tensors };
}
