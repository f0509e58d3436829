import type { Generated, UnrollClock } from '../../contract/target.js';
import { fault } from '../../sim/fault.js';
import { Unit } from '../../sim/timing_desc.js';
import type { Instr, InstrOf, Operand } from './instr.js';
import { accAddr, garbageAddr, spAddr } from './local_addr.js';
import type { GemminiMachine } from './machine.js';

/**
 * Gemmini's loop unrollers (docs/gemmini.md §3.2): LOOP_WS and LOOP_CONV_WS turn one tile, described by
 * their CONFIG words, into the mvin / preload / compute / mvout commands the hardware's generators
 * emit, in the generators' order, at the generators' addresses. Each generator emits its commands in
 * a fixed order; an arbiter picks one command a cycle by priority (stores, then computes, then bias,
 * weight and input loads) among those whose reservation-station queue has room. Two loops may be
 * configured at once: the second one's loads run while the first computes (double buffering; each
 * loop slot owns one half of the scratchpad, and the accumulator half toggles per loop that stores).
 *
 * Supported: the flags the library's tiled_matmul, tiled_conv and tiled_conv_dw set for a
 * weight-stationary layer (downsample, depthwise, pixels per row); transposes, pooling and input or
 * kernel dilation fault.
 */

/**
 * The local address of a row the generators compute, in the hardware's row field: their arithmetic
 * is unsigned and the field holds log2 of the memory's rows in bits (LoopConv.scala's
 * `addr_end - B_rows`, LocalAddr.scala), so a row outside the memory wraps into it. Only tiles too
 * large for the hardware's memory (a library run without its checks) get there; the timing then
 * sees the overlaps the hardware saw.
 */
function wrapRow(row: number, rows: number): number {
  const range = 2 ** Math.ceil(Math.log2(rows));
  return ((row % range) + range) % range;
}
const spAt = (m: GemminiMachine, row: number): number => spAddr(wrapRow(row, m.hardwareSpRows));
const accAt = (m: GemminiMachine, row: number, accumulate?: boolean): number =>
  accAddr(wrapRow(row, m.hardwareAccRows), accumulate);

/** The CONFIG words of the loop being configured, as last written. */
export interface LoopConfig {
  ws: Partial<Record<string, number | boolean>>;
  conv: Partial<Record<string, number | boolean>>;
}

/** One generator's commands and, per command, what must have been emitted before it. */
interface Gen {
  readonly cmds: Instr[];
  /** cmds[i] waits until generator `after[i].gen` of the same loop has emitted `after[i].count`. */
  readonly waitGen: Int32Array;
  readonly waitCount: Int32Array;
  pos: number;
}

interface Loop {
  /** Generators in priority order: store, execute, bias/D, weights/B, inputs/A. */
  readonly gens: readonly Gen[];
  /** Issue cycle of the host's LOOP instruction (-1 until the unroller first sees the loop). */
  start: number;
}

export interface UnrollerState {
  readonly config: LoopConfig;
  readonly loops: Loop[];
  /** Loops started so far (their scratchpad half alternates) and loops that stored (acc half). */
  started: number;
  accToggles: number;
}

export function createUnrollerState(): UnrollerState {
  return { config: { ws: {}, conv: {} }, loops: [], started: 0, accToggles: 0 };
}

const executeGen = 1;

function gen(): Gen {
  return { cmds: [], waitGen: new Int32Array(0), waitCount: new Int32Array(0), pos: 0 };
}

/** A generator whose every command waits for whole other generators (set after they are built). */
function withWaits(g: Gen, waits: readonly (readonly [number, number])[][]): Gen {
  const n = g.cmds.length;
  const waitGen = new Int32Array(n * 4).fill(-1);
  const waitCount = new Int32Array(n * 4);
  for (let i = 0; i < n; i++) {
    waits[i].forEach(([gi, count], k) => {
      waitGen[i * 4 + k] = gi;
      waitCount[i * 4 + k] = count;
    });
  }
  return { cmds: g.cmds, waitGen, waitCount, pos: 0 };
}

/** Queues a loop: its store and execute generators with their waits, then its loaders (no waits). */
function addLoop(
  m: GemminiMachine,
  st: Gen,
  stWaits: [number, number][][],
  ex: Gen,
  exWaits: [number, number][][],
  loaders: readonly Gen[],
): void {
  const none = (g: Gen) => g.cmds.map(() => [] as [number, number][]);
  m.unroller.loops.push({
    gens: [
      withWaits(st, stWaits),
      withWaits(ex, exWaits),
      ...loaders.map((g) => withWaits(g, none(g))),
    ],
    start: -1,
  });
}

function num(cfg: Partial<Record<string, number | boolean>>, key: string): number {
  const v = cfg[key];
  return typeof v === 'number' ? v : 0;
}

const op = (addr: number, rows: number, cols: number): Operand => ({ addr, rows, cols });
const garbage = (rows: number, cols: number): Operand => op(garbageAddr, rows, cols);

function configLd(slot: number, dramStride: number, blockStride: number, pixelRepeats = 1): Instr {
  return {
    kind: 'configLd',
    shrink: false,
    slot,
    pixelRepeats,
    blockStride,
    scaleBits: 0x3f80_0000,
    dramStride,
  };
}

/** Records a CONFIG word of either unroller. */
export function configure(i: Instr, m: GemminiMachine): void {
  const cfg = i.kind.startsWith('loopConv') ? m.unroller.config.conv : m.unroller.config.ws;
  for (const [k, v] of Object.entries(i)) {
    if (k !== 'kind') cfg[`${i.kind}.${k}`] = v as number | boolean;
  }
}

function refuse(flags: Record<string, boolean>, what: string): void {
  for (const [name, on] of Object.entries(flags)) {
    if (on) fault(`${what}: ${name} is not simulated`);
  }
}

/** LOOP_CONV_WS: the five generators of one convolution tile. */
export function loopConvWs(i: InstrOf<'loopConvWs'>, m: GemminiMachine): void {
  refuse(
    {
      wrot180: i.wrot180,
      transOutput1203: i.transOutput1203,
      transWeight1203: i.transWeight1203,
      transWeight0132: i.transWeight0132,
      transInput3120: i.transInput3120,
      'pooling (noPool clear)': !i.noPool,
      inputDilated: i.inputDilated,
    },
    'LOOP_CONV_WS',
  );
  const c = m.unroller.config.conv;
  const g = (word: number, field: string) => num(c, `loopConvWsConfig${word}.${field}`);
  if (g(4, 'kernelDilation') > 1) fault('LOOP_CONV_WS: kernel dilation is not simulated');
  const dim = m.dim;
  const ds = i.downsample ? 1 : 0;
  // Pixels per row: an input row also holds the next pixels' channels (the load slot's pixel
  // repeats), so one compute covers that many kernel columns; 0 reads as 1 (LoopConv.scala).
  const pixelsPerRow = Math.max(1, i.maxPixelsPerRow);
  const [inRowDim, inColDim, inChannels] = [g(1, 'inRowDim'), g(3, 'inColDim'), g(1, 'inChannels')];
  const [outRowDim, outColDim, stride] = [g(1, 'outRowDim'), g(1, 'outColDim'), g(1, 'stride')];
  const kernelDim = g(2, 'kernelDim');
  const [batches, ochs, krows, kcols, kchs] = [
    g(2, 'batches'),
    g(2, 'pochs'),
    g(3, 'krows'),
    g(3, 'kcols'),
    g(3, 'kchs'),
  ];
  const [lpad, rpad, upad, dpad] = [g(3, 'lpad'), g(3, 'rpad'), g(3, 'upad'), g(3, 'dpad')];
  const [orows, ocols] = [g(4, 'orows'), g(4, 'ocols')];
  const [inStride, weightStride, outStride] = [
    g(4, 'inStride'),
    g(4, 'weightStride'),
    g(4, 'outStride'),
  ];
  const [weightsDram, outputDram, biasDram, inputDram] = [
    g(5, 'weights'),
    g(5, 'output'),
    g(6, 'bias'),
    g(6, 'input'),
  ];
  const irows = orows * stride + krows - 1;
  const icols = ocols * stride + kcols - 1;
  const irowsUnpadded = irows - upad - dpad;
  const icolsUnpadded = icols - lpad - rpad;
  const inputSpadStride = batches * (irows >> ds) * (icols >> ds);
  const weightSpadStride = krows * kcols * kchs;
  const biasSpadStride = batches * orows * ocols;
  const half = m.hardwareSpRows / 2;
  const slot = m.unroller.started % 2;
  const aStart = slot * half;
  const bEnd = (slot + 1) * half;
  const accHalf = m.hardwareAccRows / 2;
  const cStart = (m.unroller.accToggles % 2) * accHalf;
  m.unroller.started++;
  if (outputDram !== 0) m.unroller.accToggles++;
  const maxBlockLen = m.maxBlocksSp;
  const maxBlockLenAcc = m.maxBlocksAcc;
  // The rows the generators address (LoopConv.scala's spad_addr formulas): weights end at the top of
  // the loop slot's half, inputs (in padded coordinates) start at its bottom, outputs and bias share
  // the accumulator layout.
  const bStart = bEnd - Math.ceil(ochs / dim) * kcols * krows * kchs;
  const weightRow = (och: number, krow: number, kcol: number, kch: number): number =>
    bStart + Math.floor(och / dim) * krows * kcols * kchs + krow * kcols * kchs + kcol * kchs + kch;
  const inputRow = (ich: number, b: number, irow: number, icol: number): number =>
    aStart +
    Math.floor(ich / dim) * inputSpadStride +
    b * (irows >> ds) * (icols >> ds) +
    (irow >> ds) * (icols >> ds) +
    (icol >> ds);
  const outputRow = (och: number, b: number, orow: number, ocol: number): number =>
    cStart + Math.floor(och / dim) * biasSpadStride + b * orows * ocols + orow * ocols + ocol;

  const bias = gen();
  if (biasDram !== 0) {
    bias.cmds.push(configLd(2, 0, biasSpadStride));
    const maxOchs = Math.min(ochs, maxBlockLenAcc * dim);
    for (let b = 0; b < batches; b++)
      for (let orow = 0; orow < orows; orow++)
        for (let ocol = 0; ocol < ocols; ocol += dim)
          for (let och = 0; och < ochs; och += maxOchs) {
            const rows = Math.min(dim, ocols - ocol);
            const cols = Math.min(maxOchs, ochs - och);
            const row = outputRow(och, b, orow, ocol);
            bias.cmds.push({
              kind: 'mvin',
              slot: 2,
              dram: i.noBias ? 0 : biasDram + och * 4,
              dst: op(accAt(m, row), rows, cols),
            });
          }
  }

  const weights = gen();
  if (weightsDram !== 0) {
    // Depthwise (LoopConv.scala's LoopConvLdWeight with `dw`): one channel's kernel, row-major
    // kernelDim wide, one byte apart: no channel term in the address and a DRAM stride of 1.
    weights.cmds.push(configLd(1, i.dw ? 1 : weightStride, weightSpadStride));
    const maxOchs = Math.min(ochs, maxBlockLen * dim);
    for (let och = 0; och < ochs; och += maxOchs)
      for (let krow = 0; krow < krows; krow++)
        for (let kcol = 0; kcol < kcols; kcol++)
          for (let kch = 0; kch < kchs; kch += dim) {
            const row = weightRow(och, krow, kcol, kch);
            weights.cmds.push({
              kind: 'mvin',
              slot: 1,
              dram:
                weightsDram +
                (i.dw
                  ? krow * kernelDim + kcol
                  : ((krow * kernelDim + kcol) * inChannels + kch) * weightStride + och),
              dst: op(spAt(m, row), Math.min(dim, kchs - kch), Math.min(maxOchs, ochs - och)),
            });
          }
  }

  const input = gen();
  if (inputDram !== 0) {
    input.cmds.push(configLd(0, inStride << ds, inputSpadStride, pixelsPerRow));
    const maxIchs = Math.min(kchs, maxBlockLen * dim);
    const wide = dim << ds;
    for (let b = 0; b < batches; b++)
      for (let irow = -upad; irow < irowsUnpadded + dpad; irow += 1 << ds) {
        for (let icol = -lpad; icol < icolsUnpadded + rpad;) {
          const I =
            icol < 0
              ? Math.min(-icol, dim)
              : icol >= icolsUnpadded
                ? Math.min(icolsUnpadded + rpad - icol, dim)
                : Math.min(icolsUnpadded - icol, wide);
          for (let ich = 0; ich < kchs; ich += maxIchs) {
            const zeros = irow < 0 || irow >= irowsUnpadded || icol < 0 || icol >= icolsUnpadded;
            const row = inputRow(ich, b, irow + upad, icol + lpad);
            input.cmds.push({
              kind: 'mvin',
              slot: 0,
              dram: zeros
                ? 0
                : inputDram + ((b * inRowDim + irow) * inColDim + icol) * inStride + ich,
              dst: op(spAt(m, row), I >> ds, Math.min(maxIchs, kchs - ich)),
            });
          }
          icol += I;
        }
      }
  }

  const ex = gen();
  {
    for (let och = 0; och < ochs; och += dim)
      for (let krow = 0; krow < krows; krow++)
        for (let kcol = 0; kcol < kcols; kcol += pixelsPerRow)
          for (let kch = 0; kch < kchs; kch += dim) {
            let first = true;
            const J = Math.min(dim, ochs - och);
            const K = Math.min(pixelsPerRow, kcols - kcol) * Math.min(dim, kchs - kch);
            const bRow = weightRow(och, krow, kcol, kch);
            for (let b = 0; b < batches; b++)
              for (let orow = 0; orow < orows; orow++)
                for (let ocol = 0; ocol < ocols; ocol += dim) {
                  const I = Math.min(dim, ocols - ocol);
                  const irow = orow * stride + krow;
                  const icol = ocol * stride + kcol;
                  const aRow = inputRow(kch, b, irow, icol);
                  const cRow = outputRow(och, b, orow, ocol);
                  ex.cmds.push(
                    {
                      kind: 'preload',
                      bd: first ? op(spAt(m, bRow), K, J) : garbage(K, J),
                      c: op(accAt(m, cRow, true), I, J),
                    },
                    {
                      kind: 'compute',
                      accumulated: !first,
                      a: op(spAt(m, aRow), I, K),
                      bd: garbage(I, J),
                    },
                  );
                  first = false;
                }
          }
  }

  const st = gen();
  if (outputDram !== 0) {
    for (let b = 0; b < batches; b++)
      for (let orow = 0; orow < orows; orow++)
        for (let ocol = 0; ocol < ocols; ocol += dim)
          for (let och = 0; och < ochs; och += dim) {
            const row = outputRow(och, b, orow, ocol);
            st.cmds.push({
              kind: 'mvout',
              dram: outputDram + ((b * outRowDim + orow) * outColDim + ocol) * outStride + och,
              src: op(accAt(m, row), Math.min(dim, ocols - ocol), Math.min(dim, ochs - och)),
            });
          }
  }
  // Computes start once every load of the tile is out; stores once every compute is.
  const loads = [bias.cmds.length, weights.cmds.length, input.cmds.length];
  const exWaits = ex.cmds.map(
    () =>
      [
        [2, loads[0]],
        [3, loads[1]],
        [4, loads[2]],
      ] as [number, number][],
  );
  const stWaits = st.cmds.map(() => [[executeGen, ex.cmds.length]] as [number, number][]);
  addLoop(m, st, stWaits, ex, exWaits, [bias, weights, input]);
}

/** LOOP_WS: the generators of one matmul tile (A, B and D loads, execute, C stores). */
export function loopWs(instr: InstrOf<'loopWs'>, m: GemminiMachine): void {
  const flags = instr;
  refuse(
    {
      aTranspose: flags.aTranspose,
      bTranspose: flags.bTranspose,
      isResadd: flags.isResadd,
      lowD: flags.lowD,
      fullC: flags.fullC,
      spadOnly: flags.spadOnly,
      'spad ids': flags.aSpadId !== 0 || flags.bSpadId !== 0,
      skip: flags.skip !== 0,
    },
    'LOOP_WS',
  );
  const c = m.unroller.config.ws;
  const g = (word: string, field: string) => num(c, `loopWsConfig${word}.${field}`);
  const dim = m.dim;
  const [I, J, K] = [g('Bounds', 'i'), g('Bounds', 'j'), g('Bounds', 'k')];
  const [padI, padJ, padK] = [g('Bounds', 'padI'), g('Bounds', 'padJ'), g('Bounds', 'padK')];
  const [aDram, bDram] = [g('AddrsAB', 'a'), g('AddrsAB', 'b')];
  const [dDram, cDram] = [g('AddrsDC', 'd'), g('AddrsDC', 'c')];
  const [aStride, bStride] = [g('StridesAB', 'a'), g('StridesAB', 'b')];
  const [dStride, cStride] = [g('StridesDC', 'd'), g('StridesDC', 'c')];
  const half = m.hardwareSpRows / 2;
  const slot = m.unroller.started % 2;
  const aStart = slot * half;
  const bStart = (slot + 1) * half - K * J * dim;
  const accHalf = m.hardwareAccRows / 2;
  const cStart = (m.unroller.accToggles % 2) * accHalf;
  m.unroller.started++;
  if (cDram !== 0) m.unroller.accToggles++;
  const maxBlocks = m.maxBlocksSp;
  const rowsOf = (i: number) => dim - (i === I - 1 ? padI : 0);
  const kRows = (k: number) => dim - (k === K - 1 ? padK : 0);
  const colsOf = (j: number, blocks: number, max: number, pad: number) =>
    blocks * dim - (j + blocks >= max ? pad : 0);

  // A and B loads advance together over k (B first): one generator in that merged order.
  const ldAB = gen();
  const aPos = new Int32Array(I * K);
  const bPos = new Int32Array(K * J);
  const aBlocks = Math.min(K, maxBlocks);
  const bBlocks = Math.min(J, maxBlocks);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < J; j += bBlocks) {
      const blocks = Math.min(bBlocks, J - j);
      ldAB.cmds.push({
        kind: 'mvin',
        slot: 1,
        dram: bDram + (k * bStride + j) * dim,
        dst: op(spAt(m, bStart + (k * J + j) * dim), kRows(k), colsOf(j, blocks, J, padJ)),
      });
      for (let x = j; x < j + blocks; x++) bPos[k * J + x] = ldAB.cmds.length;
    }
    if (k % aBlocks === 0) {
      const blocks = Math.min(aBlocks, K - k);
      for (let i = 0; i < I; i++) {
        ldAB.cmds.push({
          kind: 'mvin',
          slot: 0,
          dram: aDram + (i * aStride + k) * dim,
          dst: op(spAt(m, aStart + (i * K + k) * dim), rowsOf(i), colsOf(k, blocks, K, padK)),
        });
        for (let x = k; x < k + blocks; x++) aPos[i * K + x] = ldAB.cmds.length;
      }
    }
  }
  const ldD = gen();
  if (dDram !== 0) {
    for (let j = 0; j < J; j++)
      for (let i = 0; i < I; i++)
        ldD.cmds.push({
          kind: 'mvin',
          slot: 2,
          dram: dDram + (i * dStride + j) * dim * 4,
          dst: op(accAt(m, cStart + (i * J + j) * dim), rowsOf(i), colsOf(j, 1, J, padJ)),
        });
  }
  const ex = gen();
  const exWaits: [number, number][][] = [];
  const exPos = new Int32Array(I * J);
  for (let k = 0; k < K; k++)
    for (let j = 0; j < J; j++)
      for (let i = 0; i < I; i++) {
        const cols = colsOf(j, 1, J, padJ);
        const first = i === 0;
        ex.cmds.push(
          {
            kind: 'preload',
            bd: first
              ? op(spAt(m, bStart + (k * J + j) * dim), kRows(k), cols)
              : garbage(kRows(k), cols),
            c: op(
              accAt(m, cStart + (i * J + j) * dim, flags.exAccumulate || k > 0),
              rowsOf(i),
              cols,
            ),
          },
          {
            kind: 'compute',
            accumulated: !first,
            a: op(spAt(m, aStart + (i * K + k) * dim), rowsOf(i), kRows(k)),
            bd: garbage(rowsOf(i), cols),
          },
        );
        const need = Math.max(aPos[i * K + k], bPos[k * J + j]);
        const waits: [number, number][] = [
          [3, need],
          [2, ldD.cmds.length],
        ];
        exWaits.push(waits, waits);
        if (k === K - 1) exPos[i * J + j] = ex.cmds.length;
      }
  const st = gen();
  const stWaits: [number, number][][] = [];
  if (cDram !== 0) {
    const sBlocks = Math.min(J, maxBlocks);
    for (let j = 0; j < J; j += sBlocks)
      for (let i = 0; i < I; i++) {
        const blocks = Math.min(sBlocks, J - j);
        st.cmds.push({
          kind: 'mvout',
          dram: cDram + (i * cStride + j) * dim,
          src: op(accAt(m, cStart + (i * J + j) * dim), rowsOf(i), colsOf(j, blocks, J, padJ)),
        });
        stWaits.push([[executeGen, exPos[i * J + j + blocks - 1]]]);
      }
  }
  addLoop(m, st, stWaits, ex, exWaits, [ldD, ldAB]);
}

function unitOf(i: Instr): Unit {
  switch (i.kind) {
    case 'mvin':
      return Unit.load;
    case 'mvout':
      return Unit.store;
    case 'preload':
    case 'compute':
      return Unit.execute;
    default:
      return Unit.none;
  }
}

function isLoopWord(i: Instr): boolean {
  return i.kind.startsWith('loop');
}

/** Whether a loop's generator `gi` may emit its next command (its waits are met). */
function ready(loop: Loop, gi: number): boolean {
  const g = loop.gens[gi];
  if (g.pos >= g.cmds.length) return false;
  for (let k = 0; k < 4; k++) {
    const w = g.waitGen[g.pos * 4 + k];
    if (w >= 0 && loop.gens[w].pos < g.waitCount[g.pos * 4 + k]) return false;
  }
  return true;
}

function finished(loop: Loop): boolean {
  return loop.gens.every((g) => g.pos >= g.cmds.length);
}

/**
 * The next command the unrollers emit before the host's `next` instruction is accepted: while two loops
 * are configured and the host brings a third, the head loop must finish; any other host command waits
 * for every loop. A generator serves its loops in order (the head loop's loads before the tail's).
 */
export function unroll(
  m: GemminiMachine,
  next: Instr | null,
  clock: UnrollClock,
): Generated<Instr> | null {
  const loops = m.unroller.loops;
  for (const loop of loops) if (loop.start < 0) loop.start = clock.hostIssue();
  while (loops.length > 0 && finished(loops[0])) loops.shift();
  if (loops.length === 0) return null;
  if (next !== null && isLoopWord(next) && loops.length < 2) return null;
  const gens = loops[0].gens.length;
  let best: { loop: Loop; gi: number } | null = null;
  let bestTime = Infinity;
  const now = clock.next();
  for (let gi = 0; gi < gens; gi++) {
    // The generator's current loop: the first one with commands left for it.
    const loop = loops.find(
      (l) => l.gens[gi] !== undefined && l.gens[gi].pos < l.gens[gi].cmds.length,
    );
    if (loop === undefined || !ready(loop, gi)) continue;
    const g = loop.gens[gi];
    const at = Math.max(now, loop.start, clock.slotFree(unitOf(g.cmds[g.pos])));
    if (at < bestTime) {
      bestTime = at;
      best = { loop, gi };
    }
  }
  if (best === null)
    fault('the loop unrollers are stuck (a generator waits for one that cannot go on)');
  const g = best.loop.gens[best.gi];
  const instr = g.cmds[g.pos++];
  return { instr, earliest: best.loop.start };
}
