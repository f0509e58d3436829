import type { Spec, TensorRole } from '../spec/spec.js';
import { loopNest } from '../workload/shape.js';
import type { Dim, LoopNest, Workload } from '../workload/workload.js';
import type { Mapping } from '../mapping/mapping.js';
import {
  tensorRoleList,
  tileExtent,
  tileSchedule,
  type TileSchedule,
} from '../mapping/tile_schedule.js';

/**
 * An analytical cycle estimate of a mapping from the spec alone (no simulation, no target code).
 *
 * - Compute: the array works in blocks. Weight-stationary: each block of weights (array rows of the
 *   channel dim × array columns of the output-channel dim, per other weight index such as a kernel
 *   position) streams the tile's pixels in blocks of up to `array.rows` rows along the pixel dim, a
 *   block costing max(rows, 4) cycles, and a new weight block at least its own rows. Output-stationary:
 *   each block of outputs accumulates over channel blocks, max(pixel rows, channel rows, 4) cycles each.
 * - DRAM: the bytes each tensor moves (reuse from the loop order, halos of conv inputs, panels of
 *   resident tensors), one request per row at most per cycle, one channel shared by loads and stores.
 * - Instructions: two per array block, one per load or store of up to `array.rows` rows and one DRAM
 *   transfer; the host issues one per `issueCyclesPerInstruction`.
 * - Overlap: double-buffered transfers hide behind compute; the others stall it, with their latency;
 *   the first loads and the last store add to the total. The total combines compute with its stalls,
 *   DRAM time and issue time by a 4-norm (the largest, plus a little when they are close).
 * Steps differ only in partial tiles, so they are costed by class (the full or the last tile per dim).
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

/**
 * Σ over all tiles (of the given dims) of f(tile extents), by classes of equal extents; f returns a
 * few numbers, summed each.
 */
function sumOverSteps(
  s: TileSchedule,
  dims: readonly Dim[],
  f: (e: Map<Dim, number>) => readonly number[],
): number[] {
  const lists = dims.map((d) => extents(s, d));
  const e = new Map<Dim, number>();
  const total: number[] = [];
  const visit = (i: number, count: number): void => {
    if (i === dims.length) {
      f(e).forEach((x, k) => (total[k] = (total[k] ?? 0) + count * x));
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

/** Σ over blocks of size `block` covering `n` of max(block rows, floor). */
function blockRows(n: number, block: number, floor: number): number {
  const full = Math.floor(n / block);
  const rest = n - full * block;
  return full * Math.max(block, floor) + (rest > 0 ? Math.max(rest, floor) : 0);
}

const product = (dims: readonly Dim[], e: Map<Dim, number>): number =>
  dims.reduce((p, d) => p * (e.get(d) ?? 1), 1);

/** Compute cycles and array blocks of one step with extents e. */
function stepCompute(
  nest: LoopNest,
  m: Mapping,
  spec: Spec,
  e: Map<Dim, number>,
): [number, number] {
  const R = spec.array.rows;
  const C = spec.array.cols;
  // Groups on the array (a depthwise conv on diagonal weight blocks): each block of R groups is
  // one block of channels whose outputs are its own channels.
  const diag = m.spatial.cols === 'G';
  const groups = e.get('G') ?? 1;
  const ch = diag ? groups : (e.get(nest.channel) ?? 1);
  const oc = diag ? 1 : (e.get(nest.outChannel) ?? 1);
  const px = e.get(nest.pixel) ?? 1;
  const minRows = 4;
  if (diag && m.dataflow === 'output-stationary') {
    const outOthers = nest.relevant.output.filter(
      (d) => d !== nest.pixel && d !== nest.outChannel && d !== 'G',
    );
    const redOthers = nest.reduction.filter((d) => d !== nest.channel);
    const outBlocks = Math.ceil(groups / C) * product(outOthers, e) * Math.ceil(px / R);
    const pairs = outBlocks * product(redOthers, e);
    return [
      product(outOthers, e) *
        product(redOthers, e) *
        Math.ceil(groups / C) *
        blockRows(px, R, minRows),
      pairs,
    ];
  }
  if (m.dataflow === 'weight-stationary') {
    const others = nest.relevant.weight.filter(
      (d) => d !== nest.channel && d !== nest.outChannel && d !== 'G',
    );
    const weightBlocks = Math.ceil(ch / R) * Math.ceil(oc / C) * product(others, e);
    const stream = nest.dims
      .map((d) => d.dim)
      .filter((d) => !nest.relevant.weight.includes(d) && d !== nest.pixel && d !== 'G');
    const lines = product(stream, e);
    const perWeightBlock = lines * blockRows(px, R, minRows);
    // A new weight block shifts in its rows (up to R) while the previous block streams.
    const firstRows = Math.min(px, R);
    const weightLoad = Math.max(0, Math.min(ch, R) - Math.max(firstRows, minRows));
    const cycles = weightBlocks * (perWeightBlock + weightLoad);
    return [cycles, weightBlocks * lines * Math.ceil(px / R)];
  }
  const outOthers = nest.relevant.output.filter(
    (d) => d !== nest.pixel && d !== nest.outChannel && d !== 'G',
  );
  const redOthers = nest.reduction.filter((d) => d !== nest.channel);
  const outBlocks = Math.ceil(oc / C) * product(outOthers, e);
  const redLines = product(redOthers, e);
  let perPair = 0;
  for (const p of [
    { r: R, n: Math.floor(px / R) },
    { r: px % R, n: px % R > 0 ? 1 : 0 },
  ]) {
    for (const c of [
      { r: R, n: Math.floor(ch / R) },
      { r: ch % R, n: ch % R > 0 ? 1 : 0 },
    ]) {
      perPair += p.n * c.n * Math.max(p.r, c.r, minRows);
    }
  }
  const pairs = outBlocks * Math.ceil(px / R) * redLines * Math.ceil(ch / R);
  return [outBlocks * redLines * perPair, pairs];
}

/** Elements of one on-chip copy of tensor v for the given extents (halo included for conv inputs). */
function tileElements(
  w: Workload,
  nest: LoopNest,
  m: Mapping,
  v: TensorRole,
  e: Map<Dim, number>,
): number {
  const bound = new Map(nest.dims.map((d) => [d.dim, d.bound]));
  const ext = (d: Dim): number =>
    m.resident[v].includes(d) ? (bound.get(d) ?? 1) : (e.get(d) ?? 1);
  if (w.kind === 'conv' && v === 'input') {
    // A kernel of extent 1 along an axis reads only every stride-th row (column).
    const rows =
      w.R === 1 ? ext('P') : (ext('P') - 1) * w.strideH + (ext('R') - 1) * w.dilationH + 1;
    const cols =
      w.S === 1 ? ext('Q') : (ext('Q') - 1) * w.strideW + (ext('S') - 1) * w.dilationW + 1;
    return ext('N') * rows * cols * ext('C') * ext('G');
  }
  return nest.relevant[v].reduce((p, d) => p * ext(d), 1);
}

/**
 * What one load (or store) of tensor v's tile with extents e moves: bytes, DMA cycles (a request per
 * row at most per cycle, bandwidth), transfer instructions, and for the output the bytes of its
 * bias: one accumulator row of the tile's output channels, which the targets repeat over the tile's
 * pixels on chip (the bias loads of the lowerings under src/targets/).
 */
function tileMove(
  w: Workload,
  nest: LoopNest,
  m: Mapping,
  spec: Spec,
  s: TileSchedule,
  v: TensorRole,
  e: Map<Dim, number>,
): [number, number, number, number] {
  const R = spec.array.rows;
  const maxRow = spec.dram.maxTransferBytes;
  const elem =
    (v === 'output' ? bytesOf[spec.array.outputType] : bytesOf[spec.array.inputType]) ?? 1;
  const ext = (d: Dim): number => (m.resident[v].includes(d) ? (s.bound[d] ?? 1) : (e.get(d) ?? 1));
  const elements = tileElements(w, nest, m, v, e);
  const n = elements * elem;
  // With groups on the array, a tile's groups are contiguous channels too.
  const groupsOnArray = m.spatial.cols === 'G' ? ext('G') : 1;
  const contig = ext(contiguous(nest, v)) * groupsOnArray;
  // Rows of a transfer run along the row axis of the on-chip layout, at most R of them, each at
  // most one DRAM transfer wide (outputs leave one array block of columns at a time).
  const line =
    v === 'weight'
      ? ext(nest.channel) * groupsOnArray
      : w.kind === 'conv' && v === 'input' && w.S > 1
        ? (ext('Q') - 1) * w.strideW + (ext('S') - 1) * w.dilationW + 1
        : ext(nest.pixel);
  const rows = elements / contig;
  const width = v === 'output' ? spec.array.cols * elem : maxRow;
  const count = (rows / line) * Math.ceil(line / R) * Math.ceil((contig * elem) / width);
  // One bus request per row piece; at most `requestsInFlight` outstanding, each for the latency.
  const requests = rows * Math.ceil((contig * elem) / maxRow);
  const window =
    spec.dram.requestsInFlight === undefined
      ? 0
      : (requests * spec.dram.latencyCycles) / spec.dram.requestsInFlight;
  const bias = v === 'output' && w.bias ? contig * (bytesOf[spec.array.accType] ?? 4) : 0;
  return [n, Math.max(requests, n / spec.dram.bytesPerCycle, window), count, bias];
}

/** The contiguous (innermost) dim of a tensor's DRAM layout. */
function contiguous(nest: LoopNest, v: TensorRole): Dim {
  return v === 'input' ? nest.channel : nest.outChannel;
}

/** Most steps costed one by one; beyond it, steps are costed by class (aggregate overlap). */
const maxStepwise = 4096;

/**
 * A step's class: bit k set when it is at the last, partial tile of the k-th dim of `dims`. Steps of
 * one class have the same tile extents, so their compute and transfers are costed once per class.
 */
function stepClasses(s: TileSchedule, dims: readonly Dim[]) {
  const n = dims.length;
  const stride = new Float64Array(n);
  const trips = new Float64Array(n);
  const partial = new Uint8Array(n);
  dims.forEach((d, k) => {
    stride[k] = s.stride[d] ?? 1;
    trips[k] = s.trips[d] ?? 1;
    partial[k] = tileExtent(s, d, trips[k] - 1) !== tileExtent(s, d, 0) ? 1 : 0;
  });
  const classOf = (step: number): number => {
    let c = 0;
    for (let k = 0; k < n; k++) {
      if (partial[k] === 1 && Math.floor(step / stride[k]) % trips[k] === trips[k] - 1) c |= 1 << k;
    }
    return c;
  };
  const extentsOf = (c: number): Map<Dim, number> =>
    new Map(dims.map((d, k) => [d, tileExtent(s, d, (c >> k) & 1 ? trips[k] - 1 : 0)]));
  return { classOf, extentsOf };
}

/** Whether every dim of `dims` is at its first tile index in a step (with `lastIndex`, at its last). */
function atEdge(s: TileSchedule, dims: readonly Dim[], lastIndex: boolean) {
  const stride = dims.map((d) => s.stride[d] ?? 1);
  const trips = dims.map((d) => s.trips[d] ?? 1);
  return (step: number): boolean => {
    for (let k = 0; k < dims.length; k++) {
      const i = Math.floor(step / stride[k]) % trips[k];
      if (i !== (lastIndex ? trips[k] - 1 : 0)) return false;
    }
    return true;
  };
}

/**
 * Cycles when steps are costed one by one: step s computes while the double-buffered loads of step
 * s+1 and stores of step s−1 move (T_s = max(compute, those transfers, issue)), after its own
 * single-buffered loads and before its single-buffered stores. Unlike totals over the layer, this
 * sees a light step (a partial tile) that cannot hide the next full tile's loads.
 */
function stepwiseCycles(
  w: Workload,
  nest: LoopNest,
  m: Mapping,
  spec: Spec,
  s: TileSchedule,
): number {
  const lat = spec.dram.latencyCycles;
  const { classOf, extentsOf } = stepClasses(
    s,
    nest.dims.map((d) => d.dim),
  );
  /**
   * Per step class: compute cycles, array blocks, and each tensor's [bytes, DMA time, transfers,
   * bias bytes].
   */
  const costs = new Map<
    number,
    {
      readonly compute: number;
      readonly blocks: number;
      readonly move: Record<TensorRole, readonly [number, number, number, number]>;
    }
  >();
  const costOf = (c: number) => {
    let k = costs.get(c);
    if (k === undefined) {
      const e = extentsOf(c);
      const [compute, blocks] = stepCompute(nest, m, spec, e);
      const move = {} as Record<TensorRole, readonly [number, number, number, number]>;
      for (const v of tensorRoleList) move[v] = tileMove(w, nest, m, spec, s, v, e);
      k = { compute, blocks, move };
      costs.set(c, k);
    }
    return k;
  };
  const first = atEdge(s, nest.reduction, false);
  const last = atEdge(s, nest.reduction, true);
  const queue = (time: number, transfers: number, depth: number): number =>
    transfers === 0 ? 0 : Math.max(time, (transfers * (time / transfers + lat)) / depth);
  // The DMA time and transfers of the loads (or stores) of the last `loadsAt` (`storesAt`) call.
  let time = 0;
  let count = 0;
  /** Loads (inputs, weights, bias) due at a step, double-buffered or not: into `time` and `count`. */
  const loadsAt = (step: number, buffered: boolean): void => {
    time = 0;
    count = 0;
    if (step < 0 || step >= s.steps) return;
    const { move } = costOf(classOf(step));
    for (const v of ['input', 'weight'] as const) {
      if (m.doubleBuffer[v] !== buffered || step % s.period[v] !== 0) continue;
      time += move[v][1];
      count += move[v][2];
    }
    if (w.bias && m.doubleBuffer.output === buffered && first(step)) {
      const [, , k, bias] = move.output;
      time += Math.max(bias / spec.dram.bytesPerCycle, k * spec.array.rows);
      count += k;
    }
  };
  const storesAt = (step: number, buffered: boolean): void => {
    time = 0;
    count = 0;
    if (step < 0 || step >= s.steps || m.doubleBuffer.output !== buffered || !last(step)) return;
    const [, t, k] = costOf(classOf(step)).move.output;
    time = t;
    count = k;
  };
  let total = 0;
  loadsAt(0, true);
  total += time > 0 ? queue(time, count, spec.queues.load) + lat : 0;
  for (let step = 0; step < s.steps; step++) {
    const { compute, blocks } = costOf(classOf(step));
    loadsAt(step, false);
    const own = time;
    const ownN = count;
    loadsAt(step + 1, true);
    const next = time;
    const nextN = count;
    storesAt(step - 1, true);
    const prev = time;
    const prevN = count;
    storesAt(step, false);
    const out = time;
    const outN = count;
    const issue = (2 * blocks + ownN + nextN + prevN + outN) * spec.issueCyclesPerInstruction;
    const overlapped = queue(next, nextN, spec.queues.load) + queue(prev, prevN, spec.queues.store);
    total += own > 0 ? queue(own, ownN, spec.queues.load) + lat : 0;
    total += Math.max(compute, overlapped, issue);
    total +=
      out > 0 ? queue(out, outN, spec.queues.store) + lat + spec.array.pipelineLatencyCycles : 0;
  }
  storesAt(s.steps - 1, true);
  return total + time + lat + spec.array.pipelineLatencyCycles;
}

/**
 * `stepwise: false` costs steps by class only (fast, for scoring many candidates); by default steps
 * are costed one by one when there are at most 4096 of them.
 */
export function estimateCost(
  w: Workload,
  m: Mapping,
  spec: Spec,
  options: { readonly stepwise?: boolean } = {},
): CostEstimate {
  const nest = loopNest(w);
  const s = tileSchedule(nest, m);
  const dims = nest.dims.map((d) => d.dim);
  const R = spec.array.rows;
  const outBytes = bytesOf[spec.array.outputType] ?? 1;
  const bw = spec.dram.bytesPerCycle;
  const lat = spec.dram.latencyCycles;
  const maxRow = spec.dram.maxTransferBytes;

  const [computeCycles, blocks] = sumOverSteps(s, dims, (e) => stepCompute(nest, m, spec, e));

  // DRAM per tensor: each distinct tile of v moves loads_v / tiles_v times (the output once).
  const moved = {} as Record<
    TensorRole,
    { bytes: number; time: number; transfers: number; bias: number; loads: number }
  >;
  for (const v of tensorRoleList) {
    const own = nest.relevant[v].filter((d) => !m.resident[v].includes(d));
    const tiles = own.reduce((p, d) => p * (s.trips[d] ?? 1), 1);
    const reloads = v === 'output' ? 1 : s.loads[v] / Math.max(1, tiles);
    const [bytes, time, transfers, bias] = sumOverSteps(s, own, (e) =>
      tileMove(w, nest, m, spec, s, v, e),
    );
    const k = reloads;
    moved[v] = {
      bytes: bytes * k,
      time: time * k,
      transfers: transfers * k,
      bias: bias * k,
      loads: s.loads[v],
    };
  }
  const biasBytes = moved.output.bias;
  const biasTime = w.bias
    ? Math.max(biasBytes / bw, moved.output.bytes / Math.min(maxRow, R * outBytes))
    : 0;
  const dIn = moved.input.time;
  const dW = moved.weight.time;
  const dOut = moved.output.time + biasTime;
  const dramCycles = dIn + dW + dOut;
  // A queue entry is held until its transfer completes, latency included: with few entries, short
  // transfers are bound by depth / (rows + latency), not by bandwidth.
  const queueBound = (transfers: number, time: number, depth: number): number =>
    Math.max(time, (transfers * (time / Math.max(1, transfers) + lat)) / depth);
  const loadCycles = queueBound(
    moved.input.transfers + moved.weight.transfers + (w.bias ? moved.output.transfers : 0),
    dIn + dW + biasTime,
    spec.queues.load,
  );
  const storeCycles = queueBound(moved.output.transfers, moved.output.time, spec.queues.store);
  const stall = (v: TensorRole, time: number): number =>
    m.doubleBuffer[v] ? 0 : time + moved[v].loads * lat;
  // Loads that are not double-buffered stall the step they feed (one after the other on the load
  // unit); stores that are not stall it too, but overlap the next step's loads.
  const loadStall = stall('input', dIn) + stall('weight', dW);
  const storeStall = m.doubleBuffer.output
    ? 0
    : dOut + moved.output.loads * (lat + spec.array.pipelineLatencyCycles);
  const exposedCycles = Math.max(loadStall, storeStall) + Math.min(loadStall, storeStall) / 2;
  const firstLoads =
    (m.doubleBuffer.input ? dIn / moved.input.loads + lat : 0) +
    (m.doubleBuffer.weight ? dW / moved.weight.loads + lat : 0);
  const lastStore =
    (m.doubleBuffer.output ? dOut / moved.output.loads : 0) +
    lat +
    spec.array.pipelineLatencyCycles;
  const instructions =
    2 * blocks +
    moved.input.transfers +
    moved.weight.transfers +
    moved.output.transfers * (w.bias ? 2 : 1) +
    8;
  const issueCycles = instructions * spec.issueCyclesPerInstruction;
  // The host issues in order: while a load or store queue is full of transfers waiting out their
  // latency, it issues nothing else.
  const blocked =
    Math.max(0, loadCycles - (dIn + dW + biasTime)) + Math.max(0, storeCycles - moved.output.time);
  // Overlap is never perfect: when two of them are close, the units wait on each other now and then.
  // A 4-norm is the max when one dominates, 19% above it when two tie and 32% when all three do.
  const norm = (xs: readonly number[]): number =>
    Math.pow(
      xs.reduce((t, x) => t + x ** 4, 0),
      1 / 4,
    );
  const cycles =
    options.stepwise !== false && s.steps <= maxStepwise
      ? stepwiseCycles(w, nest, m, spec, s)
      : norm([computeCycles + exposedCycles, dramCycles, issueCycles + blocked]) +
        firstLoads +
        lastStore;
  return {
    cycles: Math.round(cycles),
    computeCycles: Math.round(computeCycles),
    dramCycles: Math.round(dramCycles),
    exposedCycles: Math.round(exposedCycles),
    issueCycles: Math.round(issueCycles),
    bytes: {
      read: Math.round(moved.input.bytes + moved.weight.bytes + biasBytes),
      write: Math.round(moved.output.bytes),
    },
    instructions: Math.round(instructions),
  };
}

/** The roofline bound: the larger of ideal compute (every MAC on the array) and minimal DRAM traffic. */
export function rooflineCycles(spec: Spec, macs: number, minimalBytes: number): number {
  return Math.ceil(
    Math.max(macs / (spec.array.rows * spec.array.cols), minimalBytes / spec.dram.bytesPerCycle),
  );
}
