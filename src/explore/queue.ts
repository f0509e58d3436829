/**
 * The BullMQ queue layer jobs travel on between `gemmforge explore --queue` and `gemmforge worker`:
 * its name, and what a job may go through (the same on both sides).
 */
export const queueName = 'gemmforge-layer-jobs';

/** Tries of a job that fails (an error in the worker, not a layer that cannot be scheduled). */
export const jobAttempts = 3;

/** Waits before the second and third try: 1 s, then 2 s. */
export const jobBackoff = { type: 'exponential', delay: 1000 } as const;

/** How often a job may be found stalled (its worker died holding it) before it counts as failed. */
export const maxStalledCount = 5;
