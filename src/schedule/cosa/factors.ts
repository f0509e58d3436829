/**
 * The numbers a loop bound offers the schedulers: its prime factors (CoSA's variables) and, for the
 * extended model, candidate tiles indexed by trip count (docs/scheduling.md §3b).
 */

/** Prime factors of n with repeats, smallest first; [] for 1. */
export function primeFactors(n: number): number[] {
  const out: number[] = [];
  let rest = n;
  for (let p = 2; p * p <= rest; p++) {
    while (rest % p === 0) {
      out.push(p);
      rest /= p;
    }
  }
  if (rest > 1) out.push(rest);
  return out;
}

/**
 * Candidate tiles of a dim of bound D: for each trip count n the smallest tile with ⌈D/t⌉ = n
 * (rounded up to a multiple of `block`, the array dimension, on dims bound to the array). When there
 * are more than `maxTiles` distinct ones, log-spaced trip counts are kept, with n = 1 and the exact
 * divisors of D among them first. Largest tile first.
 */
export function tileCandidates(bound: number, block: number, maxTiles: number): number[] {
  const blocks = Math.ceil(bound / block);
  const trips = block > 1 ? blocks : bound;
  const tileFor = (n: number): number =>
    block > 1 ? Math.min(bound, block * Math.ceil(blocks / n)) : Math.ceil(bound / n);
  const all = new Set<number>();
  for (let n = 1; n <= trips; n++) all.add(tileFor(n));
  if (all.size <= maxTiles) return [...all].sort((a, b) => b - a);
  const picked = new Set<number>([bound, tileFor(trips)]);
  for (let i = 0; picked.size < maxTiles && i < maxTiles; i++) {
    const n = Math.round(Math.exp((Math.log(trips) * i) / (maxTiles - 1)));
    picked.add(tileFor(Math.max(1, Math.min(trips, n))));
  }
  return [...picked].sort((a, b) => b - a);
}

/** Tiles that divide the bound exactly (for the even, divisor-only model). */
export function divisorTiles(bound: number): number[] {
  const out: number[] = [];
  for (let t = 1; t <= bound; t++) if (bound % t === 0) out.push(t);
  return out.sort((a, b) => b - a);
}

/** Trip count of tile t over bound D. */
export function tripsOf(bound: number, tile: number): number {
  return Math.ceil(bound / tile);
}

/** Σ over the tiles of t covering D of f(extent): the last tile may be partial. */
export function sumOverTiles(bound: number, tile: number, f: (extent: number) => number): number {
  const full = Math.floor(bound / tile);
  const rest = bound - full * tile;
  return full * f(tile) + (rest > 0 ? f(rest) : 0);
}
