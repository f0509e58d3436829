import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InternalError } from '../errors.js';
import { runLayerJob, type LayerJob, type LayerOutcome } from './layer_job.js';

/**
 * Where layer jobs run: in this thread, on worker threads, or (src/explore/queue_runner.ts) on a
 * job queue. `run` resolves with the outcome, or null when the runner was stopped first.
 */
export interface JobRunner {
  run(key: string, job: LayerJob): Promise<LayerOutcome | null>;
  /** Stops: jobs not finished resolve with null; no new job starts. */
  stop(): Promise<void>;
  /** Releases the runner's threads or connections after the last job. */
  close(): Promise<void>;
}

/** Runs each job in this thread, one at a time (tests; and a pool of one where threads are not wanted). */
export function inlineRunner(): JobRunner {
  let stopped = false;
  return {
    run: async (_key, job) => {
      // Let the caller's other promises (and a SIGINT handler) run between jobs.
      await new Promise((resolve) => setImmediate(resolve));
      return stopped ? null : runLayerJob(job);
    },
    stop: async () => {
      stopped = true;
    },
    close: async () => undefined,
  };
}

interface Task {
  readonly id: number;
  readonly job: LayerJob;
  readonly resolve: (o: LayerOutcome | null) => void;
  readonly reject: (e: Error) => void;
}

type Reply =
  | { readonly id: number; readonly outcome: LayerOutcome }
  | { readonly id: number; readonly crash: string };

const here = fileURLToPath(import.meta.url);
/** `.ts` under vitest and tsx (the worker then loads tsx too), `.js` when built. */
const extension = extname(here);

function startWorker(): Worker {
  const url = new URL(`./layer_worker${extension}`, import.meta.url);
  if (extension === '.js') return new Worker(url);
  // From the TypeScript sources (vitest, tsx) the worker registers tsx's loader before loading it.
  // tsx's ES-module API file sits beside the CommonJS one `require.resolve` finds.
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const api = pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
  const code =
    `import(${JSON.stringify(api)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true });
}

/**
 * Jobs sent to a worker thread before its first one is done: the next one waits in the thread, so
 * the thread does not sit idle while this thread handles a reply and sends more (fast-mode jobs take
 * a few milliseconds).
 */
const jobsPerThread = 2;

/**
 * A pool of up to `n` worker threads, each running its jobs one at a time, jobs sent in the order
 * they were submitted. A thread starts when a job finds every running thread busy, so a sweep of a
 * few jobs starts a few threads whatever `n` is (each costs tens of megabytes). An error other than
 * an outcome (a broken invariant in a worker) rejects that job's promise.
 */
export function threadPool(n: number): JobRunner & { readonly threadsStarted: () => number } {
  const queue: Task[] = [];
  /** Per thread, the jobs sent to it and not yet answered, oldest first. */
  const sent = new Map<Worker, Task[]>();
  let nextId = 0;
  let stopped = false;
  const workers: Worker[] = [];

  const addWorker = (): void => {
    const w = startWorker();
    workers.push(w);
    sent.set(w, []);
    w.on('message', (reply: Reply) => {
      const tasks = sent.get(w) as Task[];
      const task = tasks[0];
      if (task !== undefined && task.id === reply.id) {
        tasks.shift();
        if ('outcome' in reply) task.resolve(reply.outcome);
        else task.reject(new InternalError(`layer job failed in a worker thread: ${reply.crash}`));
      }
      dispatch();
    });
    w.on('error', (e) => {
      const tasks = sent.get(w) as Task[];
      for (const t of tasks.splice(0))
        t.reject(new InternalError(`a worker thread died: ${e.message}`));
    });
  };
  const dispatch = (): void => {
    if (stopped) return;
    while (queue.length > 0 && workers.length < n && workers.every((w) => sent.get(w)?.length)) {
      addWorker();
    }
    for (let depth = 1; depth <= jobsPerThread; depth++) {
      for (const w of workers) {
        const tasks = sent.get(w) as Task[];
        if (queue.length === 0) return;
        if (tasks.length >= depth) continue;
        const task = queue.shift() as Task;
        tasks.push(task);
        w.postMessage({ id: task.id, job: task.job });
      }
    }
  };
  const stop = async (): Promise<void> => {
    stopped = true;
    for (const t of [...queue, ...[...sent.values()].flat()]) t.resolve(null);
    queue.length = 0;
    for (const tasks of sent.values()) tasks.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  };
  return {
    run: (_key, job) =>
      new Promise((resolve, reject) => {
        if (stopped) {
          resolve(null);
          return;
        }
        queue.push({ id: nextId++, job, resolve, reject });
        dispatch();
      }),
    stop,
    close: stop,
    threadsStarted: () => workers.length,
  };
}
