import type { Mapping } from '../../mapping/mapping.js';
import type { TensorRole } from '../../spec/spec.js';
import type { Dim } from '../../workload/workload.js';
import { primeFactors } from './factors.js';
import { addObjective, addRow, addVar, createMilp, type Milp } from './milp.js';
import { cosaEvenWeights } from './objective.js';
import type { ProblemFacts } from './problem.js';

/**
 * CoSA as published (docs/scheduling.md §2), on a three-level machine: level 0 the array (spatial
 * primes), level 1 the on-chip tile (temporal primes), level 2 DRAM, cut into one permutation slot
 * per prime (slot 0 innermost). Every bound is split into primes:
 * - `s_<q>`, `t_<q>`, `x_<q>_<z>`: prime q is spatial, temporal on chip, or at DRAM slot z;
 * - `Y_<v>_<z>`: a DRAM prime relevant to tensor v sits at slot z or inside it;
 * - `T_<v>_<z>` = log of slot z's prime when Y = 1 (the product l·Y linearised).
 * Capacity in log rows with fixed shares (tensors sharing a memory split it evenly, CoSA's 0.5/0.5),
 * halved for double buffering (every tensor is double-buffered where its memory allows: the fixed
 * policy of the target's own library, CoSA has no such decision). Objective −0.1·Util + 10·Comp +
 * 1·Traf. The loop order over DRAM slots is CoSA's; partial sums staying on chip is the target's rule,
 * added as `Y_O` ≤ 1 − (a reduction prime at the slot).
 */
export interface Prime {
  readonly name: string;
  readonly dim: Dim;
  readonly p: number;
}

export interface EvenModel {
  readonly milp: Milp;
  readonly primes: readonly Prime[];
  readonly slots: number;
}

export function formulateEven(
  facts: ProblemFacts,
  capacityMarginLog: ReadonlyMap<TensorRole, number>,
): EvenModel {
  const m = createMilp();
  const { nest, choice } = facts;
  const primes: Prime[] = [];
  for (const d of facts.dims) {
    primeFactors(d.bound).forEach((p, i) => primes.push({ name: `${d.dim}${i}`, dim: d.dim, p }));
  }
  const P = primes.length;
  const onChipAllowed = (d: Dim): boolean => {
    const f = facts.dims.find((x) => x.dim === d);
    return f !== undefined && f.tiles.some((t) => t > 1);
  };
  const spatialLimit = new Map<Dim, number>();
  spatialLimit.set(choice.spatial.rows, facts.arrayRows);
  spatialLimit.set(
    choice.spatial.cols,
    Math.min(spatialLimit.get(choice.spatial.cols) ?? Infinity, facts.arrayCols),
  );
  const s = new Map<string, string>();
  const t = new Map<string, string>();
  const x = new Map<string, string[]>();
  for (const q of primes) {
    const terms: [string, number][] = [];
    if (spatialLimit.has(q.dim) && onChipAllowed(q.dim)) {
      s.set(q.name, addVar(m, `s_${q.name}`, 'binary'));
      terms.push([`s_${q.name}`, 1]);
    }
    if (onChipAllowed(q.dim)) {
      t.set(q.name, addVar(m, `t_${q.name}`, 'binary'));
      terms.push([`t_${q.name}`, 1]);
    }
    const xs: string[] = [];
    for (let zi = 0; zi < P; zi++) xs.push(addVar(m, `x_${q.name}_${zi}`, 'binary'));
    x.set(q.name, xs);
    addRow(m, `place_${q.name}`, [...terms, ...xs.map((n) => [n, 1] as [string, number])], '=', 1);
  }
  for (let zi = 0; zi < P; zi++) {
    addRow(
      m,
      `slot_${zi}`,
      primes.map((q) => [(x.get(q.name) as string[])[zi], 1]),
      '<=',
      1,
    );
  }
  // Equal primes of a dim are interchangeable: order their levels (array < chip < DRAM slot).
  const level = (q: Prime): [string, number][] => [
    ...(t.has(q.name) ? [[t.get(q.name) as string, 1] as [string, number]] : []),
    ...(x.get(q.name) as string[]).map((n, zi) => [n, 2 + zi] as [string, number]),
  ];
  for (let i = 1; i < P; i++) {
    const a = primes[i - 1];
    const b = primes[i];
    if (a.dim !== b.dim || a.p !== b.p) continue;
    addRow(
      m,
      `sym_${b.name}`,
      [...level(b), ...level(a).map(([n, c]) => [n, -c] as [string, number])],
      '>=',
      0,
    );
  }
  for (const [d, limit] of spatialLimit) {
    const terms = primes
      .filter((q) => q.dim === d && s.has(q.name))
      .map((q) => [s.get(q.name) as string, Math.log2(q.p)] as [string, number]);
    if (terms.length > 0) addRow(m, `fanout_${d}`, terms, '<=', Math.log2(limit));
  }

  // Capacity: log rows of each tensor's tile (spatial primes along a tensor's row width are free).
  const byMemory = new Map<string, number>();
  for (const v of facts.tensors) byMemory.set(v.memory, (byMemory.get(v.memory) ?? 0) + 1);
  const util: [string, number][] = [];
  for (const v of facts.tensors) {
    const terms: [string, number][] = [];
    for (const q of primes) {
      if (!nest.relevant[v.role].includes(q.dim)) continue;
      const stride = facts.strides.get(`${v.role}${q.dim}`) ?? 1;
      const lp = Math.log2(q.p * stride);
      const sn = s.get(q.name);
      const tn = t.get(q.name);
      if (sn && facts.rowWidth.get(v.role)?.dim !== q.dim) terms.push([sn, lp]);
      if (tn) terms.push([tn, lp]);
    }
    const share = 1 / (byMemory.get(v.memory) ?? 1);
    const copies = v.doubleBufferAllowed ? 2 : 1;
    // A row holds several elements along its width dim: temporal primes there fill it first.
    const width = facts.rowWidth.get(v.role);
    const widthSpatial = width !== undefined && spatialLimit.has(width.dim);
    const free = width !== undefined && !widthSpatial ? Math.log2(width.elements) : 0;
    const cap =
      Math.log2((v.capacityRows * share) / copies) + free - (capacityMarginLog.get(v.role) ?? 0);
    addRow(m, `cap_${v.role}`, terms, '<=', cap);
    const weight = v.role === 'weight' ? 1.01 : 1;
    for (const [n, c] of terms) util.push([n, c * weight]);
  }

  // Reuse across DRAM slots.
  const traffic: [string, number][] = [];
  const maxLog = Math.max(1, ...primes.map((q) => Math.log2(q.p)));
  for (const v of facts.tensors) {
    let prev: string | undefined;
    for (let zi = 0; zi < P; zi++) {
      const Y = addVar(m, `Y_${v.role}_${zi}`, 'continuous');
      const rel = primes.filter((q) => nest.relevant[v.role].includes(q.dim));
      addRow(
        m,
        `ylo_${v.role}_${zi}`,
        [[Y, 1], ...rel.map((q) => [(x.get(q.name) as string[])[zi], -1] as [string, number])],
        '>=',
        0,
      );
      if (prev)
        addRow(
          m,
          `ymono_${v.role}_${zi}`,
          [
            [Y, 1],
            [prev, -1],
          ],
          '>=',
          0,
        );
      if (v.role === 'output') {
        const red = primes.filter((q) => nest.reduction.includes(q.dim));
        addRow(
          m,
          `nospill_${zi}`,
          [[Y, 1], ...red.map((q) => [(x.get(q.name) as string[])[zi], 1] as [string, number])],
          '<=',
          1,
        );
      }
      // T ≥ l_z − maxLog·(1 − Y), l_z = Σ log p · x(·, z)
      const T = addVar(m, `T_${v.role}_${zi}`, 'continuous', 0, maxLog);
      addRow(
        m,
        `tl_${v.role}_${zi}`,
        [
          [T, 1],
          ...primes.map(
            (q) => [(x.get(q.name) as string[])[zi], -Math.log2(q.p)] as [string, number],
          ),
          [Y, -maxLog],
        ],
        '>=',
        -maxLog,
      );
      traffic.push([T, 1]);
      prev = Y;
    }
    // D_v: the inner tile, level-weighted; DRAM_v: all DRAM primes (the same for every tensor).
    for (const q of primes) {
      const lp = Math.log2(q.p);
      const rel = nest.relevant[v.role].includes(q.dim);
      const sn = s.get(q.name);
      const tn = t.get(q.name);
      if (rel && sn) traffic.push([sn, 0.99 * 0.8 * lp]);
      if (rel && tn) traffic.push([tn, 0.99 * 0.84 * lp]);
      for (const n of x.get(q.name) as string[]) traffic.push([n, 1.01 * lp]);
    }
  }
  const comp: [string, number][] = [];
  for (const q of primes) {
    const lp = Math.log2(q.p);
    const tn = t.get(q.name);
    if (tn) comp.push([tn, lp]);
    for (const n of x.get(q.name) as string[]) comp.push([n, lp]);
  }
  for (const [n, c] of util) addObjective(m, n, -cosaEvenWeights.util * c);
  for (const [n, c] of comp) addObjective(m, n, cosaEvenWeights.comp * c);
  for (const [n, c] of traffic) addObjective(m, n, cosaEvenWeights.traffic * c);
  return { milp: m, primes, slots: P };
}

/** A solution of the even model as a Mapping (DRAM order: the dims' first slots, inner → outer). */
export function decodeEven(
  facts: ProblemFacts,
  model: EvenModel,
  values: ReadonlyMap<string, number>,
): Mapping {
  const on = (n: string): boolean => (values.get(n) ?? 0) > 0.5;
  const tile: Partial<Record<Dim, number>> = {};
  for (const d of facts.dims) tile[d.dim] = 1;
  const firstSlot = new Map<Dim, number>();
  for (const q of model.primes) {
    if (on(`s_${q.name}`) || on(`t_${q.name}`)) {
      tile[q.dim] = (tile[q.dim] ?? 1) * q.p;
      continue;
    }
    for (let zi = 0; zi < model.slots; zi++) {
      if (!on(`x_${q.name}_${zi}`)) continue;
      firstSlot.set(q.dim, Math.min(firstSlot.get(q.dim) ?? Infinity, zi));
    }
  }
  const dims = facts.dims.map((d) => d.dim);
  const inDram = dims.filter((d) => firstSlot.has(d));
  inDram.sort((a, b) => (firstSlot.get(b) ?? 0) - (firstSlot.get(a) ?? 0));
  const doubleBuffer = { input: false, weight: false, output: false };
  for (const v of facts.tensors) doubleBuffer[v.role] = v.doubleBufferAllowed;
  return {
    dataflow: facts.choice.dataflow,
    spatial: facts.choice.spatial,
    tile,
    order: [...dims.filter((d) => !firstSlot.has(d)), ...inDram],
    resident: { input: [], weight: [], output: [] },
    doubleBuffer,
  };
}
