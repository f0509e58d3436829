import type { Mapping } from '../../mapping/mapping.js';
import { tensorRoleList } from '../../mapping/tile_schedule.js';
import type { Dim } from '../../workload/workload.js';
import type { ModelVars } from './formulate.js';
import type { ProblemFacts } from './problem.js';

/**
 * A solution of the extended model as a Mapping: each dim's chosen tile, the DRAM loop order from the
 * precedence variables (dims with one trip outermost, where their place does not matter), the
 * resident panels and the double-buffered tensors.
 */
export function decodeSolution(
  facts: ProblemFacts,
  vars: ModelVars,
  values: ReadonlyMap<string, number>,
): Mapping {
  const on = (n: string | undefined): boolean => n !== undefined && (values.get(n) ?? 0) > 0.5;
  const tile: Partial<Record<Dim, number>> = {};
  const trips = new Map<Dim, number>();
  for (const d of facts.dims) {
    const names = vars.y.get(d.dim) ?? [];
    let pick = names.findIndex((n) => on(n));
    if (pick < 0) pick = 0;
    tile[d.dim] = d.tiles[pick];
    trips.set(d.dim, d.trips[pick]);
  }
  const outside = (d: Dim, e: Dim): boolean => {
    const direct = vars.order.get(`${d}${e}`);
    if (direct !== undefined) return on(direct);
    const reverse = vars.order.get(`${e}${d}`);
    return reverse !== undefined && !on(reverse);
  };
  const active = vars.activeDims.filter((d) => (trips.get(d) ?? 1) > 1);
  const rank = (d: Dim): number => active.filter((e) => e !== d && outside(d, e)).length;
  const sortedActive = [...active].sort((a, b) => rank(b) - rank(a));
  const inactive = facts.dims.map((d) => d.dim).filter((d) => !active.includes(d));
  const resident = { input: [] as Dim[], weight: [] as Dim[], output: [] as Dim[] };
  const doubleBuffer = { input: false, weight: false, output: false };
  for (const v of tensorRoleList) {
    for (const [e, a] of vars.resident.get(v) ?? []) {
      if (on(a) && (trips.get(e) ?? 1) > 1) resident[v].push(e);
    }
    doubleBuffer[v] = on(vars.db.get(v));
  }
  return {
    dataflow: facts.choice.dataflow,
    spatial: facts.choice.spatial,
    tile,
    order: [...inactive, ...sortedActive],
    resident,
    doubleBuffer,
  };
}

/** A no-good cut's terms: the decisions that define the decoded mapping, as (variable, value). */
export function decisionValues(
  vars: ModelVars,
  values: ReadonlyMap<string, number>,
): [string, boolean][] {
  const names = [
    ...[...vars.y.values()].flat(),
    ...vars.order.values(),
    ...[...vars.resident.values()].flatMap((r) => [...r.values()]),
    ...vars.db.values(),
  ];
  return names.map((n) => [n, (values.get(n) ?? 0) > 0.5]);
}
