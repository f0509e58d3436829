import type { TensorRole } from '../spec/spec.js';
import type { Dim, LoopNest } from '../workload/workload.js';
import type { Mapping } from './mapping.js';

/**
 * What a mapping's DRAM loop nest implies, as numbers: each dim's tile and trip count, the DRAM loops
 * flattened into steps (step s runs tile indices decoded from s), and how often each tensor's on-chip
 * copy changes. Shared by lowerings, cost models and validation.
 *
 * A tensor v is (re)loaded when one of its relevant, non-resident dims changes index: at every
 * iteration of the innermost such loop with more than one trip. Loops inside that one reuse it. Its
 * reload period is the number of steps between loads (all steps when it never changes).
 */
export interface TileSchedule {
  /** DRAM loop order, outermost first. */
  readonly order: readonly Dim[];
  readonly bound: Readonly<Partial<Record<Dim, number>>>;
  /** Tile per dim (the bound where the mapping leaves it out). */
  readonly tile: Readonly<Partial<Record<Dim, number>>>;
  readonly trips: Readonly<Partial<Record<Dim, number>>>;
  /** Steps per iteration of each dim's DRAM loop (the product of the trips inside it). */
  readonly stride: Readonly<Partial<Record<Dim, number>>>;
  readonly steps: number;
  /** Steps between reloads of each tensor. */
  readonly period: Readonly<Record<TensorRole, number>>;
  /** How many times each tensor's on-chip copy is loaded (or, for the output, filled and stored). */
  readonly loads: Readonly<Record<TensorRole, number>>;
}

export const tensorRoleList: readonly TensorRole[] = ['input', 'weight', 'output'];

export function tileSchedule(nest: LoopNest, mapping: Mapping): TileSchedule {
  const bound: Partial<Record<Dim, number>> = {};
  const tile: Partial<Record<Dim, number>> = {};
  const trips: Partial<Record<Dim, number>> = {};
  for (const { dim, bound: b } of nest.dims) {
    bound[dim] = b;
    const t = Math.min(mapping.tile[dim] ?? b, b);
    tile[dim] = t;
    trips[dim] = Math.ceil(b / t);
  }
  const order = mapping.order;
  const stride: Partial<Record<Dim, number>> = {};
  let inner = 1;
  for (let i = order.length - 1; i >= 0; i--) {
    stride[order[i]] = inner;
    inner *= trips[order[i]] ?? 1;
  }
  const steps = inner;
  const period = {} as Record<TensorRole, number>;
  const loads = {} as Record<TensorRole, number>;
  for (const v of tensorRoleList) {
    const changing = order.filter(
      (d) =>
        nest.relevant[v].includes(d) && !mapping.resident[v].includes(d) && (trips[d] ?? 1) > 1,
    );
    const innermost = changing[changing.length - 1];
    // A hardware loop per tile loads its inputs and weights afresh every step.
    const everyStep = mapping.hardwareLoops === true && v !== 'output';
    period[v] = everyStep ? 1 : innermost === undefined ? steps : (stride[innermost] ?? steps);
    loads[v] = steps / period[v];
  }
  return { order, bound, tile, trips, stride, steps, period, loads };
}

/** Tile extent of dim d at tile index i: the last tile may be partial. */
export function tileExtent(s: TileSchedule, d: Dim, index: number): number {
  const t = s.tile[d] ?? 1;
  return Math.min(t, (s.bound[d] ?? 1) - index * t);
}
