import { allocate, createDram, readInt8, writeInt32, writeInt8 } from '../../../src/sim/dram.js';
import { simulate, type SimulationResult } from '../../../src/sim/simulate.js';
import type { Target } from '../../../src/target/target.js';
import type { Instr } from '../../../src/targets/gemmini/instr.js';
import type { GemminiMachine } from '../../../src/targets/gemmini/machine.js';
import {
  matmulStream,
  type MatmulStreamParams,
} from '../../../src/targets/gemmini/matmul_stream.js';

/** Runs a matmul through the Gemmini simulator: DRAM set up, stream built, C read back. */
export interface MatmulCase {
  readonly I: number;
  readonly J: number;
  readonly K: number;
  readonly a: Int8Array;
  readonly b: Int8Array;
  readonly bias: Int32Array | null;
  readonly scale: number;
  readonly relu: boolean;
  readonly dataflow: MatmulStreamParams['dataflow'];
  readonly tile?: { readonly i: number; readonly j: number; readonly k: number };
}

export function runMatmul(
  target: Target<Instr, GemminiMachine>,
  x: MatmulCase,
  functional = true,
): { readonly c: Int8Array; readonly result: SimulationResult } {
  const dram = createDram();
  const a = allocate(dram, 'A', x.I * x.K);
  const b = allocate(dram, 'B', x.K * x.J);
  const bias = x.bias === null ? 0 : allocate(dram, 'bias', 4 * x.J);
  const c = allocate(dram, 'C', x.I * x.J);
  writeInt8(dram, a, x.a);
  writeInt8(dram, b, x.b);
  if (x.bias !== null) writeInt32(dram, bias, x.bias);
  const stream = matmulStream(target.spec, {
    I: x.I,
    J: x.J,
    K: x.K,
    a,
    b,
    bias,
    c,
    scale: x.scale,
    relu: x.relu,
    dataflow: x.dataflow,
    tileI: x.tile?.i,
    tileJ: x.tile?.j,
    tileK: x.tile?.k,
  });
  const { result } = simulate(target, stream, dram, { functional });
  return { c: readInt8(dram, c, x.I * x.J), result };
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
