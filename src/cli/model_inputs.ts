import type { Command } from 'commander';
import type { Graph } from '../ir/graph.js';
import type { HostValue } from '../host/run_graph.js';
import { readNpyFile } from '../host/npy.js';
import { inputValue } from '../passes/calibrate.js';
import { InputError } from '../errors.js';
import { isClassScores, type Labels } from '../driver/classification.js';

/**
 * `--input x.npy` (a one-input model) or `--input name=x.npy`, checked against the graph (shape,
 * dtype, finite values, every input once).
 */
export function readInputs(specs: readonly string[], graph: Graph): Record<string, HostValue> {
  const out: Record<string, HostValue> = {};
  const files = new Map<string, string>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    let name: string;
    let file: string;
    if (eq > 0 && !spec.endsWith('=')) {
      name = spec.slice(0, eq);
      file = spec.slice(eq + 1);
    } else {
      if (graph.inputs.length !== 1) {
        throw new InputError(
          `the model has ${graph.inputs.length} inputs (${graph.inputs.join(', ')}): give --input NAME=FILE.npy`,
        );
      }
      name = graph.inputs[0];
      file = spec;
    }
    const t = graph.tensors[name];
    if (t === undefined || !graph.inputs.includes(name)) {
      throw new InputError(
        `--input ${spec}: the model has no input '${name}' (inputs: ${graph.inputs.join(', ')})`,
      );
    }
    const first = files.get(name);
    if (first !== undefined) {
      throw new InputError(`--input: input '${name}' is given twice (${first} and ${file})`);
    }
    files.set(name, file);
    out[name] = inputValue(graph, name, readNpyFile(file), file, 'refuse');
  }
  const missing = graph.inputs.filter((n) => out[n] === undefined);
  if (missing.length > 0) {
    throw new InputError(
      `--input: no file for input ${missing.map((n) => `'${n}'`).join(', ')} ` +
        '(give every input, or none for seeded random ones)',
    );
  }
  return out;
}

/** Adds `--input` (repeatable) and `--labels` to a command. */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .option(
      '--input <file.npy|name=file.npy>',
      'an input tensor (repeatable); seeded random inputs otherwise',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option(
      '--labels <file.npy>',
      'with --input: the class of each row (integers), for top-1 accuracy of the first output ' +
        'of shape [rows, classes], on the target and on onnxruntime',
    );
}

/** The integer dtypes a labels file may have. */
const labelDTypes: readonly string[] = ['int64', 'int32', 'int16', 'uint16', 'int8', 'uint8'];

/**
 * `--labels FILE.npy`: one class per row of the model's first class-score output (shape
 * [rows, classes]), as integers from 0 to classes − 1; only with `--input` (random inputs have no
 * classes).
 */
export function readLabels(file: string, graph: Graph, inputsGiven: boolean): Labels {
  if (!inputsGiven) {
    throw new InputError('--labels needs --input: they name the classes of the inputs given');
  }
  const output = graph.outputs.find((name) => isClassScores(graph.tensors[name].shape));
  if (output === undefined) {
    throw new InputError(
      `--labels ${file}: the model has no output of shape [rows, classes] to score ` +
        `(outputs: ${graph.outputs.map((n) => `${n} [${graph.tensors[n].shape}]`).join(', ')})`,
    );
  }
  const [rows, classes] = graph.tensors[output].shape;
  const array = readNpyFile(file);
  if (!labelDTypes.includes(array.dtype)) {
    throw new InputError(`${file}: labels must be integers (got ${array.dtype})`);
  }
  if (array.shape.length !== 1 || array.shape[0] !== rows) {
    throw new InputError(
      `${file}: shape [${array.shape}] does not fit output '${output}' of shape ` +
        `[${rows},${classes}] (labels need shape [${rows}])`,
    );
  }
  const data = array.data as ArrayLike<number>;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isInteger(data[i]) || data[i] < 0 || data[i] >= classes) {
      throw new InputError(
        `${file}: element ${i} is ${data[i]}, not a class of output '${output}' ` +
          `(0 to ${classes - 1})`,
      );
    }
  }
  return { file, output, classes: data };
}
