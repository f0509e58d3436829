import type { Encoded, IsaTable } from '../../contract/isa.js';
import { InternalError } from '../../errors.js';
import { f32FromBits, saturateInt8, scaleF32 } from '../../numeric/numeric.js';
import { checkAccess, type Dram } from '../../sim/dram.js';
import { fault } from '../../sim/fault.js';
import { addRead, addWrite, Unit, type TimingDesc } from '../../sim/timing_desc.js';
import type { Spec } from '../../spec/spec.js';

/**
 * The toy accelerator's three instructions. On-chip addresses count elements (int8 in `buffer`,
 * int32 in `accumulator`); a block of `rows` × `cols` sits there densely.
 * - load: block ← DRAM rows `stride` apart, into the buffer, or int32s into the accumulator (a bias
 *   row repeated with stride 0);
 * - gemm: acc[c + i·ldc + j] (+)= Σx buf[a + i·lda + x] · buf[b + x·ldb + j], a k × n weight block
 *   (k, n ≤ DIM) held in the array while m input rows stream through;
 * - store: DRAM ← int8(relu?(acc) × scale), the scale as fp32 bits.
 */
type Fields<T extends string> = { readonly [K in T]: number };
type Flags<T extends string> = { readonly [K in T]: boolean };
export type Instr =
  | ({ kind: 'load' } & Fields<'dram' | 'stride' | 'addr' | 'rows' | 'cols'> & Flags<'toAcc'>)
  | ({ kind: 'gemm' } & Fields<'a' | 'b' | 'c' | 'm' | 'k' | 'n' | 'lda' | 'ldb' | 'ldc'> &
      Flags<'accumulate'>)
  | ({ kind: 'store' } & Fields<'dram' | 'stride' | 'addr' | 'rows' | 'cols' | 'scale'> &
      Flags<'relu'>);
type Kind = Instr['kind'];
type Of<K extends Kind> = Extract<Instr, { kind: K }>;

/** A local memory: its data (empty when timing only), size in elements, a row's, its spec index. */
function memory(spec: Spec, name: string, bytes: number, functional: boolean) {
  const m = spec.memories[name];
  const size = m.capacityBytes / bytes;
  const data =
    bytes === 1 ? new Int8Array(functional ? size : 0) : new Int32Array(functional ? size : 0);
  return { data, size, row: m.rowBytes / bytes, index: Object.keys(spec.memories).indexOf(name) };
}
type Memory = ReturnType<typeof memory>;

export function createMachine(spec: Spec, dram: Dram, functional: boolean) {
  return {
    dram,
    functional,
    dim: spec.array.rows,
    dramLatency: spec.dram.latencyCycles,
    fill: spec.array.pipelineLatencyCycles,
    buffer: memory(spec, 'buffer', 1, functional),
    acc: memory(spec, 'accumulator', 4, functional),
  };
}
export type ToyMachine = ReturnType<typeof createMachine>;

/** Rows [first, last) of a memory that `rows` rows of `cols` elements `stride` apart take. */
function rowsOf(mem: Memory, first: number, rows: number, cols: number, stride = cols) {
  const end = rows === 0 ? first : first + (rows - 1) * stride + cols;
  if (end > mem.size) fault(`elements [${first}, ${end}) exceed the memory's ${mem.size}`);
  return [Math.floor(first / mem.row), Math.ceil(end / mem.row)] as const;
}

/** One instruction kind: its funct, its fields' widths in bits (packed from rs1 bit 0 on), its
 * semantics and its timing. */
interface Def<I> {
  readonly funct: number;
  readonly widths: { readonly [field: string]: number };
  execute(i: I, m: ToyMachine): void;
  timing(i: I, m: ToyMachine, d: TimingDesc): void;
}
const defs: { readonly [K in Kind]: Def<Of<K>> } = {
  load: {
    funct: 0,
    widths: { dram: 32, stride: 16, addr: 16, rows: 16, cols: 16, toAcc: 1 },
    execute(i, m) {
      const to = i.toAcc ? m.acc : m.buffer;
      rowsOf(to, i.addr, i.rows, i.cols);
      const bytes = i.toAcc ? 4 : 1;
      for (let r = 0; r < i.rows; r++) {
        checkAccess(m.dram, i.dram + r * i.stride, bytes * i.cols);
        for (let c = 0; m.functional && c < i.cols; c++) {
          const at = i.dram + r * i.stride + bytes * c;
          to.data[i.addr + r * i.cols + c] = i.toAcc
            ? m.dram.view.getInt32(at, true)
            : m.dram.i8[at];
        }
      }
    },
    timing(i, m, d) {
      const to = i.toAcc ? m.acc : m.buffer;
      d.unit = Unit.load;
      d.occupancy = Math.max(1, i.rows);
      d.latency = m.dramLatency;
      d.dramReadBytes = (i.toAcc ? 4 : 1) * i.cols * (i.stride === 0 ? 1 : i.rows);
      addWrite(d, to.index, ...rowsOf(to, i.addr, i.rows, i.cols));
    },
  },
  gemm: {
    funct: 1,
    widths: { a: 16, b: 16, c: 16, m: 16, k: 6, n: 6, accumulate: 1, lda: 16, ldb: 16, ldc: 16 },
    execute(i, m) {
      if (i.k > m.dim || i.n > m.dim) fault(`gemm: a ${i.k}×${i.n} block exceeds the array`);
      rowsOf(m.buffer, i.a, i.m, i.k, i.lda);
      rowsOf(m.buffer, i.b, i.k, i.n, i.ldb);
      rowsOf(m.acc, i.c, i.m, i.n, i.ldc);
      for (let r = 0; m.functional && r < i.m; r++) {
        for (let j = 0; j < i.n; j++) {
          let sum = i.accumulate ? m.acc.data[i.c + r * i.ldc + j] : 0;
          for (let x = 0; x < i.k; x++) {
            sum =
              (sum + m.buffer.data[i.a + r * i.lda + x] * m.buffer.data[i.b + x * i.ldb + j]) | 0;
          }
          m.acc.data[i.c + r * i.ldc + j] = sum;
        }
      }
    },
    timing(i, m, d) {
      d.unit = Unit.execute;
      d.occupancy = i.k + i.m;
      d.latency = m.fill;
      d.macs = i.m * i.k * i.n;
      addRead(d, m.buffer.index, ...rowsOf(m.buffer, i.a, i.m, i.k, i.lda));
      addRead(d, m.buffer.index, ...rowsOf(m.buffer, i.b, i.k, i.n, i.ldb));
      const out = rowsOf(m.acc, i.c, i.m, i.n, i.ldc);
      if (i.accumulate) addRead(d, m.acc.index, ...out);
      addWrite(d, m.acc.index, ...out);
    },
  },
  store: {
    funct: 2,
    widths: { dram: 32, stride: 16, addr: 16, rows: 15, cols: 16, relu: 1, scale: 32 },
    execute(i, m) {
      rowsOf(m.acc, i.addr, i.rows, i.cols);
      for (let r = 0; r < i.rows; r++) {
        checkAccess(m.dram, i.dram + r * i.stride, i.cols);
        for (let c = 0; m.functional && c < i.cols; c++) {
          const x = m.acc.data[i.addr + r * i.cols + c];
          const y = scaleF32(i.relu && x < 0 ? 0 : x, f32FromBits(i.scale));
          m.dram.i8[i.dram + r * i.stride + c] = saturateInt8(y);
        }
      }
    },
    timing(i, m, d) {
      d.unit = Unit.store;
      d.occupancy = Math.max(1, i.rows);
      d.latency = m.dramLatency;
      d.dramWriteBytes = i.rows * i.cols;
      addRead(d, m.acc.index, ...rowsOf(m.acc, i.addr, i.rows, i.cols));
    },
  },
};

/** Each field's register and lowest bit: packed in order, a field that would straddle goes to rs2. */
function layout(widths: Def<Instr>['widths']) {
  let at = 0;
  return Object.entries(widths).map(([name, bits]) => {
    if (at < 64 && at + bits > 64) at = 64;
    const field = { name, bits, reg: at < 64 ? ('rs1' as const) : ('rs2' as const), lo: at % 64 };
    at += bits;
    return field;
  });
}

function entry<K extends Kind>(kind: K) {
  const { funct, widths, execute, timing } = defs[kind];
  const fields = layout(widths);
  const value = (i: Of<K>, name: string) => Number((i as Record<string, unknown>)[name]);
  return {
    functs: [funct],
    encode(i: Of<K>): Encoded {
      const word = { funct, rs1: 0n, rs2: 0n };
      for (const f of fields) {
        const x = value(i, f.name);
        if (!Number.isInteger(x) || x < 0 || x >= 2 ** f.bits) {
          throw new InternalError(`toy ${kind}: ${f.name} = ${x} does not fit ${f.bits} bits`);
        }
        word[f.reg] |= BigInt(x) << BigInt(f.lo);
      }
      return word;
    },
    decode(word: Encoded): Of<K> | undefined {
      if (word.funct !== funct) return undefined;
      const i: Record<string, unknown> = { kind };
      for (const f of fields) {
        const x = Number((word[f.reg] >> BigInt(f.lo)) & ((1n << BigInt(f.bits)) - 1n));
        i[f.name] = f.bits === 1 ? x === 1 : x;
      }
      return i as Of<K>;
    },
    format: (i: Of<K>) => [kind, ...fields.map((f) => `${f.name}=${value(i, f.name)}`)].join(' '),
    cName: `toy_${kind}`,
    execute,
    timing,
  };
}

/** The toy's ISA table. */
export const isa: IsaTable<Instr, ToyMachine> = {
  load: entry('load'),
  gemm: entry('gemm'),
  store: entry('store'),
};
