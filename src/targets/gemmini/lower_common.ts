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
  /** Scratchpad rows each moved-in row is also written to, shifted (absent: 1, docs/gemmini.md §3.4). */
  readonly pixelRepeats?: number;
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
        pixelRepeats: c(slot.pixelRepeats ?? 1),
        blockStride: c(slot.blockStride),
        scaleBits: c(one),
        dramStride: c(slot.dramStride),
      }),
    ),
  ];
}

/**
 * A pooled store's geometry for CONFIG_ST (docs/gemmini.md §8.3): `size` × `size` windows at
 * `stride` over an `orows` × `ocols` block of local rows, `porows` × `pocols` outputs written
 * `outDim` pixels a DRAM row; no RTL padding (upad = lpad = 0).
 */
export interface StorePool {
  readonly size: number;
  readonly stride: number;
  readonly outDim: number;
  readonly porows: number;
  readonly pocols: number;
  readonly orows: number;
  readonly ocols: number;
}

/** CONFIG_ST: the mvout DRAM stride, ReLU, the accumulator's output scale and an optional pool. */
export function configSt(
  dramStride: number,
  relu: boolean,
  scale: number,
  pool: StorePool | null = null,
): Stmt {
  return instr('configSt', {
    activation: c(relu ? 1 : 0),
    poolStride: c(pool?.stride ?? 0),
    poolSize: c(pool?.size ?? 0),
    upad: c(0),
    lpad: c(0),
    poolOutDim: c(pool?.outDim ?? 0),
    porows: c(pool?.porows ?? 0),
    pocols: c(pool?.pocols ?? 0),
    orows: c(pool?.orows ?? 0),
    ocols: c(pool?.ocols ?? 0),
    dramStride: c(dramStride),
    scaleBits: c(f32Bits(scale)),
  });
}

/** CONFIG_LD for one load slot: the mvin scale, DRAM row stride and whether rows shrink to int8. */
export function configLd(
  slot: number,
  scale: number,
  dramStride: number,
  shrink: boolean,
  blockStride: number,
): Stmt {
  return instr('configLd', {
    shrink: bool(shrink),
    slot: c(slot),
    pixelRepeats: c(1),
    blockStride: c(blockStride),
    scaleBits: c(f32Bits(scale)),
    dramStride: c(dramStride),
  });
}
