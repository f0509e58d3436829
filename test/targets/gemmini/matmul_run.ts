import { runLayer } from '../../../src/runtime/run_layer.js';
import type { SimulationResult } from '../../../src/runtime/simulate.js';
import type { Mapping } from '../../../src/mapping/mapping.js';
import type { AnyTarget } from '../../../src/contract/target.js';
import type { GemmWorkload } from '../../../src/workload/workload.js';

/** A matmul run through lowering and the simulator with a fixed tiling, C read back. */
export interface MatmulCase {
  readonly I: number;
  readonly J: number;
  readonly K: number;
  readonly a: Int8Array;
  readonly b: Int8Array;
  readonly bias: Int32Array | null;
  readonly scale: number;
  readonly relu: boolean;
  readonly dataflow: Mapping['dataflow'];
  /** Tile in array blocks (default 4 × 4 × 4), every tensor double-buffered, k innermost. */
  readonly tile?: { readonly i: number; readonly j: number; readonly k: number };
}

export function runMatmul(
  target: unknown,
  x: MatmulCase,
  functional = true,
): { readonly c: Int8Array; readonly result: SimulationResult } {
  const t = target as AnyTarget;
  const dim = t.spec.array.rows;
  const w: GemmWorkload = {
    kind: 'gemm',
    name: `gemm ${x.I}x${x.J}x${x.K}`,
    M: x.I,
    N: x.J,
    K: x.K,
    bias: x.bias !== null,
    requant: 'per-tensor',
    activation: x.relu ? 'relu' : 'none',
  };
  const tile = x.tile ?? { i: 4, j: 4, k: 4 };
  const m: Mapping = {
    dataflow: x.dataflow,
    spatial:
      x.dataflow === 'weight-stationary' ? { rows: 'K', cols: 'N' } : { rows: 'M', cols: 'N' },
    tile: {
      M: Math.min(x.I, tile.i * dim),
      N: Math.min(x.J, tile.j * dim),
      K: Math.min(x.K, tile.k * dim),
    },
    order: ['M', 'N', 'K'],
    resident: { input: [], weight: [], output: [] },
    doubleBuffer: { input: true, weight: true, output: true },
  };
  const data = functional ? { input: x.a, weight: x.b, bias: x.bias, scale: x.scale } : null;
  const run = runLayer(t, w, m, data);
  return { c: run.output ?? new Int8Array(0), result: run.result };
}

/** A deterministic int8 array from a seed (xorshift). */
export function randomInt8(n: number, seed: number): Int8Array {
  const out = new Int8Array(n);
  let s = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}
