import { InputError } from '../errors.js';
import { dims } from '../workload/workload.js';
import { mappingSchema, type Mapping } from './mapping.js';

/**
 * A user's mapping given as JSON (`gemmforge schedule --mapping FILE.json`, docs/mappings.md): checked
 * against the Mapping schema, every bad field named with the reason and the value found, in one
 * InputError (`mapping.json: tile.K: must be a positive integer (got 0)`). Whether the mapping fits the
 * workload and the target is the validator's question (src/schedule/validate.ts), asked later.
 */
export function parseMappingJson(json: unknown, where: string): Mapping {
  const result = mappingSchema.safeParse(json);
  if (result.success) return result.data;
  const lines = result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const what =
        path.join('.') === 'tile' ? `is not a dim (${dims.join(', ')})` : 'is not a field';
      return issue.keys.map((k) => `${[...path, k].join('.')}: ${what}`);
    }
    const value = valueAt(json, path);
    const at = path.length === 0 ? '(mapping)' : path.join('.');
    if (value === undefined) return [`${at}: is required (${issue.message})`];
    const got = path.length === 0 ? 'must be a JSON object' : issue.message;
    return [`${at}: ${got} (got ${JSON.stringify(value)})`];
  });
  throw new InputError(lines.map((l) => `${where}: ${l}`).join('\n'));
}

/** Reads JSON text as a mapping; `where` names the file in every message. */
export function parseMappingText(text: string, where: string): Mapping {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${where}: not JSON: ${(e as Error).message}`);
  }
  return parseMappingJson(json, where);
}

/** The value at a path of parsed JSON (a zod issue's path), or undefined where the path leaves it. */
export function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = json;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
