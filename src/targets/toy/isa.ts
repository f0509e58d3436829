import { cEncoding, flag, isaTable, uint, type IsaDecls } from '../../contract/isa.js';
import { f32FromBits, saturateInt8, scaleF32 } from '../../numeric/numeric.js';
import { checkAccess, type Dram } from '../../sim/dram.js';
import { fault } from '../../sim/fault.js';
import { addRead, addWrite, Unit } from '../../sim/timing_desc.js';
import type { Spec } from '../../spec/spec.js';

/**
 * The toy accelerator's three instructions. On-chip addresses count elements (int8 in `buffer`,
 * int32 in `accumulator`); a block of `rows` × `cols` sits there densely.
 * - load: block ← DRAM rows `stride` apart, into the buffer, or int32s into the accumulator (a bias
 *   row repeated with stride 0);
 * - gemm: acc[c + i·ldc + j] (+)= Σx buf[a + i·lda + x] · buf[b + x·ldb + j], a k × n weight block
 *   (k, n ≤ DIM) held in the array while m input rows stream through;
 * - store: DRAM ← int8(relu?(acc) × scale), the scale as fp32 bits.
 * Each is declared once (`decls`): its funct and mnemonic, its fields' bits in rs1 and rs2, its C
 * macro (c_header.ts), its semantics and its timing; the codec, the ISA table and the C emitter's
 * word layouts are derived from these (src/contract/isa.ts).
 */
export type Instr =
  | Of<'load', 'dram' | 'stride' | 'addr' | 'rows' | 'cols', 'toAcc'>
  | Of<'gemm', 'a' | 'b' | 'c' | 'm' | 'k' | 'n' | 'lda' | 'ldb' | 'ldc', 'accumulate'>
  | Of<'store', 'dram' | 'stride' | 'addr' | 'rows' | 'cols' | 'scale', 'relu'>;
/** An instruction record: its kind, its number fields and its flag. */
type Of<K extends string, N extends string, F extends string> = Readonly<
  { kind: K } & Record<N, number> & Record<F, boolean>
>;

/** A local memory of `bytes`-wide elements: its data (empty when timing only), sizes, spec index. */
function memory(spec: Spec, name: string, bytes: 1 | 4, functional: boolean) {
  const { capacityBytes, rowBytes } = spec.memories[name];
  const size = capacityBytes / bytes;
  const data = new (bytes === 1 ? Int8Array : Int32Array)(functional ? size : 0);
  const index = Object.keys(spec.memories).indexOf(name);
  return { data, bytes, size, row: rowBytes / bytes, index };
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

/** Where load and store meet DRAM: the DRAM address, its row stride, the on-chip address. */
const transfer = {
  dram: uint('rs1', 31, 0, 'address'),
  stride: uint('rs1', 47, 32),
  addr: uint('rs1', 63, 48),
};

const decls: IsaDecls<Instr, ToyMachine> = {
  load: {
    cName: 'toy_load',
    op: { funct: 0, name: 'load' },
    fields: {
      ...transfer,
      rows: uint('rs2', 15, 0),
      cols: uint('rs2', 31, 16),
      toAcc: flag('rs2', 32),
    },
    execute(i, m) {
      const to = i.toAcc ? m.acc : m.buffer;
      rowsOf(to, i.addr, i.rows, i.cols);
      for (let r = 0; r < i.rows; r++) {
        checkAccess(m.dram, i.dram + r * i.stride, to.bytes * i.cols);
        for (let c = 0; m.functional && c < i.cols; c++) {
          const at = i.dram + r * i.stride + to.bytes * c;
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
      d.dramReadBytes = to.bytes * i.cols * (i.stride === 0 ? 1 : i.rows);
      addWrite(d, to.index, ...rowsOf(to, i.addr, i.rows, i.cols));
    },
  },
  gemm: {
    cName: 'toy_gemm',
    op: { funct: 1, name: 'gemm' },
    fields: {
      a: uint('rs1', 15, 0),
      b: uint('rs1', 31, 16),
      c: uint('rs1', 47, 32),
      m: uint('rs1', 63, 48),
      k: uint('rs2', 5, 0),
      n: uint('rs2', 11, 6),
      accumulate: flag('rs2', 12),
      lda: uint('rs2', 31, 16),
      ldb: uint('rs2', 47, 32),
      ldc: uint('rs2', 63, 48),
    },
    execute(i, m) {
      if (i.k > m.dim || i.n > m.dim) fault(`gemm: a ${i.k}×${i.n} block exceeds the array`);
      rowsOf(m.buffer, i.a, i.m, i.k, i.lda);
      rowsOf(m.buffer, i.b, i.k, i.n, i.ldb);
      rowsOf(m.acc, i.c, i.m, i.n, i.ldc);
      const { buffer, acc } = m;
      for (let r = 0; m.functional && r < i.m; r++) {
        for (let j = 0; j < i.n; j++) {
          let sum = i.accumulate ? acc.data[i.c + r * i.ldc + j] : 0;
          for (let x = 0; x < i.k; x++) {
            sum = (sum + buffer.data[i.a + r * i.lda + x] * buffer.data[i.b + x * i.ldb + j]) | 0;
          }
          acc.data[i.c + r * i.ldc + j] = sum;
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
    cName: 'toy_store',
    op: { funct: 2, name: 'store' },
    fields: {
      ...transfer,
      rows: uint('rs2', 14, 0),
      relu: flag('rs2', 15),
      cols: uint('rs2', 31, 16),
      scale: uint('rs2', 63, 32, 'f32'),
    },
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

export const isa = isaTable(decls);
export const toyCEncoding = cEncoding(decls);
