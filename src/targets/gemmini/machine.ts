import type { Dram } from '../../sim/dram.js';
import { fault } from '../../sim/fault.js';
import { hardwareRows, memoryRows, type Spec } from '../../spec/spec.js';
import { rowBits } from './local_addr.js';
import type { Operand } from './instr.js';
import { createUnrollerState, type UnrollerState } from './unroller.js';

/** One load slot's configuration (CONFIG_LD; MVIN, MVIN2 and MVIN3 each have one). */
export interface LoadSlot {
  shrink: boolean;
  pixelRepeats: number;
  blockStride: number;
  scale: number;
  dramStride: number;
}

/**
 * A pooled mvout's geometry (CONFIG_ST; ucb-bar/gemmini src/main/scala/gemmini/StoreController.scala):
 * the source is an orows × ocols block of local rows (one pixel a row), pooled in size × size windows
 * at the pool stride, shifted by upad rows and lpad columns of padding, into porows × pocols outputs
 * written outDim pixels apart per output row.
 */
export interface StorePool {
  size: number;
  outDim: number;
  porows: number;
  pocols: number;
  orows: number;
  ocols: number;
  upad: number;
  lpad: number;
}

/**
 * Gemmini's architectural state: local memories (with a written-flag per element, so reads of
 * never-written data fault), the configuration registers, and the systolic array's held state.
 */
export interface GemminiMachine {
  readonly dim: number;
  readonly functional: boolean;
  readonly dram: Dram;
  readonly spRows: number;
  readonly accRows: number;
  /**
   * The scratchpad's and accumulator's rows as the hardware has them (the loop unrollers' address
   * formulas use them): fewer than spRows / accRows only where the memories are simulated larger
   * (spec `hardwareCapacityBytes`).
   */
  readonly hardwareSpRows: number;
  readonly hardwareAccRows: number;
  /** Width of the row field of a local address; the garbage bit sits just above it. */
  readonly rowBits: number;
  /** Index of each memory in the spec's memory order (the timing engine's memory numbering). */
  readonly spIndex: number;
  readonly accIndex: number;
  readonly partialSumBits: number;
  /** Most DIM-wide blocks one mvin moves into the scratchpad / the accumulator. */
  readonly maxBlocksSp: number;
  readonly maxBlocksAcc: number;
  readonly maxTransferBytes: number;
  /** Bytes one bus beat carries (the DMA's smallest request). */
  readonly beatBytes: number;
  readonly pipelineLatency: number;
  /**
   * Address translation (spec dram.translation; pageBytes 0: none): the TLB entry's region and which
   * of its pages are filled, and each direction's last page (reads 0, writes 1).
   */
  readonly tlb: {
    pageBytes: number;
    entryPages: number;
    missCycles: number;
    region: number;
    filled: number;
    last: Float64Array;
  };
  /** Host cycles per tile handed to a loop instruction (the spec's hostCyclesPerTile). */
  readonly hostCyclesPerTile: number;
  readonly dramLatency: number;
  readonly sp: Int8Array;
  readonly spWritten: Uint8Array;
  readonly acc: Int32Array;
  readonly accWritten: Uint8Array;
  // CONFIG_EX
  dataflow: 0 | 1;
  exActivation: number;
  sysShift: number;
  aStride: number;
  cStride: number;
  aTranspose: boolean;
  bTranspose: boolean;
  exAccScale: number;
  // CONFIG_LD, CONFIG_ST
  readonly load: LoadSlot[];
  stActivation: number;
  stPoolStride: number;
  /** The pooled store's geometry (CONFIG_ST, kept while the pool stride is non-zero). */
  stPool: StorePool;
  stDramStride: number;
  stScale: number;
  // The array
  /** Weights held in the array (weight-stationary), DIM x DIM, transposed: weights[j * DIM + k]. */
  readonly weights: Int32Array;
  /** Partial sums held in the array (output-stationary), DIM x DIM. */
  readonly psum: Int32Array;
  /** The PRELOAD waiting for its COMPUTE, or null. */
  pendingPreload: { bd: Operand; c: Operand } | null;
  /** The PRELOAD the last COMPUTE consumed (its ranges are that compute's, for timing). */
  consumedPreload: { bd: Operand; c: Operand } | null;
  /** Columns of the weights in the array (weight-stationary), for MAC counts. */
  weightCols: number;
  /** Output-stationary: a result was routed out of the current accumulation chain. */
  osResultTaken: boolean;
  /** Index of the weights' preload, for the dataflow a compute_accumulated relies on. */
  weightsValid: boolean;
  /** The loop unrollers' configuration and the loops they are working on. */
  readonly unroller: UnrollerState;
  /** Scratch operand buffers, DIM x DIM each (no allocation per instruction). */
  readonly bufA: Int32Array;
  readonly bufB: Int32Array;
  readonly bufD: Int32Array;
  readonly bufOut: Int32Array;
}

function memoryIndex(spec: Spec, name: string): number {
  const i = Object.keys(spec.memories).indexOf(name);
  if (i < 0) fault(`the spec has no memory named "${name}"`);
  return i;
}

export function createMachine(spec: Spec, dram: Dram, functional: boolean): GemminiMachine {
  const dim = spec.array.rows;
  const spSpec = spec.memories.scratchpad;
  const accSpec = spec.memories.accumulator;
  const spRows = memoryRows(spSpec);
  const accRows = memoryRows(accSpec);
  const slot = (): LoadSlot => ({
    shrink: false,
    pixelRepeats: 1,
    blockStride: dim,
    scale: 1,
    dramStride: 0,
  });
  return {
    dim,
    functional,
    dram,
    spRows,
    accRows,
    hardwareSpRows: hardwareRows(spSpec),
    hardwareAccRows: hardwareRows(accSpec),
    rowBits: rowBits(spRows, accRows),
    spIndex: memoryIndex(spec, 'scratchpad'),
    accIndex: memoryIndex(spec, 'accumulator'),
    partialSumBits: spec.array.partialSumBits,
    maxBlocksSp: Math.max(1, Math.floor(spec.dram.maxTransferBytes / spSpec.rowBytes)),
    maxBlocksAcc: Math.max(1, Math.floor(spec.dram.maxTransferBytes / accSpec.rowBytes)),
    maxTransferBytes: spec.dram.maxTransferBytes,
    beatBytes: Math.min(spec.dram.maxTransferBytes, spec.dram.bytesPerCycle),
    pipelineLatency: spec.array.pipelineLatencyCycles,
    hostCyclesPerTile: spec.hostCyclesPerTile ?? 0,
    tlb: {
      pageBytes: spec.dram.translation?.pageBytes ?? 0,
      entryPages: spec.dram.translation?.entryPages ?? 1,
      missCycles: spec.dram.translation?.missCycles ?? 0,
      region: -1,
      filled: 0,
      last: Float64Array.of(-1, -1),
    },
    dramLatency: spec.dram.latencyCycles,
    sp: new Int8Array(functional ? spRows * dim : 0),
    spWritten: new Uint8Array(functional ? spRows * dim : 0),
    acc: new Int32Array(functional ? accRows * dim : 0),
    accWritten: new Uint8Array(functional ? accRows * dim : 0),
    dataflow: spec.array.dataflows.includes('weight-stationary') ? 1 : 0,
    exActivation: 0,
    sysShift: 0,
    aStride: 1,
    cStride: 1,
    aTranspose: false,
    bTranspose: false,
    exAccScale: 1,
    load: [slot(), slot(), slot()],
    stActivation: 0,
    stPoolStride: 0,
    stPool: { size: 0, outDim: 0, porows: 0, pocols: 0, orows: 0, ocols: 0, upad: 0, lpad: 0 },
    stDramStride: 0,
    stScale: 1,
    weights: new Int32Array(dim * dim),
    psum: new Int32Array(dim * dim),
    pendingPreload: null,
    consumedPreload: null,
    weightCols: 0,
    osResultTaken: false,
    weightsValid: false,
    unroller: createUnrollerState(),
    bufA: new Int32Array(dim * dim),
    bufB: new Int32Array(dim * dim),
    bufD: new Int32Array(dim * dim),
    bufOut: new Int32Array(dim * dim),
  };
}
