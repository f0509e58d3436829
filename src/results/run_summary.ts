import { z } from 'zod';
import { InputError } from '../errors.js';
import { specSchema } from '../spec/spec.js';
import { parseWorkloadJson } from '../workload/parse.js';
import { fraction, layerReportSchema, type LayerReport } from './layer_report.js';

/**
 * What one run of a model produced, as JSON: `gemmforge run --json` prints it and
 * `gemmforge report RUN.json` reads it back through `parseRunSummary`. The schemas are the definition;
 * the types are inferred from them. Accelerator layers carry the LayerReport of the chosen schedule;
 * host layers say why they are not on the accelerator. The summary and its layers are strict (a
 * misspelt field is an error); a layer's detail ignores fields it does not know.
 */

const count = z.number().nonnegative();

const runLayerSchema = z
  .strictObject({
    /** The model's name for the node (the ONNX node name). */
    name: z.string(),
    op: z.string().min(1),
    placement: z.enum(['accelerator', 'host']),
    /**
     * Simulated cycles of an accelerator layer; a host layer's cycles from the spec's host costs
     * (src/partition/host_cost.ts), in the accelerator's clock; null for a host layer when the spec
     * describes no host.
     */
    cycles: count.nullable(),
    utilization: fraction.nullable(),
    macs: count,
    /** Why a host layer is not on the accelerator; null for accelerator layers. */
    reason: z.string().nullable(),
    /** The chosen schedule of an accelerator layer, simulated. */
    detail: layerReportSchema.nullable(),
    /**
     * Simulated cycles under each scheduler that was run, when more than one was; `complete` false
     * when its search stopped at its time limit (the best it found, not its optimum).
     */
    schedulers: z
      .array(
        z
          .strictObject({
            scheduler: z.string().min(1),
            cycles: count,
            complete: z.boolean().optional(),
            /** What stopped an incomplete search (as a layer report's `limitHit`). */
            limitHit: z.enum(['time', 'nodes', 'solutions', 'candidates']).nullable().optional(),
          })
          .readonly(),
      )
      .readonly(),
  })
  .readonly()
  .superRefine((layer, ctx) => {
    const issue = (path: string, message: string): void => {
      ctx.addIssue({ code: 'custom', path: [path], message });
    };
    if (layer.placement === 'host') {
      if (layer.detail !== null) issue('detail', 'must be null for a host layer');
      if (layer.reason === null) issue('reason', 'a host layer must say why it is not accelerated');
    } else if (layer.cycles === null) {
      issue('cycles', 'an accelerator layer must have its simulated cycles');
    }
  });

const referenceSchema = z
  .strictObject({
    cosine: z.number(),
    maxAbsError: z.number(),
    /** Fraction of output elements within one quantization step of the reference. */
    withinOneStep: fraction,
    sqnrDb: z.number(),
    /** What the outputs were compared with: the runtime, the model and the inputs. */
    against: z.string().optional(),
    /**
     * Over the outputs that hold class scores ([rows, classes]): the rows whose top class is the
     * reference's (src/driver/classification.ts).
     */
    top1: z.strictObject({ agree: count.int(), rows: count.int() }).readonly().optional(),
  })
  .readonly();

/** Top-1 accuracy against the labels of `gemmforge run --labels`. */
const accuracySchema = z
  .strictObject({
    /** The labels file, as given. */
    labels: z.string(),
    /** The output whose rows were scored. */
    output: z.string(),
    rows: count.int(),
    /** Rows whose top class on the target is their label. */
    correct: count.int(),
    /** The same on the reference runtime; null when no reference ran. */
    referenceCorrect: count.int().nullable(),
  })
  .readonly()
  .refine((a) => a.correct <= a.rows && (a.referenceCorrect ?? 0) <= a.rows, {
    message: 'correct rows cannot outnumber the rows',
  });

const runSummarySchema = z
  .strictObject({
    model: z.string(),
    target: z.string(),
    scheduler: z.string(),
    /** The target's spec: the report's roofline, occupancy and limiting factors come from it. */
    spec: specSchema,
    layers: z.array(runLayerSchema).readonly(),
    /** Accelerator and host cycles added: the two take turns, neither waits for nothing. */
    totalCycles: count,
    acceleratorCycles: count,
    /** The host layers' cycles added up; null when the spec describes no host (not timed). */
    hostCycles: count.nullable().default(null),
    /** Simulated time: totalCycles at the spec's clock. */
    seconds: count,
    /** How long the run took on this machine. */
    wallSeconds: count,
    outputs: z
      .array(
        z
          .strictObject({ name: z.string(), shape: z.array(z.number().int()).readonly() })
          .readonly(),
      )
      .readonly(),
    /** The comparison of the outputs with the reference runtime, when one was run. */
    reference: referenceSchema.nullable(),
    accuracy: accuracySchema.nullable().optional(),
    warnings: z.array(z.string()).readonly(),
  })
  .readonly();

export type Placement = RunLayer['placement'];
export type ReferenceComparison = z.infer<typeof referenceSchema>;
export type LabelAccuracy = z.infer<typeof accuracySchema>;
export type RunOutput = z.infer<typeof runSummarySchema>['outputs'][number];
export type SchedulerCycles = z.infer<typeof runLayerSchema>['schedulers'][number];
export type RunLayer = Omit<z.infer<typeof runLayerSchema>, 'detail'> & {
  readonly detail: LayerReport | null;
};
export type RunSummary = Omit<z.infer<typeof runSummarySchema>, 'layers'> & {
  readonly layers: readonly RunLayer[];
};

/**
 * An accelerator layer from the report of its chosen schedule and, when several schedulers were run
 * on it, all their reports (the chosen one among them) for the comparison.
 */
export function acceleratorLayer(
  name: string,
  op: string,
  chosen: LayerReport,
  compared: readonly LayerReport[] = [],
): RunLayer {
  return {
    name,
    op,
    placement: 'accelerator',
    cycles: chosen.simulatedCycles,
    utilization: chosen.utilization,
    macs: chosen.macs,
    reason: null,
    detail: chosen,
    schedulers:
      compared.length > 1
        ? compared.map((r) => ({
            scheduler: r.scheduler,
            cycles: r.simulatedCycles,
            complete: r.searchComplete,
          }))
        : [],
  };
}

/** A layer that runs on the host, why, and its cycles (null: not timed). */
export function hostLayer(
  name: string,
  op: string,
  macs: number,
  reason: string,
  cycles: number | null = null,
): RunLayer {
  return {
    name,
    op,
    placement: 'host',
    cycles,
    utilization: null,
    macs,
    reason,
    detail: null,
    schedulers: [],
  };
}

type Limit = LayerReport['limitHit'] | undefined;

/**
 * What stopped a search, in words, and the flag that lets it search further (none for cosa's
 * work limits). A summary written before `limitHit` was recorded says only "its limit".
 */
export function searchStop(limit: Limit): { readonly what: string; readonly raise: string | null } {
  switch (limit) {
    case 'candidates':
      return { what: 'its candidate budget', raise: '--budget' };
    case 'time':
      return { what: 'its time limit', raise: '--time-limit' };
    case 'nodes':
    case 'solutions':
      return { what: 'its work limit', raise: null };
    default:
      return { what: 'its limit', raise: '--budget or --time-limit' };
  }
}

/**
 * One warning per scheduler and limit where its search stopped early on some accelerator layers:
 * the chosen scheduler's (the layer's detail) and every compared one's. There its mapping is the best
 * it found, not its optimum (an `exhaustive` stopped early is no oracle).
 */
export function stoppedSearchWarnings(layers: readonly RunLayer[]): string[] {
  const accelerated = layers.filter((l) => l.detail !== null);
  const stopped = new Map<string, { scheduler: string; limit: Limit; names: string[] }>();
  for (const l of accelerated) {
    const d = l.detail as LayerReport;
    const runs =
      l.schedulers.length > 0
        ? l.schedulers
        : [{ scheduler: d.scheduler, complete: d.searchComplete, limitHit: d.limitHit }];
    for (const r of runs.filter((x) => x.complete === false)) {
      const key = `${r.scheduler}\n${r.limitHit ?? ''}`;
      const entry = stopped.get(key) ?? { scheduler: r.scheduler, limit: r.limitHit, names: [] };
      entry.names.push(l.name);
      stopped.set(key, entry);
    }
  }
  return [...stopped.values()].map(({ scheduler, limit, names }) => {
    const { what, raise } = searchStop(limit);
    return (
      `${scheduler} stopped at ${what} on ${names.length} of ${accelerated.length} ` +
      `accelerator layers (${names.join(', ')}): there its mapping is the best it found, not ` +
      `its optimum${raise === null ? '' : `; raise ${raise} to search further`}`
    );
  });
}

/**
 * How many times an accelerator layer ran its schedule: a layer the runtime splits into equal parts
 * (e.g. one per batch element) has cycles and MACs that many times its detail's.
 */
export function scheduleRuns(layer: RunLayer): number {
  if (layer.detail === null || layer.cycles === null || layer.detail.simulatedCycles === 0)
    return 1;
  return Math.max(1, Math.round(layer.cycles / layer.detail.simulatedCycles));
}

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
