import type { Mapping } from '../../mapping/mapping.js';
import type { Footprint } from '../../contract/target.js';
import type { Spec, TensorRole } from '../../spec/spec.js';
import type { Dim, GemmWorkload } from '../../workload/workload.js';

/**
 * How a GEMM tile sits in Gemmini's memories. Each tensor is a grid of DIM×DIM blocks: A (M rows × K
 * columns) and B (K × N) in the scratchpad, C (M × N, int32) in the accumulator. Block (r, c) of a
 * copy is at copy base + (r·blockCols + c)·rowsPerBlock, so consecutive column blocks are
 * rowsPerBlock rows apart (one mvin moves several). A tensor resident over a dim holds its full extent
 * along it. Double-buffered tensors have two copies.
 */
export interface TensorLayout {
  readonly tensor: TensorRole;
  readonly rowDim: Dim;
  readonly colDim: Dim;
  /** Extent held along each dim: the tile, or the bound where resident. */
  readonly rowExtent: number;
  readonly colExtent: number;
  readonly blockRows: number;
  readonly blockCols: number;
  readonly rowsPerBlock: number;
  /** Rows one copy takes, and the number of copies. */
  readonly copyRows: number;
  readonly copies: number;
  /** First row of the first copy in its memory. */
  readonly base: number;
  readonly memory: 'scratchpad' | 'accumulator';
}

export interface GemmLayout {
  readonly A: TensorLayout;
  readonly B: TensorLayout;
  readonly C: TensorLayout;
}

function layoutOf(
  w: GemmWorkload,
  m: Mapping,
  dim: number,
  tensor: TensorRole,
  rowDim: Dim,
  colDim: Dim,
  memory: TensorLayout['memory'],
  base: number,
): TensorLayout {
  const bound = (d: Dim): number => (d === 'M' ? w.M : d === 'N' ? w.N : w.K);
  const extent = (d: Dim): number =>
    m.resident[tensor].includes(d) ? bound(d) : Math.min(m.tile[d] ?? bound(d), bound(d));
  const rowExtent = extent(rowDim);
  const colExtent = extent(colDim);
  const blockRows = Math.ceil(rowExtent / dim);
  const blockCols = Math.ceil(colExtent / dim);
  const rowsPerBlock = Math.min(dim, rowExtent);
  const copyRows = blockRows * blockCols * rowsPerBlock;
  const copies = m.doubleBuffer[tensor] ? 2 : 1;
  return {
    tensor,
    rowDim,
    colDim,
    rowExtent,
    colExtent,
    blockRows,
    blockCols,
    rowsPerBlock,
    copyRows,
    copies,
    base,
    memory,
  };
}

export function gemmLayout(w: GemmWorkload, m: Mapping, spec: Spec): GemmLayout {
  const dim = spec.array.rows;
  const A = layoutOf(w, m, dim, 'input', 'M', 'K', 'scratchpad', 0);
  const B = layoutOf(w, m, dim, 'weight', 'K', 'N', 'scratchpad', A.copyRows * A.copies);
  const C = layoutOf(w, m, dim, 'output', 'M', 'N', 'accumulator', 0);
  return { A, B, C };
}

export function gemmFootprint(w: GemmWorkload, m: Mapping, spec: Spec): Footprint[] {
  const { A, B, C } = gemmLayout(w, m, spec);
  return [A, B, C].map((l) => ({ memory: l.memory, tensor: l.tensor, rows: l.copyRows }));
}
