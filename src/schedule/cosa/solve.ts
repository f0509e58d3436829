import { createRequire } from 'node:module';
import type { Highs } from 'highs';
import type { SearchLimit } from '../scheduler.js';

/**
 * The MILP solver: HiGHS compiled to WebAssembly (the `highs` package). The module loads it once,
 * with a top-level await, so solving stays synchronous for the schedulers. A solver is a function, so
 * tests can inject another (one that fails, say).
 *
 * The search is bounded by work, not time (docs/scheduling.md §6): a node limit and, optionally, a
 * limit on improving solutions, which give the same answer on an idle and a loaded machine. The time
 * limit is only a safety net; when it stops a solve, the outcome says so.
 */
export interface SolveOptions {
  /** Wall-clock safety net, in seconds (parsing and presolve add to it). */
  readonly timeLimitSeconds: number;
  readonly mipRelGap: number;
  readonly work: SolverWork;
}

/** The deterministic limits of one solve. */
export interface SolverWork {
  /** Branch-and-bound nodes (HiGHS `mip_max_nodes`). */
  readonly maxNodes: number;
  /** Improving solutions before stopping (HiGHS `mip_max_improving_sols`); null: no limit. */
  readonly maxImprovingSolutions: number | null;
  /** Whether HiGHS presolves the model. */
  readonly presolve: boolean;
}

/** The limits that can stop a solve early. */
export type SolverLimit = Extract<SearchLimit, 'time' | 'nodes' | 'solutions'>;

export type SolveOutcome =
  | {
      readonly kind: 'solution';
      /** Null when HiGHS proved optimality within the gap; else the limit that stopped it. */
      readonly limit: SolverLimit | null;
      readonly objective: number;
      readonly values: ReadonlyMap<string, number>;
      readonly seconds: number;
    }
  | {
      readonly kind: 'no-solution';
      readonly reason: string;
      /** The limit that stopped the search before any solution was found, if one did. */
      readonly limit: SolverLimit | null;
      readonly seconds: number;
    };

export type MilpSolver = (lp: string, options: SolveOptions) => SolveOutcome;

// The package's CommonJS build exports the loader itself; its typings describe it as a default export.
const loadHighs = createRequire(import.meta.url)('highs') as () => Promise<Highs>;
const highs = await loadHighs();
const status = highs.constants.modelStatus;
const feasible = highs.constants.solutionStatus.feasible;
const statusNames = new Map<number, string>(Object.entries(status).map(([k, v]) => [v, k]));

/** Solves LP text with HiGHS; an error of the solver itself becomes a `no-solution` outcome. */
export const highsSolver: MilpSolver = (lp, options) => {
  const start = performance.now();
  const seconds = (): number => (performance.now() - start) / 1000;
  let model: ReturnType<typeof highs.createModel> | undefined;
  try {
    model = highs.createModel({ format: 'lp', data: lp });
    model.options.set({
      output_flag: false,
      time_limit: Math.max(1e-3, options.timeLimitSeconds),
      mip_rel_gap: options.mipRelGap,
      mip_detect_symmetry: false,
      random_seed: 0,
      mip_max_nodes: options.work.maxNodes,
      ...(options.work.maxImprovingSolutions === null
        ? {}
        : { mip_max_improving_sols: options.work.maxImprovingSolutions }),
      presolve: options.work.presolve ? 'choose' : 'off',
    });
    const code = model.run().modelStatus;
    const nodes = Number(model.info.get('mip_node_count'));
    const limit: SolverLimit | null =
      code === status.timeLimit
        ? 'time'
        : code === status.solutionLimit
          ? nodes >= options.work.maxNodes
            ? 'nodes'
            : 'solutions'
          : null;
    const hasSolution = model.info.get('primal_solution_status') === feasible;
    if (!(code === status.optimal || (limit !== null && hasSolution))) {
      const why =
        limit === null
          ? (statusNames.get(code) ?? `HiGHS model status ${code}`)
          : `${limitWords[limit]} reached without a solution`;
      return { kind: 'no-solution', reason: `solver: ${why}`, limit, seconds: seconds() };
    }
    const primal = model.getSolution().colValue;
    const values = new Map<string, number>();
    for (let i = 0; i < primal.length; i++) values.set(model.getColName(i), primal[i]);
    return {
      kind: 'solution',
      limit,
      objective: model.getObjectiveValue(),
      values,
      seconds: seconds(),
    };
  } catch (e) {
    return {
      kind: 'no-solution',
      reason: `solver error: ${String(e)}`,
      limit: null,
      seconds: seconds(),
    };
  } finally {
    model?.dispose();
  }
};

export const limitWords: Readonly<Record<SolverLimit, string>> = {
  time: 'the time limit (safety net)',
  nodes: 'the node limit',
  solutions: 'the improving-solution limit',
};
