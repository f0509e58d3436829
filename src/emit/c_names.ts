import { InternalError } from '../errors.js';

/**
 * C names for a program's variables. IR names may be anything and are reused freely (in sibling
 * scopes, and by a let that shadows an outer one or rebinds a name in its own block); C names are
 * identifiers that never shadow a name in sight, so every reference means what it meant in the IR.
 */

const keywords = new Set([
  'auto',
  'break',
  'case',
  'char',
  'const',
  'continue',
  'default',
  'do',
  'double',
  'else',
  'enum',
  'extern',
  'float',
  'for',
  'goto',
  'if',
  'inline',
  'int',
  'long',
  'register',
  'restrict',
  'return',
  'short',
  'signed',
  'sizeof',
  'static',
  'struct',
  'switch',
  'typedef',
  'union',
  'unsigned',
  'void',
  'volatile',
  'while',
  'asm',
  'main',
  // Object-like macros of the standard headers the emitted file and its runtime header include.
  'NULL',
  'EOF',
  'BUFSIZ',
  'FILENAME_MAX',
  'FOPEN_MAX',
  'L_tmpnam',
  'TMP_MAX',
  'SEEK_SET',
  'SEEK_CUR',
  'SEEK_END',
  'EXIT_SUCCESS',
  'EXIT_FAILURE',
  'RAND_MAX',
  'MB_CUR_MAX',
  'errno',
  'stdin',
  'stdout',
  'stderr',
]);

/**
 * A valid C identifier for `name`, outside what the emitter and the headers use: keywords, our own
 * `gf_`/`GF_` prefix, reserved `_` names, type names (`*_t`) and standard macros.
 */
export function cIdent(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  const reserved =
    id === '' ||
    /^[0-9_]/.test(id) ||
    /^(gf|GF)_/i.test(id) ||
    /_t$/.test(id) ||
    /^[A-Z0-9_]+_(MAX|MIN|C|WIDTH)$/.test(id) ||
    /^(PRI|SCN)/.test(id) ||
    keywords.has(id);
  return reserved ? `v_${id}` : id;
}

/** The names in sight at one point of the emitted C: IR name → C expression, and C names taken. */
export interface CScope {
  readonly refs: Map<string, string>;
  readonly taken: Set<string>;
}

export function rootScope(): CScope {
  return { refs: new Map(), taken: new Set() };
}

/** A nested block: it sees everything its parent sees. */
export function childScope(scope: CScope): CScope {
  return { refs: new Map(scope.refs), taken: new Set(scope.taken) };
}

/** Binds IR `name` in `scope` to a fresh identifier that shadows nothing in sight; returns it. */
export function bind(scope: CScope, name: string, ref?: (id: string) => string): string {
  const base = cIdent(name);
  let id = base;
  for (let n = 2; scope.taken.has(id); n++) id = `${base}_${n}`;
  scope.taken.add(id);
  scope.refs.set(name, ref === undefined ? id : ref(id));
  return id;
}

/** The C expression for IR variable `name`. */
export function refer(scope: CScope, name: string, where: string): string {
  const ref = scope.refs.get(name);
  if (ref === undefined) throw new InternalError(`${where}: variable "${name}" is not defined`);
  return ref;
}
