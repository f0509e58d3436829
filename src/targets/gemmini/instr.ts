/**
 * Gemmini's instructions as plain decoded data: one variant per instruction kind, every field named as in
 * docs/gemmini.md §3. Where each field's bits go, and everything else about a kind, is declared in isa.ts.
 *
 * Field conventions: `addr` fields are 32-bit local addresses (row-addressed, flag bits included, see
 * local_addr.ts); `dram` fields and DRAM strides are byte addresses/strides held as numbers (encode refuses
 * values beyond 2^53, decode refuses words that would not fit, so no bit is ever lost); `*ScaleBits` fields
 * are the raw IEEE-754 binary32 bit pattern (0xFFFFFFFF must survive a round trip).
 */

/** A local-memory operand (the operand format, docs/gemmini.md §3.1). */
export interface Operand {
  readonly addr: number;
  readonly cols: number;
  readonly rows: number;
}

export interface ConfigEx {
  readonly kind: 'configEx';
  /** 0 = output-stationary, 1 = weight-stationary. */
  readonly dataflow: 0 | 1;
  readonly activation: number;
  readonly setOnlyStrides: boolean;
  readonly aTranspose: boolean;
  readonly bTranspose: boolean;
  readonly aStride: number;
  /** fp32 scale for execute reads from the accumulator. */
  readonly accScaleBits: number;
  readonly sysShift: number;
  readonly cStride: number;
}

export interface ConfigLd {
  readonly kind: 'configLd';
  readonly shrink: boolean;
  /** Which load slot (MVIN = 0, MVIN2 = 1, MVIN3 = 2). */
  readonly slot: number;
  /** 0 means 1. */
  readonly pixelRepeats: number;
  /** In rows. */
  readonly blockStride: number;
  readonly scaleBits: number;
  /** Bytes. */
  readonly dramStride: number;
}

export interface ConfigSt {
  readonly kind: 'configSt';
  readonly activation: number;
  /** 0: pooling off. */
  readonly poolStride: number;
  readonly poolSize: number;
  readonly upad: number;
  readonly lpad: number;
  readonly poolOutDim: number;
  readonly porows: number;
  readonly pocols: number;
  readonly orows: number;
  readonly ocols: number;
  /** Bytes. */
  readonly dramStride: number;
  readonly scaleBits: number;
}

export interface ConfigNorm {
  readonly kind: 'configNorm';
  readonly statId: number;
  readonly actMsb: boolean;
  readonly setStatIdOnly: boolean;
  readonly constType: boolean;
  readonly constant: number;
  readonly qb: number;
  readonly qc: number;
}

export interface Mvin {
  readonly kind: 'mvin';
  /** 0 = MVIN (funct 2), 1 = MVIN2 (funct 1), 2 = MVIN3 (funct 14). */
  readonly slot: 0 | 1 | 2;
  /** DRAM byte address; 0 writes zeros. */
  readonly dram: number;
  readonly dst: Operand;
}

export interface Mvout {
  readonly kind: 'mvout';
  readonly dram: number;
  readonly src: Operand;
}

export interface Preload {
  readonly kind: 'preload';
  /** D (output-stationary) or B (weight-stationary). */
  readonly bd: Operand;
  /** The destination C. */
  readonly c: Operand;
}

export interface Compute {
  readonly kind: 'compute';
  /** false = COMPUTE_PRELOADED (funct 4), true = COMPUTE_ACCUMULATED (funct 5). */
  readonly accumulated: boolean;
  readonly a: Operand;
  /** B (output-stationary) or D (weight-stationary). */
  readonly bd: Operand;
}

export interface Flush {
  readonly kind: 'flush';
  /** Skip the faulting request. */
  readonly skip: boolean;
}

export interface LoopWsConfigBounds {
  readonly kind: 'loopWsConfigBounds';
  readonly padI: number;
  readonly padJ: number;
  readonly padK: number;
  readonly i: number;
  readonly j: number;
  readonly k: number;
}

export interface LoopWsConfigAddrsAB {
  readonly kind: 'loopWsConfigAddrsAB';
  readonly a: number;
  readonly b: number;
}

export interface LoopWsConfigAddrsDC {
  readonly kind: 'loopWsConfigAddrsDC';
  readonly d: number;
  readonly c: number;
}

export interface LoopWsConfigStridesAB {
  readonly kind: 'loopWsConfigStridesAB';
  readonly a: number;
  readonly b: number;
}

export interface LoopWsConfigStridesDC {
  readonly kind: 'loopWsConfigStridesDC';
  readonly d: number;
  readonly c: number;
}

export interface LoopWs {
  readonly kind: 'loopWs';
  readonly exAccumulate: boolean;
  readonly fullC: boolean;
  readonly lowD: boolean;
  readonly activation: number;
  readonly bSpadId: number;
  readonly aSpadId: number;
  readonly aTranspose: boolean;
  readonly bTranspose: boolean;
  readonly isResadd: boolean;
  /** Skip ldA, ldB, ldD, ex, st (lowest bit: ldA). */
  readonly skip: number;
  readonly incAccAddr: boolean;
  readonly spadOnly: boolean;
  readonly cSpadAddr: number;
}

export interface LoopConvWsConfig1 {
  readonly kind: 'loopConvWsConfig1';
  readonly batchSize: number;
  readonly inRowDim: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly outRowDim: number;
  readonly poolOutRowDim: number;
  readonly outColDim: number;
  readonly stride: number;
  readonly padding: number;
}

export interface LoopConvWsConfig2 {
  readonly kind: 'loopConvWsConfig2';
  readonly poolPadding: number;
  readonly poolStride: number;
  readonly poolSize: number;
  readonly poolOutColDim: number;
  readonly kernelDim: number;
  readonly pochs: number;
  readonly pocols: number;
  readonly porows: number;
  readonly batches: number;
}

export interface LoopConvWsConfig3 {
  readonly kind: 'loopConvWsConfig3';
  readonly lpad: number;
  readonly kchs: number;
  readonly kcols: number;
  readonly krows: number;
  readonly inColDim: number;
  readonly plpad: number;
  readonly dpad: number;
  readonly upad: number;
  readonly rpad: number;
}

export interface LoopConvWsConfig4 {
  readonly kind: 'loopConvWsConfig4';
  readonly kernelDilation: number;
  readonly pdpad: number;
  readonly pupad: number;
  readonly prpad: number;
  readonly orows: number;
  readonly ocols: number;
  readonly outStride: number;
  readonly weightStride: number;
  readonly inStride: number;
}

export interface LoopConvWsConfig5 {
  readonly kind: 'loopConvWsConfig5';
  readonly weights: number;
  readonly output: number;
}

export interface LoopConvWsConfig6 {
  readonly kind: 'loopConvWsConfig6';
  readonly bias: number;
  readonly input: number;
}

export interface LoopConvWs {
  readonly kind: 'loopConvWs';
  readonly noBias: boolean;
  readonly wrot180: boolean;
  readonly transOutput1203: boolean;
  readonly transWeight1203: boolean;
  readonly transWeight0132: boolean;
  readonly transInput3120: boolean;
  readonly dw: boolean;
  readonly maxPixelsPerRow: number;
  readonly bSpadId: number;
  readonly aSpadId: number;
  readonly noPool: boolean;
  readonly downsample: boolean;
  readonly inputDilated: boolean;
  readonly activation: number;
}

export interface Counter {
  readonly kind: 'counter';
  readonly reset: boolean;
  readonly snapshotReset: boolean;
  readonly takeSnapshot: boolean;
  readonly configure: boolean;
  readonly index: number;
  readonly event: number;
  readonly external: boolean;
}

/** Functs 22-25 (CLKGATE_EN, STORE_SPAD, LOOP_WS_CONFIG_SPAD_AB/_C): RTL only, fields undocumented. */
export interface RtlOnly {
  readonly kind: 'rtlOnly';
  readonly funct: 22 | 23 | 24 | 25;
  readonly rs1: bigint;
  readonly rs2: bigint;
}

export type Instr =
  | ConfigEx
  | ConfigLd
  | ConfigSt
  | ConfigNorm
  | Mvin
  | Mvout
  | Preload
  | Compute
  | Flush
  | LoopWsConfigBounds
  | LoopWsConfigAddrsAB
  | LoopWsConfigAddrsDC
  | LoopWsConfigStridesAB
  | LoopWsConfigStridesDC
  | LoopWs
  | LoopConvWsConfig1
  | LoopConvWsConfig2
  | LoopConvWsConfig3
  | LoopConvWsConfig4
  | LoopConvWsConfig5
  | LoopConvWsConfig6
  | LoopConvWs
  | Counter
  | RtlOnly;

export type InstrKind = Instr['kind'];
export type InstrOf<K extends InstrKind> = Extract<Instr, { kind: K }>;
