import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { valueAt } from '../mapping/mapping_json.js';
import { schedulerNames } from '../schedule/schedulers.js';
import { networks } from '../workload/networks.js';

/**
 * A sweep file (`gemmforge explore SWEEP.json`): a base target, the models to run, the spec fields to
 * vary and how, constraints on the points, the scheduler and the objectives. docs/explore.md is its
 * user's description; this schema is the definition.
 */

/** A value a spec field may take: a number, a string, a boolean or a list of strings. */
const fieldValue = z.union([z.number(), z.string(), z.boolean(), z.array(z.string())], {
  error: 'a value is a number, a string, a boolean or a list of strings',
});
export type FieldValue = z.infer<typeof fieldValue>;

const range = z.union(
  [
    z.strictObject({ from: z.number(), to: z.number(), step: z.number().positive() }),
    z.strictObject({ from: z.number().positive(), to: z.number(), times: z.number().gt(1) }),
  ],
  { error: 'a range is {from, to, step} or {from, to, times}' },
);

const parameter = z.union(
  [
    z.array(fieldValue).min(1),
    range,
    z.strictObject({ set: z.array(z.record(z.string(), fieldValue)).min(1) }),
  ],
  { error: 'a parameter is a list of values, a range {from, to, step | times} or {set: [...]}' },
);

const model = z.union(
  [
    z.strictObject({
      network: z.enum(networks),
      /** Only the first N distinct layers of the table, or the layers of these names. */
      layers: z
        .union([z.number().int().positive(), z.array(z.string()).min(1)], {
          error: 'layers is a count of layers or a list of layer names',
        })
        .optional(),
    }),
    z.strictObject({ onnx: z.string().min(1) }),
  ],
  { error: `a model is {network, layers?} (networks: ${networks.join(', ')}) or {onnx: FILE}` },
);

export const objectives = ['cycles', 'sramBytes', 'area', 'energy', 'pes'] as const;
export type Objective = (typeof objectives)[number];

const sweepSchema = z.strictObject({
  base: z.string().min(1),
  models: z.array(model).min(1),
  parameters: z.record(z.string(), parameter),
  constraints: z
    .strictObject({
      maxSramBytes: z.number().int().positive().optional(),
      maxPEs: z.number().int().positive().optional(),
    })
    .default({}),
  scheduler: z.string().default('cosa'),
  fast: z
    .strictObject({
      scheduler: z.string().default('baseline'),
      rescheduleTop: z.number().int().nonnegative().default(8),
    })
    .optional(),
  seed: z.number().int().nonnegative().default(0),
  timeLimitSeconds: z.number().positive().default(30),
  objectives: z.array(z.enum(objectives)).min(2).default(['cycles', 'sramBytes']),
});

export type SweepModel = z.infer<typeof model>;
export type Parameter = z.infer<typeof parameter>;

/** A validated sweep; model and base spec paths are absolute (resolved against the sweep's folder). */
export type Sweep = z.infer<typeof sweepSchema>;

/** The most points a sweep may generate before constraints: a guard against a typo'd range. */
export const maxPoints = 100_000;

/** The values of a range, from `from` up to `to` inclusive. */
export function rangeValues(r: z.infer<typeof range>): number[] {
  const out: number[] = [];
  for (let i = 0; out.length <= maxPoints; i++) {
    const v = 'step' in r ? r.from + i * r.step : r.from * r.times ** i;
    if (v > r.to * (1 + 1e-12)) break;
    out.push(v);
  }
  return out;
}

function checkNames(s: Sweep, file: string): void {
  const known = schedulerNames();
  for (const [field, name] of [
    ['scheduler', s.scheduler],
    ['fast.scheduler', s.fast?.scheduler],
  ] as const) {
    if (name !== undefined && !known.includes(name)) {
      throw new InputError(
        `${file}: ${field}: unknown scheduler "${name}" (schedulers: ${known.join(', ')})`,
      );
    }
  }
  for (const [key, p] of Object.entries(s.parameters)) {
    if (!Array.isArray(p) && !('set' in p) && rangeValues(p).length === 0) {
      throw new InputError(`${file}: parameters.${key}: the range holds no value`);
    }
  }
}

type Issue = z.core.$ZodIssue;

interface Specific {
  readonly path: PropertyKey[];
  readonly message: string;
  /** Problems of the union branch it was found in (1 outside unions). */
  readonly problems: number;
}

/**
 * An issue made specific: inside a union, the branch that got furthest into the value (the one
 * whose problem lies deepest; of equal depth, the one with fewer problems), so a model with a bad
 * `layers` is reported at `layers` and not as "not a model". A union all of whose branches fail at
 * its own level keeps its message.
 */
function mostSpecific(issue: Issue, problems = 1): Specific {
  if (issue.code !== 'invalid_union') return { path: issue.path, message: issue.message, problems };
  let best: Specific | undefined;
  for (const branch of issue.errors) {
    if (branch.length === 0) continue;
    const found = mostSpecific(branch[0], branch.length);
    if (found.path.length === 0) continue;
    const deeper = best === undefined || found.path.length > best.path.length;
    const same = best !== undefined && found.path.length === best.path.length;
    if (deeper || (same && found.problems < (best as Specific).problems)) best = found;
  }
  if (best === undefined) return { path: issue.path, message: issue.message, problems };
  return { ...best, path: [...issue.path, ...best.path], problems };
}

/** Validates parsed JSON as a sweep: an InputError naming the first bad field's path. */
export function parseSweep(json: unknown, file: string, dir: string): Sweep {
  const result = sweepSchema.safeParse(json);
  if (!result.success) {
    const issue = mostSpecific(result.error.issues[0]);
    const path = issue.path.length === 0 ? '(sweep)' : issue.path.map(String).join('.');
    const value = valueAt(json, issue.path);
    const got = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
    throw new InputError(`${file}: ${path}: ${issue.message}${got}`);
  }
  const s = result.data;
  checkNames(s, file);
  const base = s.base.endsWith('.json') ? resolve(dir, s.base) : s.base;
  const models = s.models.map((m) => ('onnx' in m ? { onnx: resolve(dir, m.onnx) } : m));
  return { ...s, base, models };
}

/** Reads and validates a sweep file. */
export function loadSweep(path: string): Sweep {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read sweep '${path}': ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: not JSON: ${(e as Error).message}`);
  }
  return parseSweep(json, path, dirname(resolve(path)));
}
