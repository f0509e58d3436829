import type { Command } from 'commander';
import { startQueueWorker } from '../explore/queue_worker.js';
import { parseRedisUrl } from '../explore/redis_client.js';
import { parsePositiveInteger, parseSeconds } from './options.js';

interface WorkerFlags {
  queue?: string;
  concurrency?: string;
  lockSeconds?: string;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'process the layer jobs `gemmforge explore --queue` puts on a BullMQ queue in Redis, until ' +
        'stopped (Ctrl-C or SIGTERM: running jobs finish first)',
    )
    .requiredOption('--queue <url>', 'the Redis server: redis://HOST:PORT')
    .option('--concurrency <n>', 'jobs processed at once, each in its own process (default 1)')
    .option(
      '--lock-seconds <s>',
      'a dead worker’s jobs go back on the queue after this long (default 30)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  gemmforge worker --queue redis://localhost:6379 --concurrency 2\n' +
        '  gemmforge explore sweep.json --out out/ --queue redis://localhost:6379',
    )
    .action(async (f: WorkerFlags) => {
      const address = parseRedisUrl(f.queue ?? '', '--queue');
      const concurrency =
        f.concurrency === undefined ? 1 : parsePositiveInteger(f.concurrency, '--concurrency', 256);
      const lockSeconds =
        f.lockSeconds === undefined ? 30 : parseSeconds(f.lockSeconds, '--lock-seconds');
      const worker = await startQueueWorker(address, { concurrency, lockSeconds });
      process.stdout.write(
        `worker: processing layer jobs from ${address.url} (concurrency ${concurrency}); ` +
          'Ctrl-C stops\n',
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await worker.close();
    });
}
