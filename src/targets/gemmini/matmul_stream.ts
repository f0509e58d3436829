import { f32Bits } from '../../numeric/numeric.js';
import { fenceItem, type StreamItem } from '../../sim/simulate.js';
import { memoryRows, type Spec } from '../../target/spec.js';
import type { Instr, Operand } from './instr.js';
import { accAddr, garbageAddr, spAddr } from './local_addr.js';

/**
 * A matmul C[I×J] = act(scale(A[I×K]·B[K×J] + bias)) as a Gemmini instruction stream with a fixed tiling:
 * output tiles of tileI × tileJ DIM-blocks, reduced over tiles of tileK blocks, k innermost so a C tile
 * stays in the accumulator. Tiles alternate between the two halves of the scratchpad and of the
 * accumulator, and the stream is software-pipelined: the next step's loads and the previous step's stores
 * are interleaved with this step's computes. Both dataflows; partial edge blocks.
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

/** One reduction step of one output tile: its loads, its preload/compute pairs, its stores. */
interface Step {
  readonly loads: Instr[];
  readonly computes: Instr[][];
  readonly stores: Instr[];
}

/** Spreads `memory` evenly among the compute groups, memory operations first. */
function interleave(
  out: StreamItem<Instr>[],
  groups: readonly Instr[][],
  memory: readonly Instr[],
): void {
  let m = 0;
  for (let g = 0; g < groups.length; g++) {
    const until = Math.ceil(((g + 1) * memory.length) / groups.length);
    while (m < until) out.push(memory[m++]);
    out.push(...groups[g]);
  }
  while (m < memory.length) out.push(memory[m++]);
}

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
  const steps: Step[] = [];
  let spTurn = 0;
  let accTurn = 0;
  for (let i0 = 0; i0 < nI; i0 += tI) {
    for (let j0 = 0; j0 < nJ; j0 += tJ) {
      const ti = Math.min(tI, nI - i0);
      const tj = Math.min(tJ, nJ - j0);
      const accBase = (accTurn++ % 2) * accHalf;
      const cRow = (i: number, j: number): number => accBase + (i * tj + j) * dim;
      const biasLoads: Instr[] = [];
      if (p.bias !== 0) {
        for (let i = 0; i < ti; i++) {
          for (let j = 0; j < tj; j++) {
            const dst = op(accAddr(cRow(i, j)), size(p.I, i0 + i), size(p.J, j0 + j));
            biasLoads.push({ kind: 'mvin', slot: 2, dram: p.bias + 4 * (j0 + j) * dim, dst });
          }
        }
      }
      for (let k0 = 0; k0 < nK; k0 += tK) {
        const tk = Math.min(tK, nK - k0);
        const spBase = (spTurn++ % 2) * spHalf;
        const aRow = (i: number, k: number): number => spBase + (i * tk + k) * dim;
        const bRow = (k: number, j: number): number => spBase + (ti * tk + k * tj + j) * dim;
        const step: Step = { loads: k0 === 0 ? biasLoads : [], computes: [], stores: [] };
        for (let i = 0; i < ti; i++) {
          for (let k = 0; k < tk; k++) {
            const dram = p.a + (i0 + i) * dim * p.K + (k0 + k) * dim;
            const dst = op(spAddr(aRow(i, k)), size(p.I, i0 + i), size(p.K, k0 + k));
            step.loads.push({ kind: 'mvin', slot: 0, dram, dst });
          }
        }
        for (let k = 0; k < tk; k++) {
          for (let j = 0; j < tj; j++) {
            const dram = p.b + (k0 + k) * dim * p.J + (j0 + j) * dim;
            const dst = op(spAddr(bRow(k, j)), size(p.K, k0 + k), size(p.J, j0 + j));
            step.loads.push({ kind: 'mvin', slot: 1, dram, dst });
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
                const a = op(spAddr(aRow(i, k)), ii, kk);
                step.computes.push([
                  { kind: 'preload', bd: b, c },
                  { kind: 'compute', accumulated: i !== 0, a, bd: garbage },
                ]);
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
                const a = op(spAddr(aRow(i, k)), ii, kk);
                const b = op(spAddr(bRow(k, j)), kk, jj);
                step.computes.push([
                  { kind: 'preload', bd: garbage, c },
                  { kind: 'compute', accumulated: k !== 0, a, bd: b },
                ]);
              }
            }
          }
        }
        if (k0 + tK >= nK) {
          for (let i = 0; i < ti; i++) {
            for (let j = 0; j < tj; j++) {
              const dram = p.c + (i0 + i) * dim * p.J + (j0 + j) * dim;
              const src = op(accAddr(cRow(i, j)), size(p.I, i0 + i), size(p.J, j0 + j));
              step.stores.push({ kind: 'mvout', dram, src });
            }
          }
        }
        steps.push(step);
      }
    }
  }
  // Software pipelining: step s computes while step s+1 loads and step s-1 stores. Stores go before
  // loads in each phase, so a region is read out before the next-but-one tile refills it.
  out.push(...(steps[0]?.loads ?? []));
  for (let s = 0; s < steps.length; s++) {
    const memory = [...(steps[s - 1]?.stores ?? []), ...(steps[s + 1]?.loads ?? [])];
    interleave(out, steps[s].computes, memory);
  }
  out.push(...(steps[steps.length - 1]?.stores ?? []));
  out.push(fenceItem);
  return out;
}
