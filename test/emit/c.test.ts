import { convWorkload } from '../fixtures/workloads.js';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InternalError } from '../../src/errors.js';
import { emitC } from '../../src/emit/c.js';
import { expand } from '../../src/program/interpret.js';
import {
  add,
  and,
  bool,
  c,
  comment,
  div,
  eq,
  fence,
  if_,
  instr,
  le,
  let_,
  loop,
  lt,
  max,
  mul,
  ne,
  not,
  or,
  select,
  sub,
  v,
  type Arg,
  type Cond,
  type Expr,
  type Program,
} from '../../src/program/program.js';
import type { Mapping } from '../../src/mapping/mapping.js';
import { partialSumOverflow } from '../../src/schedule/partial_sums.js';
import { validateMapping } from '../../src/schedule/validate.js';
import type { AnyTarget } from '../../src/contract/target.js';
import { riscvWord } from '../../src/targets/gemmini/encoding.js';
import { encodeInstr } from '../../src/targets/gemmini/isa.js';
import { targetByName } from '../../src/targets/index.js';
import type { Instr } from '../../src/targets/gemmini/instr.js';
import type { ConvWorkload, Dim, GemmWorkload } from '../../src/workload/workload.js';

const gemmini = targetByName('gemmini');
const gemminiOs = targetByName('gemmini-os');
const gemmini8 = targetByName('gemmini-8');

/**
 * The C emitter against the interpreter: each program's C, compiled on the host with the header's
 * trace mode, logs the instruction stream `expand` produces, word for word. With a RISC-V cross
 * compiler the object holds the custom-3 instructions with the ISA module's encodings.
 */

const run = promisify(execFile);
const available = (cmd: string): boolean => spawnSync(cmd, ['--version']).status === 0;
const hasCc = available('cc');
const hasRiscv = available('riscv64-unknown-elf-gcc') && available('riscv64-unknown-elf-objdump');
if (!hasCc) console.warn('c.test.ts: no `cc` on PATH; skipping the C emitter checks');
if (!hasRiscv) {
  console.warn('c.test.ts: no riscv64-unknown-elf-gcc/objdump on PATH; skipping the RISC-V check');
}

const cflags = ['-std=c11', '-Wall', '-Wextra', '-Werror', '-fsanitize=address,undefined'];
const dir = mkdtempSync(join(tmpdir(), 'gemmforge-c-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const header = gemmini.cHeader!();
writeFileSync(join(dir, 'gf_runtime.h'), header);
const encoding = gemmini.cEncoding!;

/** Buffer i at 0x100000·(i+1), as both the C main and `expand` get it. */
function bases(p: Program): Record<string, number> {
  return Object.fromEntries(p.buffers.map((b, i) => [b.name, 0x100000 * (i + 1)]));
}

const hex64 = (x: bigint): string => `0x${x.toString(16).padStart(16, '0')}`;

/** The interpreter's stream as trace lines. */
function expectedTrace(p: Program): string[] {
  return expand<Instr>(p, bases(p)).map((item) => {
    if (item.kind === 'fence') return 'fence';
    const word = encodeInstr(item);
    return `${word.funct} ${hex64(word.rs1)} ${hex64(word.rs2)}`;
  });
}

/** Emits, compiles and runs `p` with GF_TRACE set; the trace's lines (or the failed run). */
async function cTrace(p: Program, id: string): Promise<string[]> {
  const args = p.buffers.map((b) => `UINT64_C(0x${bases(p)[b.name].toString(16)})`);
  const main = `\nint main(void) {\n  layer(${args.join(', ')});\n  gf_trace_close();\n  return 0;\n}\n`;
  const source = emitC(p, encoding, { include: 'gf_runtime.h', name: 'layer' }) + main;
  const [file, exe, trace] = ['c', 'exe', 'trace'].map((ext) => join(dir, `${id}.${ext}`));
  writeFileSync(file, source);
  await run('cc', [...cflags, '-o', exe, file]);
  await run(exe, [], { env: { ...process.env, GF_TRACE: trace } });
  return readFileSync(trace, 'utf8').split('\n').slice(0, -1);
}

/** The first line where two traces differ, with its neighbours, or undefined. */
function firstDifference(actual: string[], expected: string[]) {
  for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
    if (actual[i] !== expected[i]) {
      const near = (t: string[]) => t.slice(Math.max(0, i - 2), i + 3);
      return { line: i, actual: near(actual), expected: near(expected) };
    }
  }
  return undefined;
}

async function checkProgram(p: Program, id: string): Promise<void> {
  const expected = expectedTrace(p);
  const actual = await cTrace(p, id);
  expect(firstDifference(actual, expected)).toBeUndefined();
  expect(actual.length).toBe(expected.length);
}

function gemm(M: number, N: number, K: number, bias: boolean): GemmWorkload {
  const activation = bias ? 'relu' : 'none';
  return {
    kind: 'gemm',
    name: `gemm ${M}x${N}x${K}`,
    M,
    N,
    K,
    bias,
    requant: 'per-tensor',
    activation,
  };
}

function conv(p: Partial<ConvWorkload>): ConvWorkload {
  return convWorkload({
    H: 6,
    W: 6,
    C: 5,
    K: 7,
    ...p,
  });
}

/** A mapping from the target's baseline with some fields replaced. */
/** The baseline changed by `m`, as an unrolled program (no hardware loops unless `m` asks). */
function variant(t: AnyTarget, w: GemmWorkload | ConvWorkload, m: Partial<Mapping>): Mapping {
  const { hardwareLoops: _loops, ...base } = t.baseline!(w);
  return { ...base, ...m };
}

const dbAll = { input: true, weight: true, output: true };
const dbNone = { input: false, weight: false, output: false };

/** Random GEMM mappings (seeded), as in the lowering tests; the caller keeps the legal ones. */
function randomGemmMappings(w: GemmWorkload, t: AnyTarget, seed: number): Mapping[] {
  const arb = fc
    .record({
      dataflow: fc.constantFrom(...t.spec.array.dataflows),
      tile: fc.record({
        M: fc.integer({ min: 1, max: w.M }),
        N: fc.integer({ min: 1, max: w.N }),
        K: fc.integer({ min: 1, max: w.K }),
      }),
      order: fc.shuffledSubarray(['M', 'N', 'K'] as Dim[], { minLength: 3, maxLength: 3 }),
      db: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
    })
    .map((r): Mapping => ({
      dataflow: r.dataflow,
      spatial:
        r.dataflow === 'weight-stationary' ? { rows: 'K', cols: 'N' } : { rows: 'M', cols: 'N' },
      tile: r.tile,
      order: r.order,
      resident: { input: [], weight: [], output: [] },
      doubleBuffer: { input: r.db[0], weight: r.db[1], output: r.db[2] },
    }));
  return fc.sample(arb, { numRuns: 40, seed });
}

interface Case {
  readonly id: string;
  readonly program: Program;
}

/** A legal mapping's program; the vendor's own tiling may risk partial-sum overflow, as gemmini.h does. */
function lowered(id: string, t: AnyTarget, w: GemmWorkload | ConvWorkload, m: Mapping): Case {
  const vendor = partialSumOverflow(w, m, t.spec);
  const problems = validateMapping(w, m, t).filter(
    (p) =>
      !(
        vendor !== null &&
        p.message === vendor.message &&
        JSON.stringify(m) === JSON.stringify(t.baseline?.(w))
      ),
  );
  if (problems.length > 0) throw new Error(`${id}: illegal mapping ${JSON.stringify(problems)}`);
  return { id, program: t.lower(w, m, { scale: 0.25 }) };
}

const layerCases: Case[] = (() => {
  const g1 = gemm(40, 20, 30, true);
  const g2 = gemm(17, 33, 50, false);
  const c1 = conv({});
  const c2 = conv({ N: 2, H: 7, W: 5, C: 3, K: 17, strideH: 2, strideW: 2, bias: false });
  const dw = conv({ H: 9, W: 11, C: 20, K: 20, groups: 20 });
  const osBaseline = gemminiOs.baseline!(g2);
  const cases = [
    lowered('gemm-baseline', gemmini, g1, gemmini.baseline!(g1)),
    lowered('gemm-os', gemminiOs, g2, osBaseline),
    lowered(
      'gemm-ws-db',
      gemmini8,
      g1,
      variant(gemmini8, g1, { tile: { M: 16, N: 8, K: 8 }, doubleBuffer: dbAll }),
    ),
    lowered(
      'gemm-os-nodb',
      gemmini,
      g2,
      variant(gemmini, g2, {
        dataflow: 'output-stationary',
        spatial: { rows: 'M', cols: 'N' },
        tile: { M: 16, N: 16, K: 16 },
        order: ['N', 'M', 'K'],
        doubleBuffer: dbNone,
      }),
    ),
    lowered('conv-baseline', gemmini, c1, gemmini.baseline!(c1)),
    lowered(
      'conv-stride2-os',
      gemmini,
      c2,
      variant(gemmini, c2, { dataflow: 'output-stationary', spatial: { rows: 'Q', cols: 'K' } }),
    ),
    lowered('conv-db', gemmini8, c1, variant(gemmini8, c1, { doubleBuffer: dbAll })),
    // Depthwise as gemmini.h runs it: LOOP_CONV_WS per channel with dw and pixels per row.
    lowered('conv-dw-baseline', gemmini, dw, gemmini.baseline!(dw)),
  ];
  const random = randomGemmMappings(g2, gemmini8, 7)
    .filter((m) => validateMapping(g2, m, gemmini8).length === 0)
    .slice(0, 3);
  random.forEach((m, i) => cases.push(lowered(`gemm-random-${i}`, gemmini8, g2, m)));
  return cases;
})();

describe.skipIf(!hasCc)('emitted C traces the interpreter’s stream', () => {
  it('there are random legal mappings among the cases', () => {
    expect(layerCases.filter((k) => k.id.startsWith('gemm-random')).length).toBe(3);
  });

  it.concurrent.each(layerCases)('$id', async ({ id, program }) => {
    await checkProgram(program, id);
  });

  it.concurrent(
    'a hand-written program: shadowing, rebinding, odd names, runtime functs',
    async () => {
      await checkProgram(handWritten, 'hand');
    },
  );

  it.concurrent('random expressions: floor division of negatives, min, max, select', async () => {
    await checkProgram(randomExprs(11), 'exprs');
  });

  it.concurrent('a field out of range stops the C program, as the encoder refuses it', async () => {
    const bad: Program = {
      name: 'bad',
      buffers: [{ name: 'A', bytes: 16, role: 'input' }],
      body: [
        loop('x', 0, 3, 1, [
          instr('mvout', { dram: sub(v('A'), mul(v('x'), 0x200000)), src: operand(c(0)) }),
        ]),
      ],
    };
    expect(() => expectedTrace(bad)).toThrow(/not an integer/);
    await expect(cTrace(bad, 'bad')).rejects.toThrow(/mvout\.dram = -\d+ does not fit/);
  });
});

function operand(addr: Expr): Arg {
  return { addr, rows: c(16), cols: c(16) };
}

/** Names the IR reuses or C forbids, runtime-selected functs, an unused buffer, a tricky comment. */
const handWritten: Program = {
  name: 'hand written',
  buffers: [
    { name: 'in-put', bytes: 1024, role: 'input' },
    { name: 'int', bytes: 1024, role: 'weight' },
    { name: 'unused', bytes: 16, role: 'scratch' },
  ],
  body: [
    comment('a comment with */ and ??/ in it'),
    let_('x', 5),
    let_('x', add(v('x'), 1)),
    let_('gf_min', 3),
    let_('9lives', 2),
    let_('dead', div(1, sub(v('x'), 6))),
    loop('x', sub(v('x'), 8), v('x'), 3, [
      let_('x', add(v('x'), 2)),
      let_('for', select(lt(v('x'), 0), mul(-1, v('x')), v('x'))),
      instr('mvin', {
        slot: div(add(v('x'), 3), 4),
        dram: add(v('in-put'), mul(v('for'), 16), v('gf_min')),
        dst: operand(add(v('9lives'), max(v('x'), 0))),
      }),
      if_(
        or(eq(v('x'), 2), and(not(le(v('x'), 0)), ne(v('x'), 5))),
        [instr('compute', { accumulated: lt(v('x'), 5), a: operand(c(1)), bd: operand(c(2)) })],
        [let_('x', 0), instr('preload', { bd: operand(v('x')), c: operand(v('gf_min')) })],
      ),
    ]),
    loop('x', 0, 2, 1, [
      instr('loopWs', {
        exAccumulate: eq(v('x'), 1),
        fullC: bool(true),
        lowD: bool(false),
        activation: v('x'),
        bSpadId: c(1),
        aSpadId: c(2),
        aTranspose: not(eq(v('x'), 1)),
        bTranspose: bool(false),
        isResadd: bool(false),
        skip: c(0),
        incAccAddr: bool(false),
        spadOnly: bool(false),
        cSpadAddr: add(v('int'), v('x')),
      }),
    ]),
    instr('counter', {
      reset: bool(true),
      snapshotReset: bool(false),
      takeSnapshot: bool(false),
      configure: bool(false),
      index: c(3),
      event: c(1),
      external: bool(false),
    }),
    fence,
  ],
};

/** Random expressions over x in [-6, 6) and y in [-4, 3), each (offset by 2^52) a DRAM field. */
function randomExprs(seed: number): Program {
  const leaf = fc.oneof(
    fc.integer({ min: -9, max: 9 }).map((n) => c(n)),
    fc.constantFrom(v('x'), v('y')),
  );
  const opts = { maxDepth: 3, depthIdentifier: 'expr' } as const;
  const { expr } = fc.letrec<{ expr: Expr; cond: Cond }>((tie) => ({
    expr: fc.oneof(
      opts,
      leaf,
      fc
        .array(tie('expr'), { minLength: 1, maxLength: 3 })
        .map((t): Expr => ({ kind: 'add', terms: t })),
      fc.tuple(tie('expr'), tie('expr')).map((a): Expr => ({ kind: 'mul', args: a })),
      fc
        .array(tie('expr'), { minLength: 1, maxLength: 3 })
        .map((a): Expr => ({ kind: 'min', args: a })),
      fc
        .array(tie('expr'), { minLength: 1, maxLength: 3 })
        .map((a): Expr => ({ kind: 'max', args: a })),
      fc
        .tuple(
          tie('expr'),
          fc.oneof(
            fc.integer({ min: 1, max: 7 }).map((n) => c(n)),
            tie('expr'),
          ),
        )
        .map(([of, d]): Expr => ({
          kind: 'div',
          of,
          divisor: d.kind === 'const' ? d : add(max(d, 0), 1),
        })),
      fc
        .tuple(tie('cond'), tie('expr'), tie('expr'))
        .map(([cond, t, e]): Expr => ({ kind: 'select', cond, then: t, else: e })),
    ),
    cond: fc.oneof(
      opts,
      fc.boolean().map((b) => bool(b)),
      fc
        .tuple(fc.constantFrom('lt', 'le', 'eq', 'ne' as const), tie('expr'), tie('expr'))
        .map(([kind, a, b]): Cond => ({ kind, a, b })),
      fc.array(tie('cond'), { maxLength: 3 }).map((args): Cond => ({ kind: 'and', args })),
      fc.array(tie('cond'), { maxLength: 3 }).map((args): Cond => ({ kind: 'or', args })),
      tie('cond').map((arg): Cond => ({ kind: 'not', arg })),
    ),
  }));
  const over = (body: Program['body']): Program => ({
    name: 'exprs',
    buffers: [],
    body: [loop('x', -6, 6, 1, [loop('y', -4, 3, 1, body)])],
  });
  const field = (e: Expr) => instr('mvout', { dram: add(e, 2 ** 52), src: operand(c(0)) });
  // Keep the expressions whose every value fits the field (products can grow past 2^52).
  const fits = (e: Expr): boolean =>
    expand<{ kind: string; dram: number }>(over([field(e)]), {}).every(
      (item) => 'dram' in item && Number.isSafeInteger(item.dram) && item.dram >= 0,
    );
  const exprs = fc.sample(expr, { numRuns: 150, seed }).filter(fits);
  expect(exprs.length).toBeGreaterThan(100);
  return over(exprs.map(field));
}

describe('emitC output', () => {
  const text = emitC(handWritten, encoding, { include: 'gf_runtime.h' });
  it('names the function and its buffer parameters as C identifiers, in buffer order', () => {
    expect(text).toContain('void hand_written(uint64_t in_put, uint64_t v_int, uint64_t unused) {');
    expect(text).toContain('(void)unused;');
    expect(text).toContain('#include "gf_runtime.h"');
  });

  it('gives a rebound or shadowing name a fresh identifier and leaves unread lets out', () => {
    expect(text).toContain('const int64_t x_2 = (x + 1);');
    expect(text).toMatch(/for \(int64_t x_3 = \(x_2 - 8\); x_3 < x_2; x_3 \+= 3\)/);
    expect(text).not.toContain('dead');
  });
});

describe('emitC refuses what the interpreter or the encoder would refuse', () => {
  const prog = (body: Program['body']): Program => ({ name: 'p', buffers: [], body });
  it('an undefined variable, an unknown instruction, a missing field, a constant out of range', () => {
    const emit = (p: Program) => () => emitC(p, encoding, { include: 'h.h' });
    expect(emit(prog([instr('mvout', { dram: v('nope'), src: operand(c(0)) })]))).toThrow(
      InternalError,
    );
    expect(emit(prog([instr('nosuch', {})]))).toThrow(/no encoding for instruction "nosuch"/);
    expect(emit(prog([instr('mvout', { dram: c(0) })]))).toThrow(/mvout has no field src/);
    expect(emit(prog([instr('mvout', { dram: c(-1), src: operand(c(0)) })]))).toThrow(
      /mvout\.dram/,
    );
    expect(emit(prog([instr('mvin', { slot: c(3), dram: c(0), dst: operand(c(0)) })]))).toThrow(
      /selects no funct/,
    );
    expect(emit(prog([instr('flush', { skip: c(1) })]))).toThrow(/flush\.skip is a flag/);
  });
});

/** Instructions whose registers come straight from the arguments (a0 = A, a1 = B at -O2). */
const direct: Program = {
  name: 'direct',
  buffers: [
    { name: 'A', bytes: 16, role: 'input' },
    { name: 'B', bytes: 16, role: 'weight' },
  ],
  body: [
    instr('loopWsConfigAddrsAB', { a: v('A'), b: v('B') }),
    instr('loopConvWsConfig5', { weights: v('A'), output: v('B') }),
  ],
};

describe.skipIf(!hasRiscv)('RISC-V: the object holds the ISA module’s encodings', () => {
  it('every instruction is a custom-3 word riscvWord(funct, rs1, rs2) of an emitted funct', async () => {
    const emit = (p: Program, name: string) =>
      emitC(p, encoding, { include: 'gf_runtime.h', name });
    const source = [
      emit(layerCases[0].program, 'layer'),
      emit(layerCases[4].program, 'conv'),
      emit(handWritten, 'hand'),
      emit(direct, 'direct'),
    ].join('\n');
    const [file, object] = [join(dir, 'riscv.c'), join(dir, 'riscv.o')];
    writeFileSync(file, source);
    // Debian's bare-metal compiler has no libc: the header needs only the freestanding stdint.h.
    const flags = ['-ffreestanding', '-c', '-O2', '-march=rv64gc', '-mabi=lp64d'];
    await run('riscv64-unknown-elf-gcc', [...flags, '-o', object, file]);
    const { stdout } = await run('riscv64-unknown-elf-objdump', ['-d', object]);
    const words = [...stdout.matchAll(/^\s*[0-9a-f]+:\s+([0-9a-f]{8})\s/gm)]
      .map((m) => parseInt(m[1], 16))
      .filter((w) => (w & 0x7f) === 0x7b);
    const names = Object.values(encoding).map((e) => e.cName);
    const call = new RegExp(`\\b(?:${names.join('|')})\\((\\d+), `, 'g');
    const emitted = new Set([...source.matchAll(call)].map((m) => Number(m[1])));
    for (const w of words) {
      const funct = w >>> 25;
      const [rs2, rs1, funct3, rd] = [
        (w >>> 20) & 31,
        (w >>> 15) & 31,
        (w >>> 12) & 7,
        (w >>> 7) & 31,
      ];
      expect(w).toBe(riscvWord(funct, rs1, rs2, rd, funct3));
      expect(emitted.has(funct)).toBe(true);
      // funct3 0b011 with rd = x0, but COUNTER: 0b111, returning rd.
      expect(funct3 === 0b111 ? funct === 126 : funct3 === 0b011 && rd === 0).toBe(true);
    }
    expect([...emitted].filter((f) => !words.some((w) => w >>> 25 === f))).toEqual([]);
    expect(emitted).toContain(126);
    // Where the registers are the arguments: LOOP_WS_CONFIG_ADDRS_AB a0, a1 and CONFIG_5 a0, a1.
    expect(words).toContain(riscvWord(10, 10, 11));
    expect(words).toContain(riscvWord(20, 10, 11));
  });
});
