import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { seededRandom } from '../../src/numeric/numeric.js';

const { ModelProto } = onnxProto.onnx;

/** A seeded source of choices: the same seed gives the same cases on every machine. */
export interface Rng {
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

export function rng(seed: number): Rng {
  const next = seededRandom(seed);
  const int = (n: number): number => next() % n;
  return {
    int,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)],
    chance: (p: number): boolean => next() / 2 ** 32 < p,
  };
}

/** Numbers a user might type or a broken file might hold: edges, signs, huge and fractional. */
const edgeNumbers = [0, 1, -1, 2, 3, 7, 16, 255, 256, 65535, 2 ** 31 - 1, 2 ** 31, 1e9, 1e12, -5];
const edgeNumberText = [
  ...edgeNumbers.map(String),
  '1e12',
  '0x10',
  '1.5',
  '',
  'NaN',
  'Infinity',
  '-0',
  '999999999999999999999',
  'abc',
];

export function edgeNumber(r: Rng): number {
  return r.pick(edgeNumbers);
}

export function edgeText(r: Rng): string {
  return r.pick(edgeNumberText);
}

/**
 * One structure-aware change to a decoded ONNX model: a graph input's dimension, an attribute's
 * value or type, a node's inputs or outputs, an initializer's data type or size, the graph's
 * outputs, or a node's op type. What breaks is the point: the CLI must say so.
 */
function mutateModelOnce(model: onnx.ModelProto, r: Rng): string {
  const graph = model.graph;
  if (graph === null || graph === undefined) return 'no graph';
  const nodes = graph.node ?? [];
  const node = nodes.length > 0 ? r.pick(nodes) : undefined;
  switch (r.int(8)) {
    case 0: {
      const dims = (graph.input ?? []).flatMap((i) => i.type?.tensorType?.shape?.dim ?? []);
      if (dims.length === 0) return 'no input dims';
      const d = r.pick(dims);
      d.dimValue = edgeNumber(r);
      d.dimParam = undefined;
      return `input dim ${String(d.dimValue)}`;
    }
    case 1: {
      const attrs = node?.attribute ?? [];
      if (attrs.length === 0) return 'no attribute';
      const a = r.pick(attrs);
      if (a.ints !== undefined && a.ints !== null && a.ints.length > 0) {
        a.ints = a.ints.map((x) => (r.chance(0.5) ? edgeNumber(r) : x));
      } else if (r.chance(0.5)) {
        a.i = edgeNumber(r);
      } else {
        a.f = r.pick([Number.NaN, Infinity, -1, 0, 1e30]);
      }
      return `attribute ${node?.name}.${a.name}`;
    }
    case 2: {
      if (node === undefined) return 'no node';
      node.input = r.chance(0.5) ? (node.input ?? []).slice(0, -1) : [...(node.input ?? []), 'x'];
      return `inputs of ${node.name}`;
    }
    case 3: {
      if (node === undefined) return 'no node';
      node.attribute = [
        ...(node.attribute ?? []),
        { name: r.pick(['bogus', 'group', 'axis']), i: 3 },
      ];
      return `extra attribute on ${node.name}`;
    }
    case 4: {
      const inits = graph.initializer ?? [];
      if (inits.length === 0) return 'no initializer';
      const t = r.pick(inits);
      if (r.chance(0.5)) t.dataType = r.int(17);
      else t.dims = (t.dims ?? []).map((d) => (r.chance(0.3) ? edgeNumber(r) : d));
      return `initializer ${t.name}`;
    }
    case 5: {
      graph.output = r.chance(0.5) ? [] : [...(graph.output ?? []), { name: 'nosuch' }];
      return 'graph outputs';
    }
    case 6: {
      if (node === undefined) return 'no node';
      node.opType = r.pick(['Relu', 'Conv', 'Gemm', 'Add', 'NoSuchOp', 'MaxPool', '']);
      return `op type of ${node.name}`;
    }
    default: {
      if (node === undefined) return 'no node';
      graph.node = nodes.filter((n) => n !== node);
      return `removed ${node.name}`;
    }
  }
}

/** The model's bytes after one to three changes, or (one time in eight) bytes cut or flipped. */
export function mutateModel(bytes: Uint8Array, r: Rng): { bytes: Uint8Array; what: string } {
  if (r.chance(0.125)) {
    const out = Uint8Array.from(bytes);
    if (r.chance(0.5)) return { bytes: out.subarray(0, r.int(out.length)), what: 'truncated' };
    for (let i = 0; i < 1 + r.int(8); i++) out[r.int(out.length)] ^= 1 << r.int(8);
    return { bytes: out, what: 'bytes flipped' };
  }
  const model = ModelProto.decode(bytes);
  const changes: string[] = [];
  for (let i = 0, n = 1 + r.int(3); i < n; i++) changes.push(mutateModelOnce(model, r));
  return { bytes: ModelProto.encode(model).finish(), what: changes.join('; ') };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value in a JSON document. */
function leafPaths(x: Json, at: (string | number)[] = []): (string | number)[][] {
  if (x === null || typeof x !== 'object') return [at];
  const entries: [string | number, Json][] = Array.isArray(x)
    ? x.map((v, i) => [i, v])
    : Object.entries(x);
  return [at, ...entries.flatMap(([k, v]) => leafPaths(v, [...at, k]))];
}

/**
 * A spec with one or two fields changed: a number doubled, halved or set to an edge value, any
 * value to another type, a field deleted or a memory's parent pointed elsewhere.
 */
export function mutateSpec(spec: Json, r: Rng): { json: Json; what: string } {
  const json = structuredClone(spec);
  const changes: string[] = [];
  for (let i = 0, n = 1 + r.int(2); i < n; i++) {
    const path = r.pick(leafPaths(json).filter((p) => p.length > 0));
    let parent = json as { [key: string | number]: Json };
    for (const k of path.slice(0, -1)) parent = parent[k] as { [key: string | number]: Json };
    const key = path[path.length - 1];
    const old = parent[key];
    const choice = r.int(4);
    if (typeof old === 'number' && choice < 2) parent[key] = r.pick([old * 2, Math.floor(old / 2)]);
    else if (choice === 0 && !Array.isArray(parent)) delete parent[key];
    else if (choice === 1 || typeof old === 'number') parent[key] = edgeNumber(r);
    else if (key === 'parent') parent[key] = r.pick(['scratchpad', 'accumulator', 'nosuch']);
    else parent[key] = r.pick<Json>([null, 'x', true, [], {}, -1]);
    changes.push(path.join('.'));
  }
  return { json, what: changes.join('; ') };
}

/** An .npy file for a model input: the right header with odd values, or a broken header. */
export function mutatedNpy(shape: readonly number[], r: Rng): { bytes: Uint8Array; what: string } {
  const dims = shape.map((d) => (r.chance(0.2) ? edgeNumber(r) & 0xff : d));
  const count = dims.reduce((a, b) => a * b, 1);
  const dtype = r.pick(['<f4', '<f8', '|i1', '<i4']);
  const size = { '<f4': 4, '<f8': 8, '|i1': 1, '<i4': 4 }[dtype] ?? 4;
  let header = `{'descr': '${dtype}', 'fortran_order': ${r.chance(0.1)}, 'shape': (${dims.join(', ')}${dims.length === 1 ? ',' : ''}), }`;
  if (r.chance(0.1)) header = header.slice(0, r.int(header.length));
  const pad = 64 - ((10 + header.length + 1) % 64);
  const head = new TextEncoder().encode(header + ' '.repeat(pad % 64) + '\n');
  const body = new Uint8Array(r.chance(0.1) ? r.int(64) : count * size);
  const view = new DataView(body.buffer);
  if (dtype === '<f4') {
    for (let i = 0; i + 4 <= body.length; i += 4) {
      view.setFloat32(i, r.pick([0, 1, -1, 1e30, Number.NaN, Infinity, 0.5]), true);
    }
  }
  const out = new Uint8Array(10 + head.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, head.length & 0xff, head.length >> 8]);
  out.set(head, 10);
  out.set(body, 10 + head.length);
  return { bytes: out, what: `npy ${dtype} (${dims.join('×')})` };
}
