import type { Spec, TensorRole } from '../target/spec.js';
import { loopNest } from '../workload/shape.js';
import type { Dim, LoopNest, Workload } from '../workload/workload.js';
import type { Mapping } from './mapping.js';
import { tensorRoleList, tileSchedule, type TileSchedule } from './tile_schedule.js';

/**
 * An analytical cycle estimate of a mapping from the spec alone (no simulation, no target code):
 * - compute: per step, the array's blocks along its two spatial dims, each streaming the other dims'
 *   rows (at least one weight load's worth of rows per stationary block); partial blocks cost their rows,
 *   padding to a full block costs nothing extra but wastes the array;
 * - DRAM: bytes each tensor moves (tile reuse from the loop order, halos of conv inputs, panels of
 *   resident tensors), one request per row at most per cycle, the channel's bandwidth shared;
 * - overlap: double-buffered transfers hide behind compute (a step costs max(compute, transfer)),
 *   the others add to it with their latency, plus the first loads and the last stores;
 * - issue: the host's cost per instruction bounds everything from below.
 * Steps differ only in partial tiles, so they are costed by class (full or last tile per dim).
 */
export interface CostEstimate {
  readonly cycles: number;
  readonly computeCycles: number;
  readonly dramCycles: number;
  readonly exposedCycles: number;
  readonly issueCycles: number;
  readonly bytes: { readonly read: number; readonly write: number };
  readonly instructions: number;
}

const bytesOf: Record<string, number> = { int8: 1, uint8: 1, int16: 2, int32: 4, float32: 4 };

/** The tile extents a dim takes, with how many tiles have each. */
function extents(s: TileSchedule, d: Dim): { e: number; n: number }[] {
  const b = s.bound[d] ?? 1;
  const t = s.tile[d] ?? b;
  const full = Math.floor(b / t);
  const rest = b - full * t;
  const out = full > 0 ? [{ e: t, n: full }] : [];
  if (rest > 0) out.push({ e: rest, n: 1 });
  return out;
}

/** Σ over all tiles of f(tile extents): a sum over classes of steps. */
function sumOverSteps(s: TileSchedule, dims: readonly Dim[], f: (e: Map<Dim, number>) => number): number {
  const lists = dims.map((d) => extents(s, d));
  const e = new Map<Dim, number>();
  let total = 0;
  const visit = (i: number, count: number): void => {
    if (i === dims.length) {
      total += count * f(e);
      return;
    }
    for (const x of lists[i]) {
      e.set(dims[i], x.e);
      visit(i + 1, count * x.n);
    }
  };
  visit(0, 1);
  return total;
}

/** Elements of one on-chip copy of tensor v for the given extents (halo included for conv inputs). */
function tileElements(w: Workload, nest: LoopNest, m: Mapping, v: TensorRole, e: Map<Dim, number>): number {
  const bound = new Map(nest.dims.map((d) => [d.dim, d.bound]));
  const ext = (d: Dim): number => (m.resident[v].includes(d) ? (bound.get(d) ?? 1) : (e.get(d) ?? 1));
  if (w.kind === 'conv' && v === 'input') {
    const rows = (ext('P') - 1) * w.strideH + (ext('R') - 1) * w.dilationH + 1;
    const cols = (ext('Q') - 1) * w.strideW + (ext('S') - 1) * w.dilationW + 1;
    return ext('N') * Math.min(rows, w.H + w.padTop + w.padBottom) * Math.min(cols, w.W + w.padLeft + w.padRight) * ext('C');
  }
  return nest.relevant[v].filter((d) => d !== 'G').reduce((p, d) => p * ext(d), 1);
}

/** Bytes of one DRAM row of a tensor (its innermost, contiguous dim), capped by one transfer. */
function rowBytes(w: Workload, v: TensorRole, e: Map<Dim, number>, spec: Spec): number {
  const inner: Dim = w.kind === 'gemm' ? (v === 'input' ? 'K' : 'N') : v === 'input' ? 'C' : 'K';
  return Math.max(1, Math.min(spec.dram.maxTransferBytes, e.get(inner) ?? 1));
}

export function estimateCost(w: Workload, m: Mapping, spec: Spec): CostEstimate {
  const nest = loopNest(w);
  const s = tileSchedule(nest, m);
  const dims = nest.dims.map((d) => d.dim);
  const rowsDim = m.spatial.rows;
  const colsDim = m.spatial.cols;
  const R = spec.array.rows;
  const C = spec.array.cols;
  const stationary: TensorRole = m.dataflow === 'weight-stationary' ? 'weight' : 'output';
  const statDims = nest.relevant[stationary].filter((d) => d !== rowsDim && d !== colsDim && d !== 'G');
  const streamDims = dims.filter((d) => !nest.relevant[stationary].includes(d) && d !== 'G');
  const inBytes = bytesOf[spec.array.inputType] ?? 1;
  const accBytes = bytesOf[spec.array.accType] ?? 4;
  const outBytes = bytesOf[spec.array.outputType] ?? 1;

  let blocks = 0;
  const computeCycles = sumOverSteps(s, dims, (e) => {
    const b = Math.ceil((e.get(rowsDim) ?? 1) / R) * Math.ceil((e.get(colsDim) ?? 1) / C);
    const stat = statDims.reduce((p, d) => p * (e.get(d) ?? 1), 1);
    const stream = streamDims.reduce((p, d) => p * (e.get(d) ?? 1), 1);
    blocks += b * stat * Math.ceil(stream / R);
    return m.dataflow === 'weight-stationary' ? b * stat * Math.max(stream, R) : b * stat * Math.max(stream, 4);
  });

  // DRAM: each distinct tile of v moves loads_v / tiles_v times.
  const groups = w.kind === 'conv' ? w.groups : 1;
  const perTensor = {} as Record<TensorRole, { bytes: number; rows: number; loads: number }>;
  for (const v of tensorRoleList) {
    const own = nest.relevant[v].filter((d) => !m.resident[v].includes(d) && d !== 'G');
    const tiles = own.reduce((p, d) => p * (s.trips[d] ?? 1), 1) * (dims.includes('G') ? groups : 1);
    // The output is stored once per element (reductions stay on chip); inputs reload with the order.
    const reloads = v === 'output' ? 1 : s.loads[v] / Math.max(1, tiles);
    const elemBytes = v === 'output' ? outBytes : inBytes;
    let rows = 0;
    const bytes =
      reloads *
      (dims.includes('G') ? groups : 1) *
      sumOverSteps(s, own, (e) => {
        const n = tileElements(w, nest, m, v, e) * elemBytes;
        rows += n / rowBytes(w, v, e, spec);
        return n;
      });
    perTensor[v] = { bytes, rows: rows * reloads, loads: s.loads[v] };
  }
  const bias = w.bias ? (perTensor.output.bytes / outBytes) * accBytes : 0;
  const bw = spec.dram.bytesPerCycle;
  const lat = spec.dram.latencyCycles;
  const dma = (v: TensorRole, extra = 0): number => Math.max((perTensor[v].bytes + extra) / bw, perTensor[v].rows);
  const dIn = dma('input');
  const dW = dma('weight');
  const dOut = dma('output', bias);
  const dramCycles = dIn + dW + dOut;
  const exposed =
    (m.doubleBuffer.input ? 0 : dIn + perTensor.input.loads * lat) +
    (m.doubleBuffer.weight ? 0 : dW + perTensor.weight.loads * lat) +
    (m.doubleBuffer.output ? 0 : dOut + perTensor.output.loads * lat);
  const firstLoads =
    (m.doubleBuffer.input ? dIn / perTensor.input.loads + lat : 0) +
    (m.doubleBuffer.weight ? dW / perTensor.weight.loads + lat : 0);
  const lastStore = (m.doubleBuffer.output ? dOut / perTensor.output.loads : 0) + lat;
  const instructions =
    2 * blocks +
    (perTensor.input.rows + perTensor.weight.rows + perTensor.output.rows) / R +
    s.steps * 4;
  const issueCycles = instructions * spec.issueCyclesPerInstruction;
  const body = Math.max(computeCycles + exposed, dramCycles);
  const cycles = Math.max(body + firstLoads + lastStore + spec.array.pipelineLatencyCycles, issueCycles);
  return {
    cycles: Math.round(cycles),
    computeCycles: Math.round(computeCycles),
    dramCycles: Math.round(dramCycles),
    exposedCycles: Math.round(exposed),
    issueCycles: Math.round(issueCycles),
    bytes: {
      read: Math.round(perTensor.input.bytes + perTensor.weight.bytes + (w.bias ? bias : 0)),
      write: Math.round(perTensor.output.bytes),
    },
    instructions: Math.round(instructions),
  };
}

/** The roofline bound: the larger of ideal compute (every MAC on the array) and minimal DRAM traffic. */
export function rooflineCycles(spec: Spec, macs: number, minimalBytes: number): number {
  return Math.ceil(Math.max(macs / (spec.array.rows * spec.array.cols), minimalBytes / spec.dram.bytesPerCycle));
}
