import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { InputError, UnsupportedError } from '../../errors.js';
import {
  elementCount,
  isSupportedOp,
  supportedOps,
  type Graph,
  type Node,
  type Tensor,
} from '../../ir/graph.js';
import { checkArity } from './arity.js';
import { constantValue, parseNode } from './attributes.js';
import { inferShapes } from './shape_inference.js';
import { dtypeOfCode, int64ToNumber, tensorFromProto } from './tensor_proto.js';

const { ModelProto } = onnxProto.onnx;

/** Default-domain opsets gemmforge accepts. */
export const minOpset = 9;
export const maxOpset = 18;

function decodeModel(bytes: Uint8Array, fileName: string): onnx.ModelProto {
  let model: onnx.ModelProto;
  try {
    model = ModelProto.decode(bytes);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new InputError(
      `${fileName}: not a valid ONNX model (protobuf decoding failed: ${detail}); ` +
        'the file may be truncated or not an .onnx file',
    );
  }
  if (model.graph === null || model.graph === undefined) {
    throw new InputError(`${fileName}: not a valid ONNX model (it has no graph)`);
  }
  if ((model.opsetImport ?? []).length === 0) {
    throw new InputError(`${fileName}: not a valid ONNX model (it declares no opset)`);
  }
  return model;
}

function defaultOpset(model: onnx.ModelProto, fileName: string): number {
  const entry = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (entry === undefined) {
    throw new InputError(`${fileName}: the model imports no default-domain (ai.onnx) opset`);
  }
  const opset = int64ToNumber(entry.version ?? 0);
  if (opset < minOpset || opset > maxOpset) {
    throw new UnsupportedError(
      `${fileName}: opset ${opset}`,
      `gemmforge imports opsets ${minOpset} to ${maxOpset}; re-export the model at one of them`,
    );
  }
  return opset;
}

/** Options of `importOnnx`. */
export interface ImportOptions {
  /**
   * Shapes for graph inputs, by name: they replace the declared shape (which may have symbolic
   * dimensions), keeping its rank; fixed declared dimensions must agree.
   */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
}

/**
 * A graph input's tensor from its declared type; every dimension must be a number, or be given by
 * `override`.
 */
function inputTensor(
  v: onnx.IValueInfoProto,
  fileName: string,
  override: readonly number[] | undefined,
): Tensor {
  const name = v.name ?? '';
  const tt = v.type?.tensorType;
  if (tt === null || tt === undefined) {
    throw new UnsupportedError(
      `${fileName}: graph input '${name}'`,
      'only tensor inputs are supported',
    );
  }
  const dims = tt.shape?.dim;
  if (dims === null || dims === undefined) {
    throw new InputError(`${fileName}: graph input '${name}' has no shape`);
  }
  if (override !== undefined && override.length !== dims.length) {
    throw new InputError(
      `${fileName}: graph input '${name}' has rank ${dims.length}; the shape given is [${override}]`,
    );
  }
  const shape = dims.map((d, i) => {
    const fixed =
      d.dimValue === null || d.dimValue === undefined ? undefined : int64ToNumber(d.dimValue);
    const given = override?.[i];
    if (given !== undefined) {
      if (!Number.isInteger(given) || given < 1) {
        throw new InputError(`${fileName}: input shape for '${name}' has dimension ${given}`);
      }
      if (fixed !== undefined && fixed !== given) {
        throw new InputError(
          `${fileName}: graph input '${name}' dimension ${i} is ${fixed}; the shape given says ${given}`,
        );
      }
      return given;
    }
    if (fixed !== undefined && (!Number.isSafeInteger(fixed) || fixed < 1)) {
      throw new InputError(
        `${fileName}: graph input '${name}' dimension ${i} is ${fixed}; every dimension must be ` +
          'a positive integer',
      );
    }
    if (fixed === undefined) {
      const symbol = d.dimParam ? `'${d.dimParam}'` : 'unknown';
      throw new InputError(
        `${fileName}: graph input '${name}' dimension ${i} is ${symbol}; give it a fixed size ` +
          `(--input-shape ${name}=${dims.map((x) => (x.dimValue === null || x.dimValue === undefined ? 'N' : String(x.dimValue))).join('x')})`,
      );
    }
    return fixed;
  });
  return { name, dtype: dtypeOfCode(tt.elemType ?? 0, `graph input '${name}'`), shape };
}

/** The most elements one tensor may hold: what a typed array of 4-byte values can address. */
export const maxTensorElements = 2 ** 31 - 1;

/**
 * Refuses a graph input or node output whose inferred shape has a negative or fractional dimension
 * or more elements than `maxTensorElements`, before anything of that size is allocated.
 */
function checkTensorSizes(graph: Graph, fileName: string): void {
  const names = [...graph.inputs, ...graph.nodes.flatMap((n) => n.outputs)];
  for (const t of names.map((n) => graph.tensors[n]).filter((t) => t !== undefined)) {
    if (t.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new InputError(`${fileName}: tensor '${t.name}' has shape [${t.shape}]`);
    }
    const count = elementCount(t.shape);
    if (count > maxTensorElements) {
      throw new InputError(
        `${fileName}: tensor '${t.name}' of shape [${t.shape}] has ${count} elements; ` +
          `gemmforge holds at most ${maxTensorElements} elements in one tensor`,
      );
    }
  }
}

function unsupportedOp(n: onnx.INodeProto, opset: number): UnsupportedError {
  const domain = n.domain ? ` in domain '${n.domain}'` : '';
  return new UnsupportedError(
    `node '${n.name ?? ''}' (${n.opType}${domain}, opset ${opset})`,
    `op ${n.opType} is not supported; gemmforge supports: ${supportedOps.join(', ')}`,
  );
}

/**
 * Imports an ONNX model (the bytes of an .onnx file) into the graph IR: initializers and Constant
 * nodes become constant tensors, attributes are parsed per op, and every tensor's dtype and shape
 * are inferred. `fileName` names the model in errors.
 */
export function importOnnx(
  bytes: Uint8Array,
  fileName: string,
  options: ImportOptions = {},
): Graph {
  const model = decodeModel(bytes, fileName);
  const opset = defaultOpset(model, fileName);
  const g = model.graph as onnx.IGraphProto;
  const tensors: Record<string, Tensor> = {};
  for (const init of g.initializer ?? []) {
    const name = init.name ?? '';
    tensors[name] = tensorFromProto(init, name);
  }
  const inputs: string[] = [];
  for (const v of g.input ?? []) {
    const name = v.name ?? '';
    if (tensors[name] === undefined) {
      tensors[name] = inputTensor(v, fileName, options.inputShapes?.[name]);
      inputs.push(name);
    }
  }
  for (const name of Object.keys(options.inputShapes ?? {})) {
    if (!inputs.includes(name)) {
      throw new InputError(
        `${fileName}: a shape is given for '${name}', which is not a graph input (inputs: ${inputs.join(', ')})`,
      );
    }
  }
  const nodes: Node[] = [];
  for (const n of g.node ?? []) {
    const op = n.opType ?? '';
    const inDefaultDomain = !n.domain || n.domain === 'ai.onnx';
    if (op === 'Constant' && inDefaultDomain) {
      const name = n.output?.[0] ?? '';
      tensors[name] = tensorFromProto(constantValue(n), name);
    } else if (isSupportedOp(op) && inDefaultDomain) {
      checkArity(n, op);
      nodes.push(parseNode(n, op, opset));
    } else {
      throw unsupportedOp(n, opset);
    }
  }
  const outputs = (g.output ?? []).map((v) => v.name ?? '');
  if (outputs.length === 0) {
    throw new InputError(`${fileName}: the graph declares no outputs; there is nothing to compute`);
  }
  const graph = inferShapes({ name: g.name ?? '', opset, inputs, outputs, tensors, nodes });
  for (const o of outputs) {
    if (graph.tensors[o] === undefined) {
      throw new InputError(`${fileName}: graph output '${o}' is not produced by any node`);
    }
  }
  checkTensorSizes(graph, fileName);
  return graph;
}
