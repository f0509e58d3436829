import { createRequire } from 'node:module';
import type { Highs } from 'highs';

/**
 * The MILP solver: HiGHS compiled to WebAssembly (the `highs` package). The module loads it once,
 * with a top-level await, so solving stays synchronous for the schedulers. A solver is a function, so
 * tests can inject another (one that fails, say).
 */
export interface SolveOptions {
  /** HiGHS's time limit, in seconds (not a hard wall-clock bound: parsing and presolve add to it). */
  readonly timeLimitSeconds: number;
  readonly mipRelGap: number;
}

export type SolveOutcome =
  | {
      readonly kind: 'solution';
      /** True when HiGHS proved optimality within the gap; false for a time-limited incumbent. */
      readonly optimal: boolean;
      readonly objective: number;
      readonly values: ReadonlyMap<string, number>;
      readonly seconds: number;
    }
  | {
      readonly kind: 'no-solution';
      readonly reason: string;
      /** The time limit ran out before any solution was found. */
      readonly timedOut: boolean;
      readonly seconds: number;
    };

export type MilpSolver = (lp: string, options: SolveOptions) => SolveOutcome;

// The package's CommonJS build exports the loader itself; its typings describe it as a default export.
const loadHighs = createRequire(import.meta.url)('highs') as () => Promise<Highs>;
const highs = await loadHighs();

/** Solves LP text with HiGHS; an error of the solver itself becomes a `no-solution` outcome. */
export const highsSolver: MilpSolver = (lp, options) => {
  const start = performance.now();
  const seconds = (): number => (performance.now() - start) / 1000;
  let result: ReturnType<typeof highs.solve>;
  try {
    result = highs.solve(lp, {
      output_flag: false,
      time_limit: Math.max(1e-3, options.timeLimitSeconds),
      mip_rel_gap: options.mipRelGap,
      mip_detect_symmetry: false,
      random_seed: 0,
    });
  } catch (e) {
    return {
      kind: 'no-solution',
      reason: `solver error: ${String(e)}`,
      timedOut: false,
      seconds: seconds(),
    };
  }
  const status = result.Status;
  const finite = Number.isFinite(result.ObjectiveValue);
  if (!(status === 'Optimal' || (status === 'Time limit reached' && finite))) {
    const why = status === 'Time limit reached' ? 'time limit reached without a solution' : status;
    return {
      kind: 'no-solution',
      reason: `solver: ${why}`,
      timedOut: status === 'Time limit reached',
      seconds: seconds(),
    };
  }
  const values = new Map<string, number>();
  for (const col of Object.values(result.Columns)) values.set(col.Name, col.Primal);
  return {
    kind: 'solution',
    optimal: status === 'Optimal',
    objective: result.ObjectiveValue,
    values,
    seconds: seconds(),
  };
};
