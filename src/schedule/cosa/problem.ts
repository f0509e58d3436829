import { maxInArrayProducts } from '../partial_sums.js';
import { estimateCost } from '../cost.js';
import type { Mapping } from '../../mapping/mapping.js';
import { tensorRoleList } from '../../mapping/tile_schedule.js';
import { memoryRows, type Dataflow, type Spec, type TensorRole } from '../../spec/spec.js';
import type { AnyTarget } from '../../contract/target.js';
import { isDepthwise, loopNest, macs } from '../../workload/shape.js';
import type { Dim, LoopNest, Workload } from '../../workload/workload.js';
import { divisorTiles, sumOverTiles, tileCandidates, tripsOf } from './factors.js';

/**
 * What the MIPs need to know about one layer on one target for one choice of array axes, learned
 * from the spec and the target's own functions, never from its name:
 * - which tiles the target accepts per dim (`checkMapping` on probe mappings),
 * - how many rows of which memory each tensor takes (`footprint`, one dim varied at a time: the
 *   layouts are products of per-dim factors), with and without a resident panel,
 * - the array's compute cycles per dim (the cost model's compute term, one dim varied at a time),
 * - the workload's geometry: tile extents and one-pass DRAM traffic per dim (halos of conv inputs).
 */
export interface ArrayChoice {
  readonly dataflow: Dataflow;
  readonly spatial: Mapping['spatial'];
}

export interface DimFacts {
  readonly dim: Dim;
  readonly bound: number;
  /** Candidate tiles (largest first) and their trip counts. */
  readonly tiles: readonly number[];
  readonly trips: readonly number[];
}

export interface TensorFacts {
  readonly role: TensorRole;
  readonly memory: string;
  readonly capacityRows: number;
  readonly doubleBufferAllowed: boolean;
  /** log2 of the rows at the base tiles, and per dim and candidate the log2 factor over the base. */
  readonly baseRowsLog: number;
  readonly rowsLog: ReadonlyMap<Dim, readonly number[]>;
  /** Dims the tensor may be resident over, with log2 rows of the full extent over the base. */
  readonly residentLog: ReadonlyMap<Dim, number>;
  /** Candidate indices a resident panel over the dim cannot use. */
  readonly residentForbidden: ReadonlyMap<Dim, readonly number[]>;
  /** Bytes moved per element (the output's bias included). */
  readonly bytesPerElement: number;
  /** Per relevant dim and candidate: log2 of the tile's extent and of one pass's extents summed. */
  readonly extentLog: ReadonlyMap<Dim, readonly number[]>;
  readonly fullExtentLog: ReadonlyMap<Dim, number>;
  readonly onePassLog: ReadonlyMap<Dim, readonly number[]>;
}

export interface ProblemFacts {
  readonly workload: Workload;
  readonly nest: LoopNest;
  readonly choice: ArrayChoice;
  readonly dims: readonly DimFacts[];
  readonly tensors: readonly TensorFacts[];
  /** log2 compute cycles at the largest tiles, and per dim and candidate the log2 factor over it. */
  readonly computeBaseLog: number;
  readonly computeLog: ReadonlyMap<Dim, readonly number[]>;
  /** Ideal MAC cycles (MACs / array size): the unit of the objective. */
  readonly idealCycles: number;
  readonly bytesPerCycle: number;
  readonly latencyCycles: number;
  readonly arrayRows: number;
  readonly arrayCols: number;
  /** Most products one in-array partial sum holds (src/schedule/partial_sums.ts). */
  readonly maxInArrayProducts: number;
  /** Input rows per output row along P and Q (CoSA's σ), keyed by tensor and dim. */
  readonly strides: ReadonlyMap<string, number>;
  /** Per tensor, the dim that runs along its on-chip rows, and how many elements a row holds. */
  readonly rowWidth: ReadonlyMap<TensorRole, { readonly dim: Dim; readonly elements: number }>;
}

const bytesOf: Record<string, number> = { int8: 1, uint8: 1, int16: 2, int32: 4, float32: 4 };

/** The array axes each dataflow may use: the conventional ones, and groups for a depthwise conv. */
export function arrayChoices(w: Workload, target: AnyTarget): ArrayChoice[] {
  const nest = loopNest(w);
  const out: ArrayChoice[] = [];
  const depthwise = isDepthwise(w);
  for (const dataflow of target.spec.array.dataflows) {
    const ws = dataflow === 'weight-stationary';
    const options: Mapping['spatial'][] = [
      ws
        ? { rows: nest.channel, cols: nest.outChannel }
        : { rows: nest.pixel, cols: nest.outChannel },
    ];
    if (depthwise) options.push(ws ? { rows: 'G', cols: 'G' } : { rows: nest.pixel, cols: 'G' });
    for (const spatial of options) {
      const probe = probeMapping(nest, { dataflow, spatial }, new Map());
      const bad = target
        .checkMapping(w, probe)
        .some((p) => p.path === 'spatial' || p.path === 'dataflow');
      if (!bad) out.push({ dataflow, spatial });
    }
  }
  return out;
}

/** A mapping with the given tiles (others 1), reductions innermost, nothing resident or buffered. */
export function probeMapping(
  nest: LoopNest,
  choice: ArrayChoice,
  tiles: ReadonlyMap<Dim, number>,
  resident: Mapping['resident'] = { input: [], weight: [], output: [] },
): Mapping {
  const tile: Partial<Record<Dim, number>> = {};
  for (const { dim } of nest.dims) tile[dim] = tiles.get(dim) ?? 1;
  const outer = nest.dims.map((d) => d.dim).filter((d) => !nest.reduction.includes(d));
  const inner = nest.dims.map((d) => d.dim).filter((d) => nest.reduction.includes(d));
  return {
    dataflow: choice.dataflow,
    spatial: choice.spatial,
    tile,
    order: [...outer, ...inner],
    resident,
    doubleBuffer: { input: false, weight: false, output: false },
  };
}

/** The block (array dimension) of a dim under a choice of array axes, or 1. */
export function blockOf(spec: Spec, choice: ArrayChoice, d: Dim): number {
  if (d === choice.spatial.rows) return spec.array.rows;
  if (d === choice.spatial.cols) return spec.array.cols;
  return 1;
}

/** Tile extent of tensor v along dim d for tile t (conv inputs: the halo of the kernel). */
export function tensorExtent(w: Workload, v: TensorRole, d: Dim, t: number): number {
  if (w.kind === 'conv' && v === 'input') {
    if (d === 'P') return w.R === 1 ? t : (t - 1) * w.strideH + (w.R - 1) * w.dilationH + 1;
    if (d === 'Q') return w.S === 1 ? t : (t - 1) * w.strideW + (w.S - 1) * w.dilationW + 1;
    if (d === 'R' || d === 'S') return 1;
  }
  return t;
}

export interface FactsOptions {
  readonly maxTiles: number;
  /** Only tiles that divide the bound (the even model). */
  readonly divisorsOnly: boolean;
  /** Kernel dims R, S whole on chip (their halo then stays separable). */
  readonly wholeKernel: boolean;
}

export function problemFacts(
  w: Workload,
  target: AnyTarget,
  choice: ArrayChoice,
  options: FactsOptions,
): ProblemFacts | undefined {
  const spec = target.spec;
  const nest = loopNest(w);
  const allowed = (d: Dim, t: number): boolean =>
    !target
      .checkMapping(w, probeMapping(nest, choice, new Map([[d, t]])))
      .some((p) => p.path === `tile.${d}`);
  const dims: DimFacts[] = [];
  for (const { dim, bound } of nest.dims) {
    const whole = options.wholeKernel && (dim === 'R' || dim === 'S');
    const block = blockOf(spec, choice, dim);
    let tiles = whole
      ? [bound]
      : options.divisorsOnly
        ? spread(divisorTiles(bound), options.maxTiles)
        : tileCandidates(bound, block, options.maxTiles);
    tiles = tiles.filter((t) => allowed(dim, t));
    if (tiles.length === 0) return undefined;
    dims.push({ dim, bound, tiles, trips: tiles.map((t) => tripsOf(bound, t)) });
  }
  const smallest = new Map(dims.map((d) => [d.dim, d.tiles[d.tiles.length - 1]]));
  const largest = new Map(dims.map((d) => [d.dim, d.tiles[0]]));
  const rowsAt = (tiles: ReadonlyMap<Dim, number>, resident?: Mapping['resident']) => {
    const m = probeMapping(nest, choice, tiles, resident);
    return target.footprint(w, m);
  };
  const base = rowsAt(smallest);
  const tensors: TensorFacts[] = [];
  for (const v of tensorRoleList) {
    const f = base.find((x) => x.tensor === v);
    if (f === undefined) continue;
    const mem = spec.memories[f.memory];
    const rowsOf = (fs: ReturnType<typeof rowsAt>): number =>
      Math.max(1, fs.find((x) => x.tensor === v)?.rows ?? 1);
    const baseRows = Math.max(1, f.rows);
    const rowsLog = new Map<Dim, number[]>();
    const residentLog = new Map<Dim, number>();
    const residentForbidden = new Map<Dim, number[]>();
    const extentLog = new Map<Dim, number[]>();
    const fullExtentLog = new Map<Dim, number>();
    const onePassLog = new Map<Dim, number[]>();
    for (const d of dims) {
      rowsLog.set(
        d.dim,
        d.tiles.map((t) =>
          Math.log2(rowsOf(rowsAt(new Map([...smallest, [d.dim, t]]))) / baseRows),
        ),
      );
      if (!nest.relevant[v].includes(d.dim)) continue;
      extentLog.set(
        d.dim,
        d.tiles.map((t) => Math.log2(tensorExtent(w, v, d.dim, t))),
      );
      fullExtentLog.set(d.dim, Math.log2(tensorExtent(w, v, d.dim, d.bound)));
      onePassLog.set(
        d.dim,
        d.tiles.map((t) =>
          Math.log2(sumOverTiles(d.bound, t, (e) => tensorExtent(w, v, d.dim, e))),
        ),
      );
      if (d.trips.every((n) => n === 1)) continue;
      const res: Mapping['resident'] = {
        input: v === 'input' ? [d.dim] : [],
        weight: v === 'weight' ? [d.dim] : [],
        output: v === 'output' ? [d.dim] : [],
      };
      const forbidden: number[] = [];
      d.tiles.forEach((t, i) => {
        const m = probeMapping(nest, choice, new Map([...smallest, [d.dim, t]]), res);
        const bad = target.checkMapping(w, m).some((p) => p.path === `resident.${v}`);
        if (bad) forbidden.push(i);
      });
      if (forbidden.length === d.tiles.length) continue;
      residentLog.set(d.dim, Math.log2(rowsOf(rowsAt(smallest, res)) / baseRows));
      residentForbidden.set(d.dim, forbidden);
    }
    const elem =
      v === 'output'
        ? (bytesOf[spec.array.outputType] ?? 1) + (w.bias ? (bytesOf[spec.array.accType] ?? 4) : 0)
        : (bytesOf[v === 'input' ? spec.array.inputType : spec.array.weightType] ?? 1);
    tensors.push({
      role: v,
      memory: f.memory,
      capacityRows: memoryRows(mem),
      doubleBufferAllowed: mem.doubleBuffer,
      baseRowsLog: Math.log2(baseRows),
      rowsLog,
      residentLog,
      residentForbidden,
      bytesPerElement: elem,
      extentLog,
      fullExtentLog,
      onePassLog,
    });
  }
  const rowWidth = new Map<TensorRole, { dim: Dim; elements: number }>();
  for (const t of tensors) {
    const rows = (d: Dim, n: number): number =>
      rowsAt(new Map([...smallest, [d, n]])).find((x) => x.tensor === t.role)?.rows ?? 0;
    for (const d of dims) {
      if (!nest.relevant[t.role].includes(d.dim) || d.bound < 2) continue;
      if (d.tiles.every((x) => x > 1) && smallest.get(d.dim) !== 1) continue;
      let elements = 1;
      while (elements * 2 <= d.bound && rows(d.dim, elements * 2) === rows(d.dim, 1)) elements *= 2;
      if (elements > 1) rowWidth.set(t.role, { dim: d.dim, elements });
    }
  }
  const strides = new Map<string, number>();
  if (w.kind === 'conv') {
    strides.set('inputP', w.R === 1 ? 1 : w.strideH);
    strides.set('inputQ', w.S === 1 ? 1 : w.strideW);
  }
  const computeAt = (tiles: ReadonlyMap<Dim, number>): number =>
    Math.max(
      1,
      estimateCost(w, probeMapping(nest, choice, tiles), spec, { stepwise: false }).computeCycles,
    );
  const computeBase = computeAt(largest);
  const computeLog = new Map<Dim, number[]>();
  for (const d of dims) {
    computeLog.set(
      d.dim,
      d.tiles.map((t) => Math.log2(computeAt(new Map([...largest, [d.dim, t]])) / computeBase)),
    );
  }
  return {
    workload: w,
    nest,
    choice,
    dims,
    tensors,
    computeBaseLog: Math.log2(computeBase),
    computeLog,
    idealCycles: Math.max(1, macs(w) / (spec.array.rows * spec.array.cols)),
    bytesPerCycle: spec.dram.bytesPerCycle,
    latencyCycles: spec.dram.latencyCycles,
    arrayRows: spec.array.rows,
    arrayCols: spec.array.cols,
    maxInArrayProducts: maxInArrayProducts(spec),
    strides,
    rowWidth,
  };
}

/** At most n of xs, evenly spread over its indices, first and last kept. */
function spread<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  const out = new Set<T>();
  for (let i = 0; i < n; i++) out.add(xs[Math.round((i * (xs.length - 1)) / (n - 1))]);
  return [...out];
}
