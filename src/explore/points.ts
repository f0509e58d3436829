import { InputError, GemmforgeError } from '../errors.js';
import type { AnyTarget } from '../contract/target.js';
import { parseSpec } from '../spec/load_spec.js';
import type { Spec } from '../spec/spec.js';
import { resolveTarget, targetFromSpec } from '../targets/index.js';
import { maxPoints, rangeValues, type FieldValue, type Parameter, type Sweep } from './sweep.js';

/**
 * The points of a sweep: the cartesian product of its parameters' values (in the order the file
 * lists the parameters, the last varying fastest), each applied to the base spec. A point whose spec
 * the schema or its instruction set refuses, or that breaks a constraint, is kept with the reason:
 * it is reported, never silently dropped, and nothing is run for it.
 */

/** One assignment of spec fields: path → value. */
type Assignment = Readonly<Record<string, FieldValue>>;

export interface Point {
  /** Its place in the product, from 0. */
  readonly index: number;
  /** Parameter name → the value it takes here (a group's index for `set` parameters). */
  readonly values: Readonly<Record<string, FieldValue>>;
  readonly spec: Spec;
  /** Sum of every memory's capacity. */
  readonly sramBytes: number;
  readonly pes: number;
  /** The target to run, or why the point is not run. */
  readonly target: AnyTarget | null;
  readonly invalid: string | null;
}

/** The bytes of every on-chip memory of a spec. */
export function sramBytes(spec: Spec): number {
  return Object.values(spec.memories).reduce((s, m) => s + m.capacityBytes, 0);
}

function getPath(obj: unknown, path: readonly string[]): unknown {
  let at = obj;
  for (const part of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at = obj;
  for (const part of path.slice(0, -1)) at = at[part] as Record<string, unknown>;
  at[path[path.length - 1]] = value;
}

function kindOf(v: unknown): string {
  return Array.isArray(v) ? 'list' : typeof v;
}

/** A field's value checked against the base spec: the path exists and the kind matches. */
function checkField(base: Spec, path: string, value: FieldValue, where: string): void {
  const current = getPath(base, path.split('.'));
  if (current === undefined || (typeof current === 'object' && !Array.isArray(current))) {
    throw new InputError(`${where}: "${path}" is not a field of the base spec`);
  }
  if (kindOf(current) !== kindOf(value)) {
    throw new InputError(
      `${where}: must be a ${kindOf(current)} like the base spec's ${path} ` +
        `(got ${JSON.stringify(value)})`,
    );
  }
}

/** Each parameter's choices as assignments of spec fields, checked against the base spec. */
function choices(base: Spec, key: string, p: Parameter): { label: FieldValue; set: Assignment }[] {
  const where = `parameters.${key}`;
  if (!Array.isArray(p) && 'set' in p) {
    return p.set.map((group, i) => {
      for (const [path, v] of Object.entries(group))
        checkField(base, path, v, `${where}.set[${i}]`);
      return { label: i, set: group };
    });
  }
  const values: FieldValue[] = Array.isArray(p) ? p : rangeValues(p);
  return values.map((v, i) => {
    checkField(base, key, v, `${where}[${i}]`);
    return { label: v, set: { [key]: v } };
  });
}

/** The target a sweep's `base` names: a preset, or a spec file. */
export function baseTarget(sweep: Sweep): AnyTarget {
  return resolveTarget(sweep.base);
}

function constraintBreach(sweep: Sweep, sram: number, pes: number): string | null {
  const c = sweep.constraints;
  if (c.maxSramBytes !== undefined && sram > c.maxSramBytes) {
    return `constraint maxSramBytes: ${sram} bytes on chip > ${c.maxSramBytes}`;
  }
  if (c.maxPEs !== undefined && pes > c.maxPEs) {
    return `constraint maxPEs: ${pes} > ${c.maxPEs}`;
  }
  return null;
}

/** The spec with the assignments applied, checked; the target, or the reason it has none. */
function pointTarget(
  spec: unknown,
  name: string,
): { target: AnyTarget | null; invalid: string | null } {
  try {
    return { target: targetFromSpec(parseSpec(spec, name), name), invalid: null };
  } catch (e) {
    if (!(e instanceof GemmforgeError)) throw e;
    return { target: null, invalid: e.message.replace(/\n\s*/g, '; ') };
  }
}

/** Every point of the sweep, in product order. */
export function sweepPoints(sweep: Sweep, base: Spec): Point[] {
  const params = Object.entries(sweep.parameters).map(([key, p]) => ({
    key,
    choices: choices(base, key, p),
  }));
  const total = params.reduce((n, p) => n * p.choices.length, 1);
  if (total > maxPoints) {
    throw new InputError(`the sweep has ${total} points; at most ${maxPoints} are allowed`);
  }
  const points: Point[] = [];
  for (let index = 0; index < total; index++) {
    const json = structuredClone(base) as unknown as Record<string, unknown>;
    const values: Record<string, FieldValue> = {};
    let rest = index;
    for (let k = params.length - 1; k >= 0; k--) {
      const { key, choices: cs } = params[k];
      const c = cs[rest % cs.length];
      rest = Math.floor(rest / cs.length);
      values[key] = c.label;
      for (const [path, v] of Object.entries(c.set)) setPath(json, path.split('.'), v);
    }
    const name = `${base.name}-p${index}`;
    json.name = name;
    const ordered = Object.fromEntries(params.map((p) => [p.key, values[p.key]]));
    const spec = json as unknown as Spec;
    const sram = sramBytes(spec);
    const pes = spec.array.rows * spec.array.cols;
    const breach = constraintBreach(sweep, sram, pes);
    const made = breach === null ? pointTarget(json, name) : { target: null, invalid: breach };
    points.push({
      index,
      values: ordered,
      spec: made.target?.spec ?? spec,
      sramBytes: sram,
      pes,
      ...made,
    });
  }
  return points;
}
