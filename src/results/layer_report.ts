import { z } from 'zod';
import { mappingSchema } from '../mapping/mapping.js';
import type { Workload } from '../workload/workload.js';

/**
 * What `gemmforge schedule` reports about one layer, and what a run keeps per accelerator layer: the
 * schema is the definition, the type is inferred from it. The workload is checked by the workload parser
 * (src/workload/parse.ts), so the schema only asks for its kind and name.
 */

const count = z.number().nonnegative();
export const mappingSources = ['scheduler', 'user'] as const;
export type MappingSource = (typeof mappingSources)[number];
export const fraction = z.number().min(0).max(1);

export const layerReportSchema = z
  .object({
    workload: z.looseObject({ kind: z.enum(['gemm', 'conv']), name: z.string() }),
    target: z.string(),
    scheduler: z.string(),
    /** Whether a scheduler found the mapping or the user gave it (`schedule --mapping`). */
    mappingSource: z.enum(mappingSources),
    mapping: mappingSchema,
    trips: z.record(z.string(), z.number().int().positive()).readonly(),
    predictedCycles: count,
    simulatedCycles: count,
    seconds: count,
    utilization: fraction,
    rooflineCycles: count,
    macs: count,
    instructions: count,
    dramBytes: z.strictObject({ read: count, write: count }).readonly(),
    busyCycles: z.strictObject({ load: count, execute: count, store: count }).readonly(),
    /**
     * The timing model's terms for what bounds the layer (src/sim/timing_engine.ts, TimingResult);
     * absent in results written before they existed.
     */
    hostCycles: count.optional(),
    /** Instructions the loop unroller generated; `instructions` counts the host's only. */
    generatedInstructions: count.optional(),
    requestWindowCycles: z.strictObject({ read: count, write: count }).readonly().optional(),
    translationStallCycles: count.optional(),
    /**
     * For the baseline scheduler's mapping: host cycles the vendor library spends searching for these
     * tiles when it tiles at run time (not part of `simulatedCycles`: programs gemmforge emits have
     * their tiles fixed). Absent where the target does not count its search.
     */
    librarySearchCycles: count.optional(),
    occupancy: z
      .record(z.string(), z.strictObject({ bytes: count, fraction: z.number().min(0) }).readonly())
      .readonly(),
    solveSeconds: count,
    mappingsTried: count,
    searchComplete: z.boolean(),
    /** The limit that stopped the search (src/schedule/scheduler.ts, SearchLimit), or null. */
    limitHit: z.enum(['time', 'nodes', 'solutions', 'candidates']).nullable(),
    fallback: z.strictObject({ reason: z.string() }).readonly().nullable(),
    /**
     * Some int operands can overflow the array's partial sums under this mapping (only the vendor
     * baseline may be such a mapping: src/schedule/partial_sums.ts).
     */
    overflowRisk: z.boolean(),
    /** With --verify: every data set matched the integer reference. */
    verified: z.boolean().optional(),
    /** With --verify: outputs that differ, over all data sets. */
    mismatches: count.optional(),
    /** With --verify: the outputs that differ per data set (seeded random, worst case). */
    checks: z
      .array(z.strictObject({ data: z.enum(['random', 'extreme']), mismatches: count }).readonly())
      .readonly()
      .optional(),
  })
  .readonly();

export type LayerReport = Omit<z.infer<typeof layerReportSchema>, 'workload'> & {
  readonly workload: Workload;
};
