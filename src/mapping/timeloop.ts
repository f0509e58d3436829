import { InputError } from '../errors.js';
import type { Spec } from '../spec/spec.js';
import { loopNest } from '../workload/shape.js';
import type { Dim, LoopNest, Workload } from '../workload/workload.js';
import type { Mapping } from './mapping.js';

/**
 * The Timeloop-style mapping notation CoSA and DOSA print (docs/mappings.md §2), read into a Mapping:
 * `L3[WIO] K12 - L2[WI] N1 K16X - L1[O] K4 C48 P4 C16X - L0[W] P32`. Levels run from the outermost
 * (DRAM, holding W, I and O) down to L0 (the array's registers, holding the stationary tensor); each
 * level lists the tensors it keeps and its loop factors, outermost first, a trailing X (or Y) marking
 * a spatial one.
 */

export const timeloopLetters = ['N', 'C', 'K', 'P', 'Q', 'R', 'S'] as const;
export type TimeloopLetter = (typeof timeloopLetters)[number];

/** What the letters stand for, in messages. */
export const letterMeaning: Readonly<Record<TimeloopLetter, string>> = {
  N: 'batch',
  C: 'input channels',
  K: 'output channels',
  P: 'output columns',
  Q: 'output rows',
  R: 'kernel columns',
  S: 'kernel rows',
};

/**
 * Our dim for each letter, or null where the workload has no such loop. A conv: P (output columns) is
 * our Q, Q (output rows) our P, R (kernel columns) our S, S (kernel rows) our R. A GEMM A[M×K]·B[K×N]
 * is the conv with P = M, C = K, K = N.
 */
export function letterDims(w: Workload): Readonly<Record<TimeloopLetter, Dim | null>> {
  if (w.kind === 'gemm') return { N: null, C: 'K', K: 'N', P: 'M', Q: null, R: null, S: null };
  return { N: 'N', C: 'C', K: 'K', P: 'Q', Q: 'P', R: 'S', S: 'R' };
}

export interface TimeloopFactor {
  readonly letter: TimeloopLetter;
  readonly size: number;
  readonly spatial: boolean;
}

export interface TimeloopLevel {
  /** k of `Lk`. */
  readonly index: number;
  readonly tensors: readonly ('W' | 'I' | 'O')[];
  /** Outermost first. */
  readonly factors: readonly TimeloopFactor[];
}

export interface TimeloopOptions {
  /**
   * When false, a dim whose factors multiply to less than its bound is not an error: the tiles stand
   * and the DRAM loop runs as many trips as the bound needs (as a vendor library run with given tile
   * sizes does; docs/mappings.md §2). Default true.
   */
  readonly requireCover?: boolean;
}

function fail(reason: string): never {
  throw new InputError(`Timeloop mapping: ${reason}`);
}

/** The levels of a mapping string, outermost first, checked for form only. */
export function parseTimeloopLevels(text: string): TimeloopLevel[] {
  const parts = text.trim().split(/\s+-\s+/);
  const levels = parts.map((part, i): TimeloopLevel => {
    const head = /^L(\d+)\[([A-Z]*)\]$/.exec(part.trim().split(/\s+/)[0] ?? '');
    if (head === null) fail(`"${part}": a level starts with Lk[tensors], e.g. L2[WI]`);
    const [, index, letters] = head as RegExpExecArray;
    const want = parts.length - 1 - i;
    if (Number(index) !== want) {
      fail(`"${part}": levels run from L${parts.length - 1} down to L0, so this one is L${want}`);
    }
    const tensors = [...(letters as string)].map((t) =>
      t === 'W' || t === 'I' || t === 'O' ? t : fail(`L${want}[${letters}]: ${t} is not W, I or O`),
    );
    if (new Set(tensors).size !== tensors.length) fail(`L${want}[${letters}] lists a tensor twice`);
    const factors = part
      .trim()
      .split(/\s+/)
      .slice(1)
      .map((word): TimeloopFactor => {
        const m = /^([A-Z])(\d+)([XY]?)$/.exec(word);
        const letter = m?.[1] as TimeloopLetter | undefined;
        if (m === null || letter === undefined || !timeloopLetters.includes(letter)) {
          return fail(
            `L${want} factor "${word}": a factor is a letter (${timeloopLetters.join(' ')}), ` +
              'a size and X if spatial',
          );
        }
        const size = Number(m[2]);
        if (size < 1) fail(`L${want} factor "${word}": must be a positive integer`);
        return { letter, size, spatial: m[3] !== '' };
      });
    return { index: want, tensors, factors };
  });
  const top = levels[0] as TimeloopLevel;
  if (levels.length < 2 || ['W', 'I', 'O'].some((t) => !top.tensors.includes(t as 'W'))) {
    fail(
      `the outermost level (DRAM) must hold W, I and O (got L${top.index}[${top.tensors.join('')}])`,
    );
  }
  return levels;
}

/**
 * A mapping string as a Mapping of `w` on a target with spec `spec` (docs/mappings.md §2):
 * - the tile of a dim is the product of its factors at the output's on-chip level (the lowest level
 *   above L0 that holds O) and below, times its spatial factors at any level; the DRAM level's factors
 *   are the trips; a temporal factor above 1 between the two levels has no place in our one tile level
 *   and is refused;
 * - the DRAM loop order is the DRAM level's, a dim listed twice taking its innermost place (as the
 *   data's runs did, docs/mappings.md §2); dims it does not list run outside them, in the workload's
 *   loop-nest order;
 * - L0 names the stationary tensor (W: weight-stationary, O: output-stationary), which puts the
 *   dataflow's array axes on rows and columns; spatial factors must lie on them and fit the array;
 * - every dim's factors must multiply to at least its bound (a larger product pads the last tile).
 * Nothing is double-buffered or resident beyond its tile: the notation does not say.
 */
export function parseTimeloopMapping(
  text: string,
  w: Workload,
  spec: Spec,
  options: TimeloopOptions = {},
): Mapping {
  const levels = parseTimeloopLevels(text);
  if (w.kind === 'conv' && w.groups > 1) {
    fail('a grouped conv has no letter for its groups');
  }
  const nest = loopNest(w);
  const dimOf = letterDims(w);
  const l0 = levels[levels.length - 1] as TimeloopLevel;
  const stationary = l0.tensors.length === 1 ? l0.tensors[0] : undefined;
  if (stationary !== 'W' && stationary !== 'O') {
    fail(`L0[${l0.tensors.join('')}] must name the stationary tensor: L0[W] or L0[O]`);
  }
  const dataflow = stationary === 'W' ? 'weight-stationary' : 'output-stationary';
  const spatial: Mapping['spatial'] =
    dataflow === 'weight-stationary'
      ? { rows: nest.channel, cols: nest.outChannel }
      : { rows: nest.pixel, cols: nest.outChannel };
  const outputLevel = [...levels].reverse().find((l) => l.index >= 1 && l.tensors.includes('O'));
  const dram = levels[0] as TimeloopLevel;
  if (outputLevel === undefined || outputLevel === dram) {
    fail('no on-chip level (between DRAM and L0) holds O');
  }
  const base = (outputLevel as TimeloopLevel).index;
  const tile = new Map<Dim, number>();
  const trips = new Map<Dim, number>();
  const spatialSize = { rows: 1, cols: 1 };
  const innermostAtDram = new Map<Dim, number>();
  for (const level of levels) {
    level.factors.forEach((f, at) => {
      const word = `L${level.index} factor ${f.letter}${f.size}${f.spatial ? 'X' : ''}`;
      const dim = dimOf[f.letter];
      if (dim === null) {
        if (f.size > 1) fail(`${word}: a ${w.kind} has no ${letterMeaning[f.letter]} loop`);
        return;
      }
      if (level === dram) {
        if (f.spatial) fail(`${word}: DRAM has no spatial factors`);
        trips.set(dim, (trips.get(dim) ?? 1) * f.size);
        innermostAtDram.set(dim, at);
        return;
      }
      if (f.spatial) {
        const axis = dim === spatial.rows ? 'rows' : dim === spatial.cols ? 'cols' : null;
        if (axis === null) {
          const letterOf = (d: Dim): string => timeloopLetters.find((l) => dimOf[l] === d) ?? d;
          fail(
            `${word}: under ${dataflow} the array's rows take ${letterOf(spatial.rows)} and its ` +
              `columns ${letterOf(spatial.cols)}`,
          );
        }
        spatialSize[axis as 'rows'] *= f.size;
        if (spatialSize[axis as 'rows'] > spec.array[axis as 'rows']) {
          fail(`${word}: the array has ${spec.array[axis as 'rows']} ${axis}`);
        }
      } else if (level.index > base && f.size > 1) {
        fail(
          `${word}: a temporal factor above L${base} (the output's level) would give the tensors ` +
            `there a larger tile than the output's; gemmforge's mappings have one on-chip tile ` +
            `level (move it to L${dram.index} or L${base})`,
        );
      }
      tile.set(dim, (tile.get(dim) ?? 1) * f.size);
    });
  }
  const requireCover = options.requireCover ?? true;
  const tiles: Partial<Record<Dim, number>> = {};
  for (const { dim, bound } of nest.dims) {
    const t = tile.get(dim) ?? 1;
    const total = t * (trips.get(dim) ?? 1);
    if (requireCover && total < bound) {
      const letter = timeloopLetters.find((l) => dimOf[l] === dim) as TimeloopLetter;
      fail(
        `${letter} (${letterMeaning[letter]}): the factors multiply to ${total}, ` +
          `less than the workload's ${bound}`,
      );
    }
    tiles[dim] = Math.min(t, bound);
  }
  return {
    dataflow,
    spatial,
    tile: tiles,
    order: dramOrder(nest, innermostAtDram),
    resident: { input: [], weight: [], output: [] },
    doubleBuffer: { input: false, weight: false, output: false },
  };
}

/** Dims the DRAM level does not list (loop-nest order), then the listed ones, outermost first. */
function dramOrder(nest: LoopNest, innermostAt: ReadonlyMap<Dim, number>): Dim[] {
  const all = nest.dims.map((d) => d.dim);
  const listed = all
    .filter((d) => innermostAt.has(d))
    .sort((a, b) => (innermostAt.get(a) as number) - (innermostAt.get(b) as number));
  return [...all.filter((d) => !innermostAt.has(d)), ...listed];
}
