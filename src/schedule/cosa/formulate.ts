import type { TensorRole } from '../../spec/spec.js';
import type { Dim } from '../../workload/workload.js';
import {
  createTermGroups,
  cycleVariable,
  group as addToGroup,
  type Expr,
  type TermGroups,
} from './cycle_terms.js';
import { addObjective, addRow, addVar, createMilp, type Milp } from './milp.js';
import type { CosaWeights } from './objective.js';
import type { DimFacts, ProblemFacts, TensorFacts } from './problem.js';

/**
 * The extended model (docs/scheduling.md §3–5, encoding E1) for one choice of array axes:
 * - `y_<d>_<i>`: dim d takes candidate tile i (one-hot; candidates need not divide the bound);
 * - `o_<d>_<e>`: d's DRAM loop is outside e's (pairwise precedence, transitive);
 * - `a_<v>_<e>`: tensor v is resident over e (its copy spans e's whole DRAM loop), where the target
 *   allows panels; `z_<v>_<e>_<i>` = a·y (the panel's footprint);
 * - `db_<v>`: v is double-buffered (×2 footprint, its DMA overlaps compute);
 * - `u_<v>_<k>`: v's share k/Q of a memory it shares with other tensors;
 * - `r_<v>_<d>`, `w_<v>_<d>_<i>`: v is refetched across d's loop (and d has candidate i).
 * The objective is cycles / ideal MAC cycles: `Lmax` ≥ compute + per-step overhead + exposed DMA of
 * single-buffered tensors, `Lmax` ≥ all DMA; plus the first tiles of double-buffered tensors. Each
 * log-linear term ℓ becomes a cycle variable X ≥ 2^ℓ through tangents of 2^x.
 */
export interface ModelOptions {
  readonly weights: CosaWeights;
  /** Whether tensors may be resident over dims and choose double buffering. */
  readonly residency: boolean;
  readonly doubleBufferDecision: boolean;
  /** Subtracted from log2 capacity per tensor (a tightening after a decoded mapping overflowed). */
  readonly capacityMarginLog: ReadonlyMap<TensorRole, number>;
}

/** Names of a model's decision variables, for decoding and no-good cuts. */
export interface ModelVars {
  readonly y: ReadonlyMap<Dim, readonly string[]>;
  readonly order: ReadonlyMap<string, string>;
  readonly activeDims: readonly Dim[];
  readonly resident: ReadonlyMap<TensorRole, ReadonlyMap<Dim, string>>;
  readonly db: ReadonlyMap<TensorRole, string>;
}

export interface Model {
  readonly milp: Milp;
  readonly vars: ModelVars;
}

const shareSteps = 8;

/** The model under construction: the MILP and the decision variables the builders share. */
interface Builder {
  readonly m: Milp;
  readonly facts: ProblemFacts;
  readonly options: ModelOptions;
  readonly groups: TermGroups;
  readonly dimFacts: ReadonlyMap<Dim, DimFacts>;
  /** Dims with a candidate tile that leaves more than one trip: only they have DRAM loops. */
  readonly active: readonly Dim[];
  readonly y: Map<Dim, string[]>;
  readonly order: Map<string, string>;
  readonly resident: Map<TensorRole, Map<Dim, string>>;
  /** `z_<v>_<e>_<i>` by `${v}${e}${i}`. */
  readonly z: Map<string, string>;
  readonly db: Map<TensorRole, string>;
  /** `w_<v>_<d>_<i>` by `${v}${d}${i}`. */
  readonly refetch: Map<string, string>;
}

export function formulate(facts: ProblemFacts, options: ModelOptions): Model {
  const b: Builder = {
    m: createMilp(),
    facts,
    options,
    groups: createTermGroups(),
    dimFacts: new Map(facts.dims.map((d) => [d.dim, d])),
    active: facts.dims.filter((d) => d.trips.some((n) => n > 1)).map((d) => d.dim),
    y: new Map(),
    order: new Map(),
    resident: new Map(),
    z: new Map(),
    db: new Map(),
    refetch: new Map(),
  };
  tileChoices(b);
  loopOrder(b);
  residencyAndDoubleBuffering(b);
  noPartialSumSpill(b);
  partialSumsFit(b);
  refetchIndicators(b);
  capacity(b);
  cycleObjective(b);
  const { y, order, active, resident, db } = b;
  return { milp: b.m, vars: { y, order, activeDims: active, resident, db } };
}

function group(b: Builder, name: string, key: string): string {
  return addToGroup(b.groups, name, key);
}

/** d's trip count under candidate tile i. */
function trips(b: Builder, d: Dim, i: number): number {
  return b.dimFacts.get(d)?.trips[i] ?? 1;
}

/** g_d as terms: Σ over d's candidates with more than one trip (d's loop is really there). */
function hasTrips(b: Builder, d: Dim): [string, number][] {
  return (b.y.get(d) ?? []).flatMap((n, i) => (trips(b, d, i) > 1 ? [[n, 1]] : []));
}

/** o(d, e) = 1 when d's DRAM loop is outside e's, as an expression over the pairwise variables. */
function outside(b: Builder, d: Dim, e: Dim): Expr {
  const direct = b.order.get(`${d}${e}`);
  if (direct !== undefined) return { constant: 0, terms: [[direct, 1]] };
  const reverse = b.order.get(`${e}${d}`) as string;
  return { constant: 1, terms: [[reverse, -1]] };
}

/** Tensor v's residency variable over e, where the target allows a panel there. */
function residentOver(b: Builder, v: TensorRole, e: Dim): string | undefined {
  return b.resident.get(v)?.get(e);
}

/** `y_<d>_<i>`: exactly one candidate tile per dim. */
function tileChoices(b: Builder): void {
  for (const d of b.facts.dims) {
    const names = d.tiles.map((_, i) => addVar(b.m, `y_${d.dim}_${i}`, 'binary'));
    names.forEach((n) => group(b, n, `y${d.dim}`));
    b.y.set(d.dim, names);
    addRow(
      b.m,
      `one_${d.dim}`,
      names.map((n) => [n, 1] as const),
      '=',
      1,
    );
  }
}

/** `o_<d>_<e>`: pairwise precedence of the DRAM loops, kept transitive. */
function loopOrder(b: Builder): void {
  const { active } = b;
  active.forEach((d, i) =>
    active
      .slice(i + 1)
      .forEach((e) => b.order.set(`${d}${e}`, addVar(b.m, `o_${d}_${e}`, 'binary'))),
  );
  for (const d of active) {
    for (const e of active) {
      for (const f of active) {
        if (d === e || e === f || d === f) continue;
        // o(d,e) + o(e,f) − o(d,f) ≤ 1
        const x = outside(b, d, e);
        const y = outside(b, e, f);
        const c = outside(b, d, f);
        const terms = [
          ...x.terms,
          ...y.terms,
          ...c.terms.map(([n, k]) => [n, -k] as [string, number]),
        ];
        addRow(b.m, `trans_${d}_${e}_${f}`, terms, '<=', 1 - x.constant - y.constant + c.constant);
      }
    }
  }
}

/**
 * `a_<v>_<e>` (v resident over e's whole DRAM loop, not with the candidate tiles the target forbids
 * for a panel), `z_<v>_<e>_<i>` = a·y linearised, and `db_<v>` where double buffering is a decision.
 */
function residencyAndDoubleBuffering(b: Builder): void {
  const { m } = b;
  for (const t of b.facts.tensors) {
    const res = new Map<Dim, string>();
    if (b.options.residency) {
      for (const [e, forbidden] of t.residentForbidden) {
        if (!b.active.includes(e)) continue;
        const a = addVar(m, `a_${t.role}_${e}`, 'binary');
        res.set(e, a);
        const ys = b.y.get(e) ?? [];
        for (const i of forbidden)
          addRow(
            m,
            `panel_${t.role}_${e}_${i}`,
            [
              [a, 1],
              [ys[i], 1],
            ],
            '<=',
            1,
          );
        ys.forEach((yn, i) => {
          const zn = group(b, addVar(m, `z_${t.role}_${e}_${i}`, 'continuous'), `z${t.role}${e}`);
          b.z.set(`${t.role}${e}${i}`, zn);
          addRow(
            m,
            `zlo_${t.role}_${e}_${i}`,
            [
              [zn, 1],
              [a, -1],
              [yn, -1],
            ],
            '>=',
            -1,
          );
          addRow(
            m,
            `zha_${t.role}_${e}_${i}`,
            [
              [zn, 1],
              [a, -1],
            ],
            '<=',
            0,
          );
          addRow(
            m,
            `zhy_${t.role}_${e}_${i}`,
            [
              [zn, 1],
              [yn, -1],
            ],
            '<=',
            0,
          );
        });
      }
    }
    b.resident.set(t.role, res);
    if (b.options.doubleBufferDecision && t.doubleBufferAllowed) {
      b.db.set(t.role, addVar(m, `db_${t.role}`, 'binary'));
    }
  }
}

/**
 * No partial sums leave the output memory: no reduction loop with trips outside an output loop with
 * trips over which the output is not resident.
 */
function noPartialSumSpill(b: Builder): void {
  const { nest } = b.facts;
  for (const d of b.active.filter((x) => nest.reduction.includes(x))) {
    for (const e of b.active.filter((x) => nest.relevant.output.includes(x))) {
      const oe = outside(b, d, e);
      const a = residentOver(b, 'output', e);
      addRow(
        b.m,
        `nospill_${d}_${e}`,
        [
          ...oe.terms,
          ...hasTrips(b, d),
          ...hasTrips(b, e),
          ...(a ? [[a, -1] as [string, number]] : []),
        ],
        '<=',
        2 - oe.constant,
      );
    }
  }
}

/**
 * Output-stationary accumulates the whole reduction tile inside the array: the product of the
 * reduction dims' tiles may not exceed the products one partial sum holds (src/schedule/partial_sums.ts),
 * Σ ln(tile) · y ≤ ln(max). Weight-stationary adds one product per array row, checked by the validator.
 */
function partialSumsFit(b: Builder): void {
  const { nest, choice, maxInArrayProducts: max } = b.facts;
  if (choice.dataflow !== 'output-stationary' || !Number.isFinite(max)) return;
  const terms: [string, number][] = [];
  for (const d of b.facts.dims.filter((x) => nest.reduction.includes(x.dim))) {
    (b.y.get(d.dim) ?? []).forEach((n, i) => terms.push([n, Math.log(d.tiles[i])]));
  }
  if (terms.length > 0) addRow(b.m, 'psum_fit', terms, '<=', Math.log(max) + 1e-9);
}

/**
 * `r_<v>_<d>`: v is reloaded across d's loop when a relevant, non-resident loop with trips sits
 * inside it; `w_<v>_<d>_<i>` = r·y linearised, for the refetch factor in the DMA terms.
 */
function refetchIndicators(b: Builder): void {
  const { m } = b;
  const { nest } = b.facts;
  for (const t of b.facts.tensors) {
    const v = t.role;
    const changing = b.active.filter((e) => nest.relevant[v].includes(e));
    for (const d of b.active) {
      const relevant = nest.relevant[v].includes(d);
      const ad = residentOver(b, v, d);
      if (relevant && ad === undefined) continue;
      if (v === 'output' && nest.reduction.includes(d)) continue;
      const r = addVar(m, `r_${v}_${d}`, 'continuous');
      for (const e of changing) {
        if (e === d) continue;
        const oe = outside(b, d, e);
        const ae = residentOver(b, v, e);
        const terms: [string, number][] = [
          [r, 1],
          ...oe.terms.map(([n, k]) => [n, -k] as [string, number]),
        ];
        for (const [n, k] of hasTrips(b, e)) terms.push([n, -k]);
        if (ae) terms.push([ae, 1]);
        if (relevant && ad) terms.push([ad, -1]);
        addRow(m, `refetch_${v}_${d}_${e}`, terms, '>=', oe.constant - (relevant ? 2 : 1));
      }
      (b.y.get(d) ?? []).forEach((yn, i) => {
        if (trips(b, d, i) <= 1) return;
        const wn = group(b, addVar(m, `w_${v}_${d}_${i}`, 'continuous'), `w${v}${d}`);
        b.refetch.set(`${v}${d}${i}`, wn);
        addRow(
          m,
          `wl_${v}_${d}_${i}`,
          [
            [wn, 1],
            [r, -1],
            [yn, -1],
          ],
          '>=',
          -1,
        );
      });
    }
  }
}

/**
 * Capacity in log rows per tensor: its tile, its panels, ×2 when double-buffered, within its share
 * `u_<v>_<k>` (k/8) of a memory several tensors live in.
 */
function capacity(b: Builder): void {
  const { m, facts } = b;
  const byMemory = new Map<string, TensorFacts[]>();
  for (const t of facts.tensors) byMemory.set(t.memory, [...(byMemory.get(t.memory) ?? []), t]);
  for (const [memory, ts] of byMemory) {
    const shared = ts.length > 1;
    const shareTerms: [string, number][] = [];
    for (const t of ts) {
      const terms: [string, number][] = [];
      for (const d of facts.dims) {
        const logs = t.rowsLog.get(d.dim) ?? [];
        (b.y.get(d.dim) ?? []).forEach((yn, i) => terms.push([yn, logs[i] ?? 0]));
        const a = residentOver(b, t.role, d.dim);
        if (a !== undefined) {
          const full = t.residentLog.get(d.dim) ?? 0;
          d.tiles.forEach((_, i) => {
            const zn = b.z.get(`${t.role}${d.dim}${i}`) as string;
            terms.push([zn, Math.max(0, full - (logs[i] ?? 0))]);
          });
        }
      }
      const dbv = b.db.get(t.role);
      if (dbv) terms.push([dbv, 1]);
      const rhs =
        Math.log2(t.capacityRows) - t.baseRowsLog - (b.options.capacityMarginLog.get(t.role) ?? 0);
      if (shared) {
        const us: [string, number][] = [];
        for (let k = 1; k < shareSteps; k++) {
          const u = addVar(m, `u_${t.role}_${k}`, 'binary');
          us.push([u, 1]);
          shareTerms.push([u, k]);
          terms.push([u, -Math.log2(k / shareSteps)]);
        }
        addRow(m, `share_${t.role}`, us, '=', 1);
      }
      addRow(m, `cap_${memory}_${t.role}`, terms, '<=', rhs);
    }
    if (shared) addRow(m, `shares_${memory}`, shareTerms, '<=', shareSteps);
  }
}

/**
 * The objective in cycles / ideal MAC cycles: `Lmax` ≥ compute + per-step overhead + the exposed DMA
 * of single-buffered tensors, `Lmax` ≥ all DMA; plus the first tiles of double-buffered tensors.
 */
function cycleObjective(b: Builder): void {
  const { m, facts } = b;
  const { nest } = facts;
  const w = b.options.weights;
  const S0log = Math.log2(facts.idealCycles);
  const cycles = (name: string, e: Expr): string => cycleVariable(m, b.groups, name, e);
  const ySum = (d: Dim, coef: readonly number[]): [string, number][] =>
    (b.y.get(d) ?? []).map((n, i) => [n, coef[i] ?? 0]);
  const tripLogs = (d: Dim): number[] => (b.dimFacts.get(d)?.trips ?? []).map((n) => Math.log2(n));
  const computeTerms: [string, number][] = [];
  for (const d of facts.dims) computeTerms.push(...ySum(d.dim, facts.computeLog.get(d.dim) ?? []));
  const XC = cycles('C', {
    constant: facts.computeBaseLog + Math.log2(w.compute) - S0log,
    terms: computeTerms,
  });
  const lmaxCompute: [string, number][] = [[XC, 1]];
  if (w.step > 0) {
    const stepTerms: [string, number][] = [];
    for (const d of facts.dims) stepTerms.push(...ySum(d.dim, tripLogs(d.dim)));
    lmaxCompute.push([cycles('S', { constant: Math.log2(w.step) - S0log, terms: stepTerms }), 1]);
  }
  const dmaAll: [string, number][] = [];
  const prologue: string[] = [];
  const bw = facts.bytesPerCycle;
  for (const t of facts.tensors) {
    const v = t.role;
    const refetch: [string, number][] = [];
    for (const d of b.active) {
      tripLogs(d).forEach((l, i) => {
        const wn = b.refetch.get(`${v}${d}${i}`);
        if (wn) refetch.push([wn, l]);
      });
    }
    const pass: [string, number][] = [];
    const loads: [string, number][] = [];
    const tile: [string, number][] = [];
    for (const d of nest.relevant[v]) {
      pass.push(...ySum(d, t.onePassLog.get(d) ?? []));
      loads.push(...ySum(d, tripLogs(d)));
      tile.push(...ySum(d, t.extentLog.get(d) ?? []));
      const a = residentOver(b, v, d);
      if (a !== undefined) {
        const full = t.fullExtentLog.get(d) ?? 0;
        tripLogs(d).forEach((l, i) => {
          const zn = b.z.get(`${v}${d}${i}`) as string;
          loads.push([zn, -l]);
          tile.push([zn, full - ((t.extentLog.get(d) ?? [])[i] ?? 0)]);
        });
      }
    }
    const XM = cycles(`M_${v}`, {
      constant: Math.log2((t.bytesPerElement * w.dma) / bw) - S0log,
      terms: [...pass, ...refetch],
    });
    dmaAll.push([XM, 1]);
    const exposed: [string, number][] = [[XM, 1]];
    if (w.latency > 0) {
      const lat = Math.max(1, facts.latencyCycles * w.latency);
      exposed.push([
        cycles(`L_${v}`, { constant: Math.log2(lat) - S0log, terms: [...loads, ...refetch] }),
        1,
      ]);
    }
    const E = addVar(m, `E_${v}`, 'continuous', 0, 1e9);
    const dbv = b.db.get(v);
    const big = exposed.reduce((s, [n]) => s + (m.vars.get(n)?.upper ?? 0), 0);
    addRow(
      m,
      `exp_${v}`,
      [
        [E, 1],
        ...exposed.map(([n, c]) => [n, -c] as [string, number]),
        ...(dbv ? [[dbv, big] as [string, number]] : []),
      ],
      '>=',
      0,
    );
    lmaxCompute.push([E, 1]);
    if (dbv !== undefined && w.prologue > 0) {
      const off = 40;
      const XP = cycles(`P_${v}`, {
        constant: Math.log2((t.bytesPerElement * w.prologue) / bw) - S0log - off,
        terms: [...tile, [dbv, off]],
      });
      prologue.push(XP);
    }
  }
  const L = addVar(m, 'Lmax', 'continuous', 0, 1e12);
  addRow(
    m,
    'lat_compute',
    [[L, 1], ...lmaxCompute.map(([n, c]) => [n, -c] as [string, number])],
    '>=',
    0,
  );
  addRow(m, 'lat_dma', [[L, 1], ...dmaAll.map(([n, c]) => [n, -c] as [string, number])], '>=', 0);
  addObjective(m, L, 1);
  for (const p of prologue) addObjective(m, p, 1);
}
