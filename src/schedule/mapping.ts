import type { Dataflow, TensorRole } from '../target/spec.js';
import type { Dim } from '../workload/workload.js';

/**
 * A mapping: how a workload's loop nest runs on a target, as accelerator-neutral plain data.
 *
 * There is one on-chip tile level (the memories fed straight from DRAM, siblings such as a scratchpad
 * and an accumulator): `tile` gives each dim's tile size there, any size from 1 to the bound (the last
 * tile along a dim is partial when it does not divide the bound), and `order` the DRAM loop order over
 * the tiles. Inside a tile the array works in blocks: `spatial` names the dims bound to its rows and
 * columns; the order of blocks inside a tile is the lowering's.
 *
 * Uneven mapping: `resident[v]` lists dims whose whole DRAM loop tensor v's on-chip copy spans (e.g. the
 * input panel of a GEMM resident over K stays on chip while N iterates); each tensor thus has its own
 * tiling boundary. `doubleBuffer[v]` halves what v may use on chip and lets its transfers overlap compute.
 */
export interface Mapping {
  readonly dataflow: Dataflow;
  readonly spatial: { readonly rows: Dim; readonly cols: Dim };
  readonly tile: Readonly<Partial<Record<Dim, number>>>;
  readonly order: readonly Dim[];
  readonly resident: Readonly<Record<TensorRole, readonly Dim[]>>;
  readonly doubleBuffer: Readonly<Record<TensorRole, boolean>>;
}

/** No tensor resident beyond its tile. */
export const noResidency: Mapping['resident'] = { input: [], weight: [], output: [] };
