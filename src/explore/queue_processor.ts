import type { SandboxedJob } from 'bullmq';
import { runLayerJob, type LayerJob, type LayerOutcome } from './layer_job.js';

/**
 * The sandboxed processor of `gemmforge worker` (src/explore/queue_worker.ts): BullMQ runs it in a
 * child process, so a CPU-bound layer job never blocks the worker's lock renewals (a busy worker is
 * not taken for a stalled one). BullMQ finds a processor file's function by its default export,
 * which is why this file, unlike the rest of src/, has one.
 */
export default async function processLayerJob(job: SandboxedJob<LayerJob>): Promise<LayerOutcome> {
  return runLayerJob(job.data);
}
