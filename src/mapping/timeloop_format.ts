import { UnsupportedError } from '../errors.js';
import type { Spec, TensorRole } from '../spec/spec.js';
import { loopNest } from '../workload/shape.js';
import type { Dim, Workload } from '../workload/workload.js';
import type { Mapping } from './mapping.js';
import { letterDims, timeloopLetters, type TimeloopLetter } from './timeloop.js';

/** Tensor letters in the order the notation writes them. */
const tensorLetters: readonly (readonly [TensorRole, string])[] = [
  ['weight', 'W'],
  ['input', 'I'],
  ['output', 'O'],
];

/**
 * A Mapping in the Timeloop-style notation that `parseTimeloopMapping` (src/mapping/timeloop.ts) reads
 * back to the same tiles, array axes, dataflow and order of the dims that take more than one trip
 * (docs/mappings.md §2). The levels come from the spec: DRAM outermost, then one level per on-chip
 * memory, the output's memory lowest (the others above it, in the spec's order), then L0 with the
 * stationary tensor. DRAM lists the dims with more than one trip, outermost first; the output's level
 * every other factor of the tile; the array's row factor sits there too, its column factor one level
 * up when there is one (as DOSA writes K16X at L2). A spatial factor is the largest divisor
 * of the tile that fits the array. Resident panels and double buffering have no form in the notation.
 */
export function formatTimeloopMapping(m: Mapping, w: Workload, spec: Spec): string {
  const resident = Object.entries(m.resident).filter(([, ds]) => ds.length > 0);
  if (resident.length > 0) {
    throw new UnsupportedError(
      'Timeloop notation',
      `it has no form for resident panels (${resident.map(([v, ds]) => `${v} over ${ds.join(',')}`).join('; ')})`,
    );
  }
  const nest = loopNest(w);
  const byDim = letterDims(w);
  const letterOf = (d: Dim): TimeloopLetter => {
    const letter = timeloopLetters.find((l) => byDim[l] === d);
    if (letter === undefined) {
      throw new UnsupportedError('Timeloop notation', `it has no letter for the ${d} loop`);
    }
    return letter;
  };
  const bound = new Map(nest.dims.map((d) => [d.dim, d.bound]));
  const tileOf = (d: Dim): number => Math.min(m.tile[d] ?? 1, bound.get(d) ?? 1);
  const rowsSpatial = largestDivisorAtMost(tileOf(m.spatial.rows), spec.array.rows);
  const colsSpatial = largestDivisorAtMost(tileOf(m.spatial.cols), spec.array.cols);

  const memories = Object.values(spec.memories).filter((mem) => mem.holds.length > 0);
  const outputMemory = memories.find((mem) => mem.holds.includes('output'));
  const others = memories.filter((mem) => mem !== outputMemory);
  const onChip = [...[...others].reverse(), ...(outputMemory === undefined ? [] : [outputMemory])];
  const top = onChip.length + 1;

  const dram = m.order
    .filter((d) => Math.ceil((bound.get(d) ?? 1) / tileOf(d)) > 1)
    .map((d) => `${letterOf(d)}${Math.ceil((bound.get(d) ?? 1) / tileOf(d))}`);
  const temporal = m.order.flatMap((d) => {
    const spatialPart = d === m.spatial.rows ? rowsSpatial : d === m.spatial.cols ? colsSpatial : 1;
    const rest = tileOf(d) / spatialPart;
    return rest > 1 ? [`${letterOf(d)}${rest}`] : [];
  });
  const rowsWord = rowsSpatial > 1 ? [`${letterOf(m.spatial.rows)}${rowsSpatial}X`] : [];
  const colsWord = colsSpatial > 1 ? [`${letterOf(m.spatial.cols)}${colsSpatial}X`] : [];
  const colsUp = onChip.length > 1;

  const levels: string[] = [`L${top}[WIO] ${words(dram)}`];
  onChip.forEach((mem, i) => {
    const index = top - 1 - i;
    const tensors = tensorLetters
      .filter(([v]) => mem.holds.includes(v))
      .map(([, l]) => l)
      .join('');
    const factors =
      index === 1
        ? [...temporal, ...(colsUp ? [] : colsWord), ...rowsWord]
        : index === 2
          ? colsWord
          : [];
    levels.push(`L${index}[${tensors}] ${words(factors)}`);
  });
  levels.push(`L0[${m.dataflow === 'weight-stationary' ? 'W' : 'O'}] N1`);
  return levels.join(' - ');
}

/** A level with no factors says N1, as CoSA and DOSA write it. */
function words(factors: readonly string[]): string {
  return factors.length === 0 ? 'N1' : factors.join(' ');
}

function largestDivisorAtMost(n: number, limit: number): number {
  for (let d = Math.min(n, limit); d > 1; d--) if (n % d === 0) return d;
  return 1;
}
