import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { LayerOutcome } from './layer_job.js';

/**
 * The persistent cache of layer jobs: one JSON line `{ key, outcome }` per computed job, appended as
 * each finishes (so an interrupted sweep loses at most the line being written, which reading skips).
 * The key (`jobKey`) covers everything that determines the outcome, gemmforge's version included.
 */
export interface JobCache {
  /** The file lines are appended to, or null for a cache in memory only. */
  readonly file: string | null;
  readonly entries: Map<string, LayerOutcome>;
}

function isEntry(x: unknown): x is { key: string; outcome: LayerOutcome } {
  const e = x as { key?: unknown; outcome?: { ok?: unknown } } | null;
  return typeof e?.key === 'string' && typeof e.outcome?.ok === 'boolean';
}

/** Opens (or starts) the cache file; lines that are not whole entries are skipped. */
export function openJobCache(file: string | null): JobCache {
  const entries = new Map<string, LayerOutcome>();
  if (file === null || !existsSync(file)) return { file, entries };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read the cache ${file}: ${(e as Error).message}`);
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      // A line cut short when the process was stopped: that job is computed again.
      continue;
    }
    if (isEntry(parsed)) entries.set(parsed.key, parsed.outcome);
  }
  return { file, entries };
}

/** Stores an outcome in memory and appends it to the file. */
export function recordOutcome(cache: JobCache, key: string, outcome: LayerOutcome): void {
  cache.entries.set(key, outcome);
  if (cache.file !== null) appendFileSync(cache.file, JSON.stringify({ key, outcome }) + '\n');
}
