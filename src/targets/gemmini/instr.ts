/**
 * Gemmini's instructions as plain decoded data: one variant per instruction kind, every field named as in
 * docs/gemmini.md §3. Encoding into (funct, rs1, rs2) lives in encoding.ts, semantics in semantics.ts.
 *
 * Field conventions: `addr` fields are 32-bit local addresses (row-addressed, flag bits included, see
 * local_addr.ts); `dram` fields and DRAM strides are byte addresses/strides held as numbers (encode refuses
 * values beyond 2^53, decode refuses words that would not fit, so no bit is ever lost); `*ScaleBits` fields
 * are the raw IEEE-754 binary32 bit pattern (0xFFFFFFFF must survive a round trip).
 */

/** A local-memory operand: [31:0] address, [47:32] cols, [63:48] rows. */
export interface Operand {
  readonly addr: number;
  readonly cols: number;
  readonly rows: number;
}

export interface ConfigEx {
  readonly kind: 'configEx';
  /** rs1[2]: 0 = output-stationary, 1 = weight-stationary. */
  readonly dataflow: 0 | 1;
  /** rs1[4:3]. */
  readonly activation: number;
  /** rs1[7]. */
  readonly setOnlyStrides: boolean;
  /** rs1[8]. */
  readonly aTranspose: boolean;
  /** rs1[9]. */
  readonly bTranspose: boolean;
  /** rs1[31:16]. */
  readonly aStride: number;
  /** rs1[63:32]: fp32 scale for execute reads from the accumulator. */
  readonly accScaleBits: number;
  /** rs2[31:0]. */
  readonly sysShift: number;
  /** rs2[63:48]. */
  readonly cStride: number;
}

export interface ConfigLd {
  readonly kind: 'configLd';
  /** rs1[2]. */
  readonly shrink: boolean;
  /** rs1[4:3]: which load slot (MVIN = 0, MVIN2 = 1, MVIN3 = 2). */
  readonly slot: number;
  /** rs1[15:8] (0 means 1). */
  readonly pixelRepeats: number;
  /** rs1[31:16], in rows. */
  readonly blockStride: number;
  /** rs1[63:32]. */
  readonly scaleBits: number;
  /** rs2[63:0], bytes. */
  readonly dramStride: number;
}

export interface ConfigSt {
  readonly kind: 'configSt';
  /** rs1[3:2]. */
  readonly activation: number;
  /** rs1[5:4] (0 = pooling off). */
  readonly poolStride: number;
  /** rs1[7:6]. */
  readonly poolSize: number;
  /** rs1[9:8]. */
  readonly upad: number;
  /** rs1[11:10]. */
  readonly lpad: number;
  /** rs1[31:24]. */
  readonly poolOutDim: number;
  /** rs1[39:32]. */
  readonly porows: number;
  /** rs1[47:40]. */
  readonly pocols: number;
  /** rs1[55:48]. */
  readonly orows: number;
  /** rs1[63:56]. */
  readonly ocols: number;
  /** rs2[31:0], bytes. */
  readonly dramStride: number;
  /** rs2[63:32]. */
  readonly scaleBits: number;
}

export interface ConfigNorm {
  readonly kind: 'configNorm';
  /** rs1[15:8]. */
  readonly statId: number;
  /** rs1[16]. */
  readonly actMsb: boolean;
  /** rs1[17]. */
  readonly setStatIdOnly: boolean;
  /** rs1[18]. */
  readonly constType: boolean;
  /** rs1[63:32]. */
  readonly constant: number;
  /** rs2[31:0]. */
  readonly qb: number;
  /** rs2[63:32]. */
  readonly qc: number;
}

export interface Mvin {
  readonly kind: 'mvin';
  /** 0 = MVIN (funct 2), 1 = MVIN2 (funct 1), 2 = MVIN3 (funct 14). */
  readonly slot: 0 | 1 | 2;
  /** rs1: DRAM byte address; 0 writes zeros. */
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
  /** rs1: D (output-stationary) or B (weight-stationary). */
  readonly bd: Operand;
  /** rs2: the destination C. */
  readonly c: Operand;
}

export interface Compute {
  readonly kind: 'compute';
  /** false = COMPUTE_PRELOADED (funct 4), true = COMPUTE_ACCUMULATED (funct 5). */
  readonly accumulated: boolean;
  readonly a: Operand;
  /** rs2: B (output-stationary) or D (weight-stationary). */
  readonly bd: Operand;
}

export interface Flush {
  readonly kind: 'flush';
  /** rs1[0]: skip the faulting request. */
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
  /** rs1[10:8]. */
  readonly activation: number;
  /** rs1[17:16]. */
  readonly bSpadId: number;
  /** rs1[19:18]. */
  readonly aSpadId: number;
  readonly aTranspose: boolean;
  readonly bTranspose: boolean;
  readonly isResadd: boolean;
  /** rs2[7:3]: skip ldA, ldB, ldD, ex, st (bit 3 = ldA). */
  readonly skip: number;
  /** rs2[8]. */
  readonly incAccAddr: boolean;
  /** rs2[9]. */
  readonly spadOnly: boolean;
  /** rs2[63:32]. */
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
  /** rs1[15:8]. */
  readonly maxPixelsPerRow: number;
  readonly bSpadId: number;
  readonly aSpadId: number;
  readonly noPool: boolean;
  readonly downsample: boolean;
  readonly inputDilated: boolean;
  /** rs2[4:3]. */
  readonly activation: number;
}

export interface Counter {
  readonly kind: 'counter';
  readonly reset: boolean;
  readonly snapshotReset: boolean;
  readonly takeSnapshot: boolean;
  readonly configure: boolean;
  /** rs1[6:4]. */
  readonly index: number;
  /** rs1[17:12]. */
  readonly event: number;
  /** rs1[31]. */
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
