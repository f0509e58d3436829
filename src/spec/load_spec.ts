import { readFileSync } from 'node:fs';
import { SpecError } from '../errors.js';
import { specSchema, type Spec } from './spec.js';

/** zod's wording, made plainer where a field is simply missing. */
function friendlyMessage(issue: { code: string; message: string; expected?: unknown }): string {
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return `is required (${String(issue.expected)})`;
  }
  return issue.message;
}

/** Validates parsed JSON as a spec; every bad field is reported by its path, in one SpecError. */
export function parseSpec(json: unknown, file: string): Spec {
  const result = specSchema.safeParse(json);
  if (result.success) {
    return result.data;
  }
  const problems = result.error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(spec)' : issue.path.map(String).join('.'),
    message: friendlyMessage(issue),
  }));
  throw new SpecError(file, problems);
}

/** Reads and validates a user's spec file. */
export function loadSpecFile(path: string): Spec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SpecError(path, [
      { path: '(file)', message: `cannot be read: ${(e as Error).message}` },
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SpecError(path, [
      { path: '(file)', message: `is not JSON: ${(e as Error).message}` },
    ]);
  }
  return parseSpec(json, path);
}
