import { InputError } from '../errors.js';
import { decimalNumber } from '../workload/parse.js';
import { verifyDataKinds, type VerifyDataKind } from '../runtime/layer_data.js';

/**
 * The flags several commands share, parsed in one place with one wording: `--seed`, `--time-limit`
 * and whole counts such as `--refine`, and the time limits' defaults. Numbers are written as shapes
 * are (`decimalNumber`: `1e12` is a number everywhere, `0x10` and ` 5` nowhere).
 */

/**
 * `--time-limit` when not given: the wall-clock safety net of the searching schedulers, per MIP for
 * cosa and cosa-even, for the exhaustive search of one layer (`schedule`), and per layer (per MIP for
 * cosa) when a whole model is scheduled (`run`, `compile`, `bench`). Their deciding limits are
 * deterministic work limits (docs/scheduling.md §6); this one only stops a search that runs away.
 */
export const timeLimitDefaults = { mip: 30, exhaustiveLayer: 600, modelLayer: 30 } as const;

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

/** `--data random|extreme|both`. */
export function parseVerifyData(text: string): readonly VerifyDataKind[] {
  if (text === 'both') return verifyDataKinds;
  const kind = verifyDataKinds.find((k) => k === text);
  if (kind === undefined) {
    throw new InputError(`--data must be random, extreme or both (got "${text}")`);
  }
  return [kind];
}
