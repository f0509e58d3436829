import { z } from 'zod';
import { InputError } from '../errors.js';
import { dataflows, specSchema } from '../target/spec.js';
import { parseWorkloadJson } from '../workload/parse.js';
import type { Dim } from '../workload/workload.js';
import type { RunLayer, RunSummary } from './run_summary.js';

/**
 * The schema of a RunSummary read back from JSON (`gemmforge report RUN.json`). The summary and its
 * layers are strict (a misspelt field is an error); a layer's detail, the runtime's LayerReport,
 * ignores fields it does not know. Workloads are checked by the workload parser itself.
 */

const dims = ['M', 'N', 'K', 'G', 'C', 'P', 'Q', 'R', 'S'] as const satisfies readonly Dim[];
const dimSchema = z.enum(dims);
const count = z.number().nonnegative();
const fraction = z.number().min(0).max(1);
const perTensor = <T extends z.ZodType>(value: T) =>
  z.strictObject({ input: value, weight: value, output: value });

const mappingSchema = z.strictObject({
  dataflow: z.enum(dataflows),
  spatial: z.strictObject({ rows: dimSchema, cols: dimSchema }),
  tile: z.partialRecord(dimSchema, z.number().int().positive()),
  order: z.array(dimSchema),
  resident: perTensor(z.array(dimSchema)),
  doubleBuffer: perTensor(z.boolean()),
});

const perUnitSchema = z.strictObject({ load: count, execute: count, store: count });

const layerReportSchema = z.object({
  workload: z.looseObject({ kind: z.enum(['gemm', 'conv']), name: z.string() }),
  target: z.string(),
  scheduler: z.string(),
  mapping: mappingSchema,
  trips: z.record(z.string(), z.number().int().positive()),
  predictedCycles: count,
  simulatedCycles: count,
  seconds: count,
  utilization: fraction,
  rooflineCycles: count,
  macs: count,
  instructions: count,
  dramBytes: z.strictObject({ read: count, write: count }),
  busyCycles: perUnitSchema,
  occupancy: z.record(z.string(), z.strictObject({ bytes: count, fraction: z.number().min(0) })),
  solveSeconds: count,
  mappingsTried: count,
  searchComplete: z.boolean(),
  fallback: z.strictObject({ reason: z.string() }).nullable(),
  verified: z.boolean().optional(),
  mismatches: count.optional(),
});

const runLayerSchema = z
  .strictObject({
    name: z.string(),
    op: z.string().min(1),
    placement: z.enum(['accelerator', 'host']),
    cycles: count.nullable(),
    utilization: fraction.nullable(),
    macs: count,
    reason: z.string().nullable(),
    detail: layerReportSchema.nullable(),
    schedulers: z.array(z.strictObject({ scheduler: z.string().min(1), cycles: count })),
  })
  .superRefine((layer, ctx) => {
    const issue = (path: string, message: string): void => {
      ctx.addIssue({ code: 'custom', path: [path], message });
    };
    if (layer.placement === 'host') {
      if (layer.cycles !== null) issue('cycles', 'must be null for a host layer (not timed)');
      if (layer.detail !== null) issue('detail', 'must be null for a host layer');
      if (layer.reason === null) issue('reason', 'a host layer must say why it is not accelerated');
    } else if (layer.cycles === null) {
      issue('cycles', 'an accelerator layer must have its simulated cycles');
    }
  });

const runSummarySchema = z.strictObject({
  model: z.string(),
  target: z.string(),
  scheduler: z.string(),
  spec: specSchema,
  layers: z.array(runLayerSchema),
  totalCycles: count,
  acceleratorCycles: count,
  seconds: count,
  wallSeconds: count,
  outputs: z.array(z.strictObject({ name: z.string(), shape: z.array(z.number().int()) })),
  reference: z
    .strictObject({
      cosine: z.number(),
      maxAbsError: z.number(),
      withinOneStep: fraction,
      sqnrDb: z.number(),
    })
    .nullable(),
  warnings: z.array(z.string()),
});

/** A zod issue path as a field path: layers[3].detail.mapping.tile.M. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/**
 * A RunSummary from parsed JSON. Throws an InputError naming `where` and every bad field
 * (`run.json: layers[2].cycles: must be null for a host layer (not timed)`).
 */
export function parseRunSummary(json: unknown, where: string): RunSummary {
  const result = runSummarySchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const path = fieldPath(issue.path);
      return `  ${path === '' ? '(top level)' : path}: ${issue.message}`;
    });
    throw new InputError(`${where}: not a run summary\n${problems.join('\n')}`);
  }
  const layers = result.data.layers.map((layer, i): RunLayer => {
    if (layer.detail === null) return { ...layer, detail: null };
    const workload = parseWorkloadJson(
      layer.detail.workload,
      `${where}: layers[${i}].detail.workload`,
    );
    return { ...layer, detail: { ...layer.detail, workload } };
  });
  return { ...result.data, layers };
}
