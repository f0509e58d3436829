import { InternalError } from '../errors.js';
import type { CEncoding, CInstr, WordField } from '../contract/isa.js';
import { argShape, cCond, cExpr, cInt, readsOf, withoutDeadLets } from './c_exprs.js';
import { bind, childScope, cIdent, rootScope, type CScope } from './c_names.js';
import type { Arg, Program, Stmt } from '../program/program.js';

/**
 * A program as C11: one function taking the buffers' base addresses, with the program's loops, lets
 * and conditionals, and each instruction as a call `cName(funct, rs1, rs2)` of the target's runtime
 * header, its words built from the fields by the target's word layouts (CEncoding). The funct is
 * always a literal, so the header can put it into the instruction encoding. Interpreting the program
 * (interpret.ts) and running the C give the same stream of (funct, rs1, rs2) and fences.
 *
 * Besides the per-kind macros the header defines `gf_fence()` and `gf_bad_field(where, value)`,
 * which must not return (an instruction field out of range, as the target's encoder refuses).
 */

export interface CEmitOptions {
  /** The target's runtime header, as the emitted file includes it. */
  readonly include: string;
  /** The C function's name; by default the program's name as an identifier. */
  readonly name?: string;
}

type InstrStmt = Extract<Stmt, { kind: 'instr' }>;

/** Instruction calls longer than this put their words in locals, one part a line. */
const lineWidth = 96;

/**
 * Floor division (C's `/` truncates), min and max over int64_t, and word-field packing: what emitted
 * functions call, once per translation unit.
 */
export const cProgramHelpers = `#ifndef GF_PROGRAM_HELPERS
#define GF_PROGRAM_HELPERS
static inline int64_t gf_floordiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
static inline int64_t gf_min(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t gf_max(int64_t a, int64_t b) { return a > b ? a : b; }
/* value at bits [lo + width - 1 : lo]; it must be an integer in [0, 2^min(width, 53)). */
static inline uint64_t gf_bits(int64_t value, int lo, int width, const char *where) {
  if (value < 0 || (value >> (width < 53 ? width : 53)) != 0) gf_bad_field(where, value);
  return (uint64_t)value << lo;
}
/* value at bits [lo + width - 1 : lo] in two's complement; it must be in [-2^(width-1), 2^(width-1)). */
static inline uint64_t gf_sbits(int64_t value, int lo, int width, const char *where) {
  if (value < -(INT64_C(1) << (width - 1)) || value >= (INT64_C(1) << (width - 1)))
    gf_bad_field(where, value);
  return ((uint64_t)value & ((UINT64_C(1) << width) - 1)) << lo;
}
static inline uint64_t gf_flag(int value, int bit) { return (uint64_t)(value != 0) << bit; }
#endif
`;

function comment(text: string): string {
  return `/* ${text.replace(/\*\//g, '* /').replace(/\?\?/g, '? ?')} */`;
}

function encodingOf(encoding: CEncoding, op: string): CInstr {
  const found = Object.hasOwn(encoding, op) ? encoding[op] : undefined;
  if (found === undefined) throw new InternalError(`C: no encoding for instruction "${op}"`);
  return found;
}

/** The argument at a field path of an instruction. */
function fieldArg(s: InstrStmt, path: readonly string[]): Arg {
  let at: Arg = s.args;
  for (let i = 0; i < path.length; i++) {
    const shape = argShape(at, s.op);
    const has = shape.kind === 'record' && Object.hasOwn(shape.fields, path[i]);
    const next = has ? shape.fields[path[i]] : undefined;
    if (next === undefined) {
      throw new InternalError(`C: ${s.op} has no field ${path.slice(0, i + 1).join('.')}`);
    }
    at = next;
  }
  return at;
}

/** The arguments an instruction's word is built from (its fields and its funct selector). */
function wordArgs(s: InstrStmt, ci: CInstr): Arg[] {
  const out = ci.word.fields.map((f) => fieldArg(s, f.path));
  if (ci.word.funct.kind === 'field') out.push(fieldArg(s, [ci.word.funct.field]));
  return out;
}

/** `value` placed at bits [hi:lo], checked as the target's encoder checks it. */
function staticBits(value: number, hi: number, lo: number, where: string, signed = false): bigint {
  const width = hi - lo + 1;
  if (signed) {
    if (!Number.isInteger(value) || value < -(2 ** (width - 1)) || value >= 2 ** (width - 1)) {
      throw new InternalError(
        `${where}: ${value} is not an integer in [-2^${width - 1}, 2^${width - 1})`,
      );
    }
    return BigInt.asUintN(width, BigInt(value)) << BigInt(lo);
  }
  const bits = Math.min(width, 53);
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new InternalError(`${where}: ${value} is not an integer in [0, 2^${bits})`);
  }
  return BigInt(value) << BigInt(lo);
}

/** A register's value as C, OR-ed parts: the constant bits as one literal, then the others. */
function register(
  s: InstrStmt,
  fields: readonly WordField[],
  fixed: bigint,
  scope: CScope,
): string[] {
  let constant = fixed;
  const parts: string[] = [];
  for (const f of fields) {
    const where = `${s.op}.${f.path.join('.')}`;
    const shape = argShape(fieldArg(s, f.path), where);
    if (f.flag) {
      if (shape.kind !== 'cond') throw new InternalError(`C: ${where} is a flag`);
      if (shape.cond.kind === 'bool') constant |= shape.cond.value ? 1n << BigInt(f.lo) : 0n;
      else parts.push(`gf_flag(${cCond(shape.cond, scope, where)}, ${f.lo})`);
      continue;
    }
    if (shape.kind !== 'expr') throw new InternalError(`C: ${where} is a number`);
    if (shape.expr.kind === 'const') {
      constant |= staticBits(shape.expr.value, f.hi, f.lo, where, f.signed === true);
    } else {
      const e = cExpr(shape.expr, scope, where);
      const pack = f.signed === true ? 'gf_sbits' : 'gf_bits';
      parts.push(`${pack}(${e}, ${f.lo}, ${f.hi - f.lo + 1}, ${cString(where)})`);
    }
  }
  const literal = `UINT64_C(0x${constant.toString(16)})`;
  return [...(constant !== 0n || parts.length === 0 ? [literal] : []), ...parts];
}

/** A C string literal. */
function cString(text: string): string {
  const escaped = text.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '?');
  return `"${escaped.replace(/\?\?/g, '?\\?')}"`;
}

/** The statements of one instruction: its words, then the header call for its funct. */
function instrLines(s: InstrStmt, ci: CInstr, scope: CScope): string[] {
  const fixed = { rs1: 0n, rs2: 0n };
  for (const b of ci.word.fixed) fixed[b.reg] |= staticBits(b.value, b.hi, b.lo, `${s.op} tag`);
  const parts = (reg: 'rs1' | 'rs2'): string[] => {
    const fields = ci.word.fields.filter((f) => f.reg === reg);
    return register(s, fields, fixed[reg], scope);
  };
  const call = (funct: number, rs1: string, rs2: string): string =>
    `${ci.cName}(${funct}, ${rs1}, ${rs2});`;
  /** Words as locals, one part a line, unless the call fits on one line. */
  const words = (calls: (rs1: string, rs2: string) => string[]): string[] => {
    const [rs1, rs2] = [parts('rs1'), parts('rs2')];
    const inline = calls(rs1.join(' | '), rs2.join(' | '));
    if (inline.length === 1 && inline[0].length <= lineWidth) return inline;
    const local = (name: string, ps: string[]): string[] =>
      ps.map(
        (p, i) =>
          (i === 0 ? `const uint64_t ${name} = ${p}` : `    | ${p}`) +
          (i === ps.length - 1 ? ';' : ''),
      );
    const body = [...local('gf_rs1', rs1), ...local('gf_rs2', rs2), ...calls('gf_rs1', 'gf_rs2')];
    return ['{', ...body.map((l) => `  ${l}`), '}'];
  };
  const funct = ci.word.funct;
  if (funct.kind === 'fixed') return words((rs1, rs2) => [call(funct.funct, rs1, rs2)]);
  const where = `${s.op}.${funct.field}`;
  const selector = argShape(fieldArg(s, [funct.field]), where);
  const flags = funct.cases.every((c) => typeof c.value === 'boolean');
  let known: number | boolean | undefined;
  let sel: string;
  if (flags && selector.kind === 'cond') {
    known = selector.cond.kind === 'bool' ? selector.cond.value : undefined;
    sel = cCond(selector.cond, scope, where);
  } else if (!flags && selector.kind === 'expr') {
    known = selector.expr.kind === 'const' ? selector.expr.value : undefined;
    sel = cExpr(selector.expr, scope, where);
  } else {
    throw new InternalError(`C: ${where} must be a ${flags ? 'flag' : 'number'}`);
  }
  if (known !== undefined) {
    const found = funct.cases.find((c) => c.value === known);
    if (found === undefined) throw new InternalError(`C: ${where} = ${known} selects no funct`);
    return words((rs1, rs2) => [call(found.funct, rs1, rs2)]);
  }
  const caseOf = (value: boolean) => funct.cases.find((c) => c.value === value);
  const [onTrue, onFalse] = [caseOf(true), caseOf(false)];
  if (flags && onTrue !== undefined && onFalse !== undefined) {
    return words((rs1, rs2) => [
      `if (${sel}) ${call(onTrue.funct, rs1, rs2)}`,
      `else ${call(onFalse.funct, rs1, rs2)}`,
    ]);
  }
  return words((rs1, rs2) => [
    `const int64_t gf_sel = ${sel};`,
    ...funct.cases.map((c, i) => {
      const value = typeof c.value === 'boolean' ? String(Number(c.value)) : cInt(c.value, where);
      return `${i === 0 ? 'if' : 'else if'} (gf_sel == ${value}) ${call(c.funct, rs1, rs2)}`;
    }),
    `else gf_bad_field(${cString(where)}, gf_sel);`,
  ]);
}

function block(
  body: readonly Stmt[],
  scope: CScope,
  encoding: CEncoding,
  out: string[],
  pad: string,
) {
  for (const s of body) {
    switch (s.kind) {
      case 'for': {
        if (!Number.isSafeInteger(s.step) || s.step <= 0) {
          throw new InternalError(`C: loop ${s.var} has step ${s.step}`);
        }
        const from = cExpr(s.from, scope, `loop ${s.var}`);
        const to = cExpr(s.to, scope, `loop ${s.var}`);
        const inner = childScope(scope);
        const i = bind(inner, s.var);
        const next = s.step === 1 ? `++${i}` : `${i} += ${s.step}`;
        out.push(`${pad}for (int64_t ${i} = ${from}; ${i} < ${to}; ${next}) {`);
        block(s.body, childScope(inner), encoding, out, `${pad}  `);
        out.push(`${pad}}`);
        break;
      }
      case 'let': {
        const value = cExpr(s.value, scope, `let ${s.name}`);
        out.push(`${pad}const int64_t ${bind(scope, s.name)} = ${value};`);
        break;
      }
      case 'if': {
        out.push(`${pad}if (${cCond(s.cond, scope, 'if')}) {`);
        block(s.then, childScope(scope), encoding, out, `${pad}  `);
        if (s.else.length > 0) {
          out.push(`${pad}} else {`);
          block(s.else, childScope(scope), encoding, out, `${pad}  `);
        }
        out.push(`${pad}}`);
        break;
      }
      case 'instr':
        for (const l of instrLines(s, encodingOf(encoding, s.op), scope)) out.push(`${pad}${l}`);
        break;
      case 'fence':
        out.push(`${pad}gf_fence();`);
        break;
      case 'comment':
        out.push(`${pad}${comment(s.text)}`);
        break;
    }
  }
}

/**
 * The program as one C function `void name(uint64_t buffer, ...)` (buffers in program order), without
 * the include lines and the helpers (`cProgramHelpers`) it needs before it.
 */
export function emitCFunction(program: Program, encoding: CEncoding, name?: string): string {
  const instrReads = (s: InstrStmt, out: Set<string>): void => {
    for (const a of wordArgs(s, encodingOf(encoding, s.op))) {
      const shape = argShape(a, s.op);
      if (shape.kind === 'expr') readsOf(shape.expr, out);
      else if (shape.kind === 'cond') readsOf(shape.cond, out);
    }
  };
  const { body, reads } = withoutDeadLets(program.body, instrReads);
  const scope = rootScope();
  const params: string[] = [];
  const unused: string[] = [];
  for (const b of program.buffers) {
    const id = bind(scope, b.name, (x) => `((int64_t)${x})`);
    params.push(`uint64_t ${id}`);
    if (!reads.has(b.name)) unused.push(`  (void)${id};`);
  }
  const lines: string[] = [];
  block(body, childScope(scope), encoding, lines, '  ');
  return [
    `void ${name ?? cIdent(program.name)}(${params.length === 0 ? 'void' : params.join(', ')}) {`,
    ...unused,
    ...lines,
    '}',
    '',
  ].join('\n');
}

/** A C11 source file: the runtime header's include, the helpers and the program as a function. */
export function emitC(program: Program, encoding: CEncoding, options: CEmitOptions): string {
  return [
    comment(`gemmforge: program "${program.name}" (generated)`),
    '#include <stdint.h>',
    `#include ${cString(options.include)}`,
    '',
    cProgramHelpers,
    emitCFunction(program, encoding, options.name),
  ].join('\n');
}
