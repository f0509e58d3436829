import { describe, expect, it } from 'vitest';
import { SimulationError } from '../../../src/errors.js';
import { allocate, createDram, readInt8, writeInt32, writeInt8 } from '../../../src/sim/dram.js';
import { simulate } from '../../../src/runtime/simulate.js';
import { vta } from './presets.js';
import { encodeUop, vtaConfig, type Instr } from '../../../src/targets/vta/instr.js';
import { aluOp, hazard } from '../../../src/targets/vta/semantics.js';

type Flags = Partial<Record<'popPrev' | 'popNext' | 'pushPrev' | 'pushNext', boolean>>;
const flags = { popPrev: false, popNext: false, pushPrev: false, pushNext: false };
const cfg = vtaConfig(vta.spec);

const load = (memType: number, f: Record<string, number>, fl: Flags = {}): Instr => ({
  kind: 'load',
  ...flags,
  memType,
  sramBase: 0,
  dramBase: 0,
  ySize: 1,
  xSize: 0,
  xStride: 0,
  yPad0: 0,
  yPad1: 0,
  xPad0: 0,
  xPad1: 0,
  ...f,
  ...fl,
});
const store = (f: Record<string, number>, fl: Flags = {}): Instr => ({
  ...(load(4, f, fl) as Extract<Instr, { kind: 'load' }>),
  kind: 'store',
});
const gemm = (f: Record<string, number | boolean>, fl: Flags = {}): Instr =>
  ({
    kind: 'gemm',
    ...flags,
    reset: false,
    uopBgn: 0,
    uopEnd: 1,
    iterOut: 1,
    iterIn: 1,
    accOut: 0,
    accIn: 0,
    inpOut: 0,
    inpIn: 0,
    wgtOut: 0,
    wgtIn: 0,
    ...f,
    ...fl,
  }) as Instr;
const alu = (op: number, imm: number, f: Record<string, number | boolean>, fl: Flags = {}): Instr =>
  ({
    kind: 'alu',
    ...flags,
    reset: false,
    uopBgn: 0,
    uopEnd: 1,
    iterOut: 1,
    iterIn: 1,
    dstOut: 0,
    dstIn: 0,
    srcOut: 0,
    srcIn: 0,
    aluOp: op,
    useImm: true,
    imm,
    ...f,
    ...fl,
  }) as Instr;
const finish: Instr = { kind: 'finish', ...flags };
const nopC = (fl: Flags): Instr => load(0, { xSize: 0 }, fl);

/** The one-tile example of docs/vta.md §4: C[2×16] = (A[2×32]·Wᵀ + bias) >> 2, clipped. */
function example(): {
  dram: ReturnType<typeof createDram>;
  stream: Instr[];
  out: number;
  want: Int8Array;
} {
  const dram = createDram();
  const A = Int8Array.from({ length: 64 }, (_, i) => ((i * 37) % 251) - 125);
  const W = Int8Array.from({ length: 2 * 256 }, (_, i) => ((i * 53) % 241) - 120);
  const bias = Int32Array.from({ length: 16 }, (_, o) => o * 100 - 800);
  const a = allocate(dram, 'A', 64, 256);
  const w = allocate(dram, 'W', 512, 256);
  const b = allocate(dram, 'bias', 3 * 64, 256);
  const u = allocate(dram, 'uop', 12, 256);
  const out = allocate(dram, 'C', 32, 256);
  // INP entries [m][kblk]: A[m][kb·16 + k] is already in that order; WGT: W[kb][o][k] (two blocks).
  writeInt8(dram, a, A);
  writeInt8(dram, w, W);
  writeInt32(dram, b + 128, bias); // ACC entry 2 of the bias load
  const uops = [
    { dst: 0, src: 0, wgt: 0 },
    { dst: 0, src: 2, wgt: 0 },
    { dst: 0, src: 0, wgt: 0 },
  ].map((x) => encodeUop(cfg, x));
  writeInt32(dram, u, Int32Array.from(uops));
  const loops = { iterOut: 1, iterIn: 2, dstIn: 1, uopBgn: 2, uopEnd: 3 };
  const stream: Instr[] = [
    load(2, { dramBase: a / 16, xSize: 4, xStride: 4 }),
    load(1, { dramBase: w / 256, xSize: 2, xStride: 2 }, { pushNext: true }),
    load(0, { dramBase: u / 4, xSize: 3, xStride: 3 }, { popPrev: true }),
    load(3, { sramBase: 2, dramBase: b / 64 + 2, xSize: 1, xStride: 1 }),
    gemm({ reset: true, uopBgn: 2, uopEnd: 3, iterIn: 2, accIn: 1 }),
    gemm({ iterOut: 2, inpOut: 1, wgtOut: 1, iterIn: 2, accIn: 1, inpIn: 2 }),
    alu(2, 0, { uopBgn: 1, uopEnd: 2, iterIn: 2, dstIn: 1, useImm: false }),
    alu(3, 2, loops),
    alu(0, 127, loops),
    alu(1, -128, loops, { pushNext: true }),
    store({ dramBase: out / 16, xSize: 2, xStride: 2 }, { popPrev: true, pushPrev: true }),
    load(2, { xSize: 0 }, { pushNext: true }),
    nopC({ popPrev: true, popNext: true }),
    finish,
  ];
  const want = new Int8Array(32);
  for (let m = 0; m < 2; m++)
    for (let o = 0; o < 16; o++) {
      let sum = bias[o];
      for (let k = 0; k < 32; k++)
        sum += A[m * 32 + k] * W[(Math.floor(k / 16) * 16 + o) * 16 + (k % 16)];
      want[m * 16 + o] = Math.max(-128, Math.min(127, sum >> 2));
    }
  return { dram, stream, out, want };
}

describe('VTA semantics', () => {
  it('runs the docs/vta.md §4 example stream bit-exact', () => {
    const { dram, stream, out, want } = example();
    simulate(vta, stream, dram, { functional: true });
    expect(readInt8(dram, out, 32)).toEqual(want);
  });

  it('LOAD pads with zeros around the DRAM window; STORE truncates', () => {
    const dram = createDram();
    const src = allocate(dram, 'src', 6 * 16, 256);
    const dst = allocate(dram, 'dst', 12 * 16, 256);
    // Six INP entries, entry e all e+1; a 2×3 window with stride 3 and pads (1,0,1,1): 3×5 block.
    writeInt8(
      dram,
      src,
      Int8Array.from({ length: 96 }, (_, i) => Math.floor(i / 16) + 1),
    );
    const { machine } = simulate(
      vta,
      [
        load(2, {
          dramBase: src / 16,
          ySize: 2,
          xSize: 3,
          xStride: 3,
          yPad0: 1,
          xPad0: 1,
          xPad1: 1,
        }),
        finish,
      ],
      dram,
      { functional: true },
    );
    const firstLane = Array.from({ length: 15 }, (_, e) => machine.inp[e * 16]);
    expect(firstLane).toEqual([0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0]);
    // STORE is two's-complement truncation: 300 → 44, 128 → −128, −129 → 127.
    const run = vta.createMachine(dram, true);
    run.acc.set([300, 128, -129], 0);
    const s = store({ dramBase: dst / 16, xSize: 1, xStride: 1 });
    vta.isa.store.execute(s as never, run);
    expect(Array.from(readInt8(dram, dst, 3))).toEqual([44, -128, 127]);
  });

  it('ALU ops: signed min/max, wrapping add, arithmetic and negative shifts, MUL', () => {
    expect(aluOp(0, -5, 3)).toBe(-5);
    expect(aluOp(1, -5, 3)).toBe(3);
    expect(aluOp(2, 2147483647, 1)).toBe(-2147483648);
    expect(aluOp(3, -9, 2)).toBe(-3);
    expect(aluOp(3, 3, -2)).toBe(12);
    expect(aluOp(4, 65536, 65536)).toBe(0);
    expect(() => aluOp(3, 1, 32)).toThrow('SHR by 32');
  });
});

describe('VTA dependency tokens', () => {
  const run = (edit: (s: Instr[]) => Instr[]) => () => {
    const { dram, stream } = example();
    simulate(vta, edit(stream), dram, { functional: true });
  };
  const drop = (i: number, f: keyof Flags) => (s: Instr[]) =>
    s.map((x, k) => (k === i ? { ...x, [f]: false } : x));

  it('a missing push is a deadlock, reported and not hung on', () => {
    expect(run(drop(1, 'pushNext'))).toThrow(SimulationError);
    expect(run(drop(1, 'pushNext'))).toThrow(
      'deadlock: the compute module waits forever for a load→compute token',
    );
  });

  it('a missing pop leaves a token behind', () => {
    expect(run(drop(10, 'popPrev'))).toThrow(
      'token leak: pushed but never popped: 1 compute→store',
    );
  });

  it('a missing FINISH is an error', () => {
    expect(run((s) => s.slice(0, -1))).toThrow('missing FINISH');
  });

  it('nothing may run after FINISH (fsim stops there)', () => {
    expect(run((s) => [...s, load(2, { xSize: 0 })])).toThrow('runs after FINISH');
  });

  it('a flag the module has no queue for must be 0', () => {
    const bad = (s: Instr[]) => [{ ...s[0], popPrev: true } as Instr, ...s.slice(1)];
    expect(run(bad)).toThrow('popPrev must be 0 on the load module');
  });

  it('a missing WAR token lets a load overwrite data compute has not read: wrong results', () => {
    // Two tiles, one INP buffer: the second LOAD INP must wait for compute (pop C→L).
    const { dram, stream, out, want } = example();
    const second = stream.map((x) => x);
    // Overwrite INP right after the first push, without waiting for compute: compute then reads it.
    second.splice(2, 0, load(2, { dramBase: 0, xSize: 0 }), {
      ...(stream[0] as object),
      dramBase: (stream[1] as { dramBase: number }).dramBase * 16,
    } as Instr);
    simulate(vta, second, dram, { functional: true });
    expect(readInt8(dram, out, 32)).not.toEqual(want);
  });
});

/**
 * The accumulator hazard, as the public record has it. tvm-vta hardware/xilinx/src/vta.cc pipelines
 * GEMM's loop over [uop_bgn, uop_end) at II=1 and declares `HLS DEPENDENCE variable=acc_mem inter
 * false` ("necessary to obtain II=1"): the tool inserts no stall, so a uop that reads an ACC entry
 * an earlier uop of the pass has not yet written back adds to the old value and one update is lost.
 * The TVM runtime (vta/runtime/runtime.cc, UopKernel::VerifyDep, "we don't write to the same acc_mem
 * index two cycles in a row") refuses a kernel whose uop writes the dst of either of the two uops
 * before it; it checks within a kernel, not across loop iterations, and for ALU kernels too. The
 * pipelined Chisel GEMM (TensorGemm.scala) forwards a write only to the uop right after it. fsim
 * models none of this, so our simulator faults where the HLS hardware would lose an update: docs/vta.md
 * §3 says "no hazard check", and the pragma removes the stall, so it is corruption, not a slowdown.
 */
describe('VTA accumulator hazard', () => {
  const run = (dsts: number[], functional: boolean) => () => {
    const dram = createDram();
    const u = allocate(dram, 'uop', 4 * dsts.length, 256);
    const words = dsts.map((dst, k) => encodeUop(cfg, { dst, src: k, wgt: 0 }));
    writeInt32(dram, u, Int32Array.from(words));
    const stream: Instr[] = [
      load(0, { dramBase: u / 4, xSize: dsts.length, xStride: dsts.length }),
      gemm({ uopBgn: 0, uopEnd: dsts.length, iterIn: 2, accIn: 8 }),
      finish,
    ];
    simulate(vta, stream, dram, { functional });
  };

  it('a uop that writes the entry of the uop before it, or the one before that, faults', () => {
    for (const functional of [true, false]) {
      expect(run([0, 0], functional)).toThrow('ACC hazard: micro-op 1 writes ACC entry 0');
      expect(run([0, 1, 0], functional)).toThrow('ACC hazard: micro-op 2 writes ACC entry 0');
      // Three apart is fine, and so is the same uop again in the next loop iteration.
      expect(run([0, 1, 2, 0], functional)).not.toThrow();
      expect(run([5], functional)).not.toThrow();
    }
  });

  it('hazard() looks only inside [bgn, end)', () => {
    const dst = Int32Array.from([3, 3, 4, 3]);
    expect(hazard(dst, 0, 4)).toBe(1);
    expect(hazard(dst, 1, 3)).toBe(-1);
    expect(hazard(dst, 1, 4)).toBe(3);
  });
});
