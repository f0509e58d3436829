import { Queue, QueueEvents, type RedisConnectionClient } from 'bullmq';
import type { LayerJob, LayerOutcome } from './layer_job.js';
import { jobAttempts, jobBackoff, queueName } from './queue.js';
import { checkReachable, redisClient, type RedisAddress } from './redis_client.js';
import type { JobRunner } from './thread_pool.js';

/**
 * Runs layer jobs on a BullMQ queue: `gemmforge worker` processes (on this machine or others) take
 * them. A job's BullMQ id is its key, so a job already queued, running or done is not queued again
 * (delivery is at least once: a job whose worker died runs again elsewhere, with the same result).
 * A job that still fails after its last try becomes a failed outcome, reported by its points, and
 * is not cached: a later run tries it again.
 */
export async function queueRunner(address: RedisAddress): Promise<JobRunner> {
  await checkReachable(address);
  const clients = [redisClient(address), redisClient(address)];
  const [queueClient, eventsClient] = clients.map((c) => c as unknown as RedisConnectionClient);
  const queue = new Queue<LayerJob, LayerOutcome>(queueName, { connection: queueClient });
  const events = new QueueEvents(queueName, { connection: eventsClient });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  // Each job awaiting its outcome listens for the queue closing: one listener per job in flight.
  queue.setMaxListeners(0);
  let stopped = false;
  const waiting = new Set<(o: null) => void>();

  const run = async (key: string, job: LayerJob): Promise<LayerOutcome | null> => {
    const queued = await queue.add('layer', job, {
      jobId: key,
      attempts: jobAttempts,
      backoff: jobBackoff,
    });
    if ((await queued.getState()) === 'failed') await queued.retry('failed');
    const value: unknown = await queued.waitUntilFinished(events);
    return (typeof value === 'string' ? JSON.parse(value) : value) as LayerOutcome;
  };

  return {
    run: (key, job) =>
      new Promise((resolve) => {
        if (stopped) {
          resolve(null);
          return;
        }
        waiting.add(resolve);
        run(key, job)
          .then(resolve, (e: Error) =>
            resolve(
              stopped
                ? null
                : {
                    ok: false,
                    error: `the queued job failed after ${jobAttempts} tries: ${e.message}`,
                    transient: true,
                    seconds: 0,
                  },
            ),
          )
          .finally(() => waiting.delete(resolve));
      }),
    stop: async () => {
      stopped = true;
      for (const resolve of waiting) resolve(null);
    },
    close: async () => {
      stopped = true;
      await events.close();
      await queue.close();
      // BullMQ leaves connections it was given open.
      for (const c of clients) c.disconnect();
    },
  };
}
