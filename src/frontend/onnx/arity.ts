import type { onnx } from 'onnx-proto';
import { ModelError } from '../../errors.js';
import type { OnnxOpType } from '../../ir/graph.js';

/**
 * How many inputs and outputs each supported op takes, as the ONNX operator schemas say (the union
 * over the opsets gemmforge imports; optional inputs may be given as '').
 */
type Range = readonly [min: number, max: number];

const one: Range = [1, 1];
const two: Range = [2, 2];
const many: Range = [1, Infinity];
const unary = { inputs: one, outputs: one } as const;
const binary = { inputs: two, outputs: one } as const;

const arity: { readonly [K in OnnxOpType]: { readonly inputs: Range; readonly outputs: Range } } = {
  Conv: { inputs: [2, 3], outputs: one },
  QLinearConv: { inputs: [8, 9], outputs: one },
  Gemm: { inputs: [2, 3], outputs: one },
  MatMul: binary,
  QLinearMatMul: { inputs: [8, 8], outputs: one },
  Add: binary,
  Sub: binary,
  Mul: binary,
  Div: binary,
  Pow: binary,
  Sqrt: unary,
  Relu: unary,
  Sigmoid: unary,
  HardSwish: unary,
  Tanh: unary,
  Erf: unary,
  Identity: unary,
  GlobalAveragePool: unary,
  Clip: { inputs: [1, 3], outputs: one },
  HardSigmoid: unary,
  Softmax: unary,
  BatchNormalization: { inputs: [5, 5], outputs: [1, 5] },
  LayerNormalization: { inputs: [2, 3], outputs: [1, 3] },
  MaxPool: { inputs: one, outputs: [1, 2] },
  AveragePool: unary,
  Flatten: unary,
  Reshape: binary,
  Transpose: unary,
  Concat: { inputs: many, outputs: one },
  Split: { inputs: [1, 2], outputs: many },
  Slice: { inputs: [1, 5], outputs: one },
  Gather: binary,
  Shape: unary,
  Unsqueeze: { inputs: [1, 2], outputs: one },
  Squeeze: { inputs: [1, 2], outputs: one },
  ReduceMean: { inputs: [1, 2], outputs: one },
  Cast: unary,
  ConstantOfShape: unary,
  QuantizeLinear: { inputs: [2, 3], outputs: one },
  DequantizeLinear: { inputs: [2, 3], outputs: one },
};

function count([min, max]: Range, what: string): string {
  const n = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  return `${n} ${what}${min === 1 && max === 1 ? '' : 's'}`;
}

/** Refuses a node with more or fewer inputs or outputs than its op takes, naming the node. */
export function checkArity(node: onnx.INodeProto, op: OnnxOpType): void {
  const a = arity[op];
  const given = { inputs: node.input?.length ?? 0, outputs: node.output?.length ?? 0 };
  for (const side of ['inputs', 'outputs'] as const) {
    const [min, max] = a[side];
    if (given[side] < min || given[side] > max) {
      throw new ModelError(
        node.name ?? '',
        op,
        `takes ${count(a[side], side.slice(0, -1))}, got ${given[side]}`,
      );
    }
  }
}
