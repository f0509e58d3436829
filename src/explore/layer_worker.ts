import { parentPort } from 'node:worker_threads';
import { runLayerJob, type LayerJob } from './layer_job.js';

/**
 * A worker thread of the explore pool (src/explore/thread_pool.ts): runs the layer jobs it is sent,
 * one at a time, and posts each outcome back with the job's id.
 */
parentPort?.on('message', (message: { readonly id: number; readonly job: LayerJob }) => {
  try {
    parentPort?.postMessage({ id: message.id, outcome: runLayerJob(message.job) });
  } catch (e) {
    parentPort?.postMessage({ id: message.id, crash: (e as Error).message });
  }
});
