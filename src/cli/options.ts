import { InputError } from '../errors.js';
import { decimalNumber } from '../workload/parse.js';

/**
 * The flags several commands share, parsed in one place with one wording: `--seed`, `--time-limit`
 * and whole counts such as `--refine`, and the time limits' defaults. Numbers are written as shapes
 * are (`decimalNumber`: `1e12` is a number everywhere, `0x10` and ` 5` nowhere).
 */

/**
 * `--time-limit` when not given: per MIP for cosa and cosa-even; for the exhaustive search of one
 * layer (`schedule`); per layer when a whole model is scheduled (`run`, `compile`, `bench`).
 */
export const timeLimitDefaults = { mip: 2, exhaustiveLayer: 60, modelLayer: 2 } as const;

export function parseSeed(text: string): number {
  const n = decimalNumber(text);
  if (!Number.isSafeInteger(n)) {
    throw new InputError(`--seed must be a non-negative integer (got "${text}")`);
  }
  return n;
}

export function parseSeconds(text: string, flag: string): number {
  const n = decimalNumber(text);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InputError(`${flag} must be a positive number (got "${text}")`);
  }
  return n;
}

export function parsePositiveInteger(text: string, flag: string, max = Infinity): number {
  const n = decimalNumber(text);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    const most = max === Infinity ? '' : ` at most ${max}`;
    throw new InputError(`${flag} must be a positive integer${most} (got "${text}")`);
  }
  return n;
}

/** The most solutions `--refine` keeps per MIP: each is one more MIP solve (to its time limit). */
export const maxRefine = 100;
