import { f32Bits } from '../../numeric/numeric.js';
import { bool, c, if_, instr, type Arg, type Cond, type Stmt } from '../../program/program.js';
import type { Dataflow } from '../../spec/spec.js';
import { garbageAddr } from './local_addr.js';

/** What Gemmini's GEMM and conv lowerings share: address flags and the configuration preamble. */

export const accFlag = 0x8000_0000;
export const accumulateFlag = 0x4000_0000;
export const garbage: Arg = { addr: c(garbageAddr), rows: c(0), cols: c(0) };
const one = f32Bits(1);

/**
 * One block's multiply on the array: while `first` holds, preload the weights `bd` and overwrite the
 * output `cOp`; otherwise keep the weights already in the array and accumulate into the output.
 */
export function preloadCompute(first: Cond, bd: Arg, cOp: Arg, a: Arg): Stmt {
  return if_(
    first,
    [
      instr('preload', { bd, c: cOp }),
      instr('compute', { accumulated: bool(false), a, bd: garbage }),
    ],
    [
      instr('preload', { bd: garbage, c: cOp }),
      instr('compute', { accumulated: bool(true), a, bd: garbage }),
    ],
  );
}

export interface Preamble {
  readonly dataflow: Dataflow;
  /** Rows between consecutive A rows of a compute (the conv's horizontal stride). */
  readonly aStride: number;
  readonly relu: boolean;
  /** Output DRAM row stride in bytes, and the requantization scale. */
  readonly outRowBytes: number;
  readonly scale: number;
  /** Load slots 0 (inputs), 1 (weights), 2 (bias): DRAM row stride and rows between column blocks. */
  readonly loads: readonly [Slot, Slot, Slot];
}

interface Slot {
  readonly dramStride: number;
  readonly blockStride: number;
}

/** CONFIG_EX, CONFIG_ST and the three CONFIG_LDs a lowered layer starts with. */
export function preamble(p: Preamble): Stmt[] {
  return [
    instr('configEx', {
      dataflow: c(p.dataflow === 'weight-stationary' ? 1 : 0),
      activation: c(0),
      setOnlyStrides: bool(false),
      aTranspose: bool(false),
      bTranspose: bool(false),
      aStride: c(p.aStride),
      accScaleBits: c(one),
      sysShift: c(0),
      cStride: c(1),
    }),
    configSt(p.outRowBytes, p.relu, p.scale),
    ...p.loads.map((slot, i) =>
      instr('configLd', {
        shrink: bool(false),
        slot: c(i),
        pixelRepeats: c(1),
        blockStride: c(slot.blockStride),
        scaleBits: c(one),
        dramStride: c(slot.dramStride),
      }),
    ),
  ];
}

/** CONFIG_ST without pooling: the output's DRAM row stride, ReLU, the fp32 scale of mvouts. */
export function configSt(dramStride: number, relu: boolean, scale: number): Stmt {
  return instr('configSt', {
    activation: c(relu ? 1 : 0),
    poolStride: c(0),
    poolSize: c(0),
    upad: c(0),
    lpad: c(0),
    poolOutDim: c(0),
    porows: c(0),
    pocols: c(0),
    orows: c(0),
    ocols: c(0),
    dramStride: c(dramStride),
    scaleBits: c(f32Bits(scale)),
  });
}
