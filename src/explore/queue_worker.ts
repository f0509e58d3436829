import { fileURLToPath } from 'node:url';
import { Worker, type RedisConnectionClient } from 'bullmq';
import { maxStalledCount, queueName } from './queue.js';
import { checkReachable, redisClient, type RedisAddress } from './redis_client.js';

export interface QueueWorkerOptions {
  /** Jobs processed at once (each in its own child process). */
  readonly concurrency: number;
  /**
   * How long a job's lock lasts without renewal: a worker that dies holding a job loses it after
   * this, and another worker's stalled check (every half of it) puts the job back on the queue.
   */
  readonly lockSeconds: number;
}

const here = fileURLToPath(import.meta.url);

/**
 * A BullMQ worker for layer jobs (`gemmforge worker`). The CPU-heavy work runs in sandboxed child
 * processes (src/explore/queue_processor.ts), so this process keeps renewing its jobs' locks.
 */
export async function startQueueWorker(
  address: RedisAddress,
  options: QueueWorkerOptions,
): Promise<{ close(): Promise<void> }> {
  await checkReachable(address);
  const processor = here.replace(/queue_worker(\.[jt]s)$/, 'queue_processor$1');
  const client = redisClient(address);
  const worker = new Worker(queueName, processor, {
    connection: client as unknown as RedisConnectionClient,
    concurrency: options.concurrency,
    lockDuration: options.lockSeconds * 1000,
    stalledInterval: options.lockSeconds * 500,
    maxStalledCount,
    useWorkerThreads: false,
  });
  worker.on('error', () => undefined);
  await worker.waitUntilReady();
  return {
    close: async () => {
      await worker.close();
      // BullMQ leaves a connection it was given open.
      client.disconnect();
    },
  };
}
