import { f32Bits } from '../../numeric/numeric.js';
import { fenceItem, type StreamItem } from '../../sim/simulate.js';
import { memoryRows, type Spec } from '../../target/spec.js';
import type { Instr, Operand } from './instr.js';
import { accAddr, garbageAddr, spAddr } from './local_addr.js';

/**
 * A matmul C[I×J] = act(scale(A[I×K]·B[K×J] + bias)) as a Gemmini instruction stream with a fixed tiling:
 * output tiles of tileI × tileJ DIM-blocks, reduced over tiles of tileK blocks, k innermost so a C tile
 * stays in the accumulator. Tiles alternate between the two halves of the scratchpad and of the
 * accumulator, so the next tile's loads overlap this tile's compute. Both dataflows; partial edge blocks.
 * The scheduler-driven lowering replaces this fixed tiling; tests, the demo and bench/sim.ts use it.
 */
export interface MatmulStreamParams {
  readonly I: number;
  readonly J: number;
  readonly K: number;
  /** DRAM addresses: A int8 row-major I×K, B int8 K×J, bias int32 J (0: no bias), C int8 I×J. */
  readonly a: number;
  readonly b: number;
  readonly bias: number;
  readonly c: number;
  readonly scale: number;
  readonly relu: boolean;
  readonly dataflow: 'weight-stationary' | 'output-stationary';
  /** Tile sizes in DIM-blocks (default 4 × 4 × 4, shrunk to fit half of each memory). */
  readonly tileI?: number;
  readonly tileJ?: number;
  readonly tileK?: number;
}

const one = f32Bits(1);

function op(addr: number, rows: number, cols: number): Operand {
  return { addr, rows, cols };
}

const garbage = op(garbageAddr, 0, 0);

export function matmulStream(spec: Spec, p: MatmulStreamParams): StreamItem<Instr>[] {
  const dim = spec.array.rows;
  const nI = Math.ceil(p.I / dim);
  const nJ = Math.ceil(p.J / dim);
  const nK = Math.ceil(p.K / dim);
  const spHalf = memoryRows(spec.memories.scratchpad) / 2;
  const accHalf = memoryRows(spec.memories.accumulator) / 2;
  let tI = Math.min(nI, p.tileI ?? 4);
  let tJ = Math.min(nJ, p.tileJ ?? 4);
  const tK = Math.min(nK, p.tileK ?? 4);
  while (tI * tJ * dim > accHalf) {
    if (tI >= tJ) tI--;
    else tJ--;
  }
  if ((tI * tK + tK * tJ) * dim > spHalf) {
    throw new RangeError(`matmul tile ${tI}x${tJ}x${tK} does not fit half the scratchpad`);
  }
  const ws = p.dataflow === 'weight-stationary';
  const out: StreamItem<Instr>[] = [];
  out.push({
    kind: 'configEx',
    dataflow: ws ? 1 : 0,
    activation: 0,
    setOnlyStrides: false,
    aTranspose: false,
    bTranspose: false,
    aStride: 1,
    accScaleBits: one,
    sysShift: 0,
    cStride: 1,
  });
  out.push({
    kind: 'configSt',
    activation: p.relu ? 1 : 0,
    poolStride: 0,
    poolSize: 0,
    upad: 0,
    lpad: 0,
    poolOutDim: 0,
    porows: 0,
    pocols: 0,
    orows: 0,
    ocols: 0,
    dramStride: p.J,
    scaleBits: f32Bits(p.scale),
  });
  const ld = (slot: number, dramStride: number): Instr => ({
    kind: 'configLd',
    shrink: false,
    slot,
    pixelRepeats: 1,
    blockStride: dim,
    scaleBits: one,
    dramStride,
  });
  out.push(ld(0, p.K), ld(1, p.J), ld(2, 0));
  const size = (n: number, b: number): number => Math.min(dim, n - b * dim);
  let spTurn = 0;
  let accTurn = 0;
  for (let i0 = 0; i0 < nI; i0 += tI) {
    for (let j0 = 0; j0 < nJ; j0 += tJ) {
      const ti = Math.min(tI, nI - i0);
      const tj = Math.min(tJ, nJ - j0);
      const accBase = (accTurn++ % 2) * accHalf;
      const cRow = (i: number, j: number): number => accBase + (i * tj + j) * dim;
      if (p.bias !== 0) {
        for (let i = 0; i < ti; i++) {
          for (let j = 0; j < tj; j++) {
            const rows = size(p.I, i0 + i);
            const cols = size(p.J, j0 + j);
            const dst = op(accAddr(cRow(i, j)), rows, cols);
            out.push({ kind: 'mvin', slot: 2, dram: p.bias + 4 * (j0 + j) * dim, dst });
          }
        }
      }
      for (let k0 = 0; k0 < nK; k0 += tK) {
        const tk = Math.min(tK, nK - k0);
        const spBase = (spTurn++ % 2) * spHalf;
        const aRow = (i: number, k: number): number => spBase + (i * tk + k) * dim;
        const bRow = (k: number, j: number): number => spBase + (ti * tk + k * tj + j) * dim;
        for (let i = 0; i < ti; i++) {
          for (let k = 0; k < tk; k++) {
            const rows = size(p.I, i0 + i);
            const cols = size(p.K, k0 + k);
            const dram = p.a + (i0 + i) * dim * p.K + (k0 + k) * dim;
            out.push({ kind: 'mvin', slot: 0, dram, dst: op(spAddr(aRow(i, k)), rows, cols) });
          }
        }
        for (let k = 0; k < tk; k++) {
          for (let j = 0; j < tj; j++) {
            const rows = size(p.K, k0 + k);
            const cols = size(p.J, j0 + j);
            const dram = p.b + (k0 + k) * dim * p.J + (j0 + j) * dim;
            out.push({ kind: 'mvin', slot: 1, dram, dst: op(spAddr(bRow(k, j)), rows, cols) });
          }
        }
        const accumulateOld = p.bias !== 0 || k0 > 0;
        if (ws) {
          for (let j = 0; j < tj; j++) {
            for (let k = 0; k < tk; k++) {
              for (let i = 0; i < ti; i++) {
                const ii = size(p.I, i0 + i);
                const jj = size(p.J, j0 + j);
                const kk = size(p.K, k0 + k);
                const b = i === 0 ? op(spAddr(bRow(k, j)), kk, jj) : garbage;
                const c = op(accAddr(cRow(i, j), accumulateOld || k > 0), ii, jj);
                out.push({ kind: 'preload', bd: b, c });
                const a = op(spAddr(aRow(i, k)), ii, kk);
                out.push({ kind: 'compute', accumulated: i !== 0, a, bd: garbage });
              }
            }
          }
        } else {
          for (let i = 0; i < ti; i++) {
            for (let j = 0; j < tj; j++) {
              const ii = size(p.I, i0 + i);
              const jj = size(p.J, j0 + j);
              for (let k = 0; k < tk; k++) {
                const kk = size(p.K, k0 + k);
                const last = k === tk - 1;
                const c = last ? op(accAddr(cRow(i, j), accumulateOld), ii, jj) : garbage;
                out.push({ kind: 'preload', bd: garbage, c });
                const a = op(spAddr(aRow(i, k)), ii, kk);
                const b = op(spAddr(bRow(k, j)), kk, jj);
                out.push({ kind: 'compute', accumulated: k !== 0, a, bd: b });
              }
            }
          }
        }
      }
      for (let i = 0; i < ti; i++) {
        for (let j = 0; j < tj; j++) {
          const rows = size(p.I, i0 + i);
          const cols = size(p.J, j0 + j);
          const dram = p.c + (i0 + i) * dim * p.J + (j0 + j) * dim;
          out.push({ kind: 'mvout', dram, src: op(accAddr(cRow(i, j)), rows, cols) });
        }
      }
    }
  }
  out.push(fenceItem);
  return out;
}
