import { readFileSync } from 'node:fs';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { elementCount, type Graph } from '../../src/ir/graph.js';
import type { HostTensor } from '../../src/host/host_tensor.js';
import { runGraphOnHost } from '../../src/host/run_graph.js';
import { modelDir } from '../fixtures/models.js';
import { mulberry32 } from '../fixtures/random.js';

export function loadModel(model: string): Graph {
  return importOnnx(readFileSync(`${modelDir}/${model}.onnx`), `${model}.onnx`);
}

/** Node counts by op type. */
export function opCounts(graph: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of graph.nodes) counts[node.op] = (counts[node.op] ?? 0) + 1;
  return counts;
}

/**
 * Runs the graph on its single input, uniform in [lo, hi) (mulberry32, seed 1234), returning the
 * named tensors (they must be graph outputs or node outputs of the graph).
 */
export function runSeeded(
  graph: Graph,
  lo: number,
  hi: number,
  names: readonly string[],
): Record<string, HostTensor> {
  const inName = graph.inputs[0];
  const shape = graph.tensors[inName].shape;
  const rand = mulberry32(1234);
  const x = Float32Array.from({ length: elementCount(shape) }, () => lo + (hi - lo) * rand());
  return runGraphOnHost({ ...graph, outputs: names }, { [inName]: { data: x, shape } });
}

/**
 * A cheap fingerprint of a big graph for purity checks on fixtures: everything but constant data
 * as JSON, plus a checksum of each constant (the small hand-built graphs are deep-compared).
 */
export function fingerprint(graph: Graph): string {
  const tensors = Object.values(graph.tensors).map((t) => {
    let sum = 0;
    const data: ArrayLike<number> = t.data ?? [];
    for (let i = 0; i < data.length; i++) sum += data[i] * ((i % 7) + 1);
    return { ...t, data: t.data === undefined ? undefined : sum };
  });
  return JSON.stringify({ ...graph, tensors });
}

/** How many elements differ between two equally long arrays. */
export function mismatches(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) n++;
  return n;
}

/** The largest |got − want| and |want| over two equally long arrays. */
export function maxAbs(got: ArrayLike<number>, want: ArrayLike<number>) {
  let err = 0;
  let ref = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    ref = Math.max(ref, Math.abs(want[i]));
  }
  return { err, ref };
}
