import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { vta, vtaB32, vtaZcu104 } from './presets.js';
import { decodeUop, encodeUop, vtaConfig, type Instr } from '../../../src/targets/vta/instr.js';

const flags = { popPrev: false, popNext: false, pushPrev: false, pushNext: false };
const hex = (x: bigint): string => `0x${x.toString(16)}`;

describe('VTA encoding: golden words worked out by hand from docs/vta.md §3', () => {
  it('LOAD INP with padding', () => {
    const i: Instr = {
      kind: 'load',
      ...flags,
      pushNext: true,
      memType: 2,
      sramBase: 5,
      dramBase: 0x40,
      ySize: 2,
      xSize: 4,
      xStride: 8,
      yPad0: 1,
      yPad1: 0,
      xPad0: 2,
      xPad1: 3,
    };
    // bits 63:0: opcode 0; push_next bit 6 = 0x40; memory_type 2 << 7 = 0x100; sram_base 5 << 10 =
    // 0x1400; dram_base 0x40 << 26 = 2^32 → 0x1_0000_1540.
    // bits 127:64: y_size 2; x_size 4 << 16 = 0x4_0000; x_stride 8 << 32; y_pad_0 1 << 48;
    // x_pad_0 2 << 56; x_pad_1 3 << 60 → 0x3201_0008_0004_0002.
    const w = vta.isa.load.encode(i as Extract<Instr, { kind: 'load' }>);
    expect(w.funct).toBe(0);
    expect(hex(w.rs1)).toBe('0x100001540');
    expect(hex(w.rs2)).toBe('0x3201000800040002');
    expect(vta.decode(w)).toEqual(i);
  });

  it('GEMM of the docs/vta.md §4 example (row 5, with pop_prev)', () => {
    const i = {
      kind: 'gemm' as const,
      ...flags,
      popPrev: true,
      reset: false,
      uopBgn: 0,
      uopEnd: 1,
      iterOut: 2,
      iterIn: 2,
      accOut: 0,
      accIn: 1,
      inpOut: 1,
      inpIn: 2,
      wgtOut: 1,
      wgtIn: 0,
    };
    // bits 63:0: opcode 2; pop_prev bit 3 = 0x8; uop_end 1 << 21 = 0x20_0000; iter_out 2 << 35 =
    // 0x10_0000_0000; iter_in 2 << 49 = 0x4_0000_0000_0000 → 0x4_0010_0020_000a.
    // bits 127:64 (acc factors move to bit 64, 11 bits each; inp 11; wgt 10): acc_in 1 << 11 = 0x800;
    // inp_out 1 << 22 = 0x40_0000; inp_in 2 << 33 = 0x4_0000_0000; wgt_out 1 << 44 → 0x1004_0040_0800.
    const w = vta.isa.gemm.encode(i);
    expect(w.funct).toBe(2);
    expect(hex(w.rs1)).toBe('0x400100020000a');
    expect(hex(w.rs2)).toBe('0x100400400800');
    expect(vta.decode(w)).toEqual(i);
  });

  it('ALU MAX with a negative immediate', () => {
    const i = {
      kind: 'alu' as const,
      ...flags,
      pushNext: true,
      reset: false,
      uopBgn: 2,
      uopEnd: 3,
      iterOut: 1,
      iterIn: 2,
      dstOut: 0,
      dstIn: 1,
      srcOut: 0,
      srcIn: 0,
      aluOp: 1,
      useImm: true,
      imm: -128,
    };
    // bits 63:0: opcode 4; push_next 0x40; uop_bgn 2 << 8 = 0x200; uop_end 3 << 21 = 0x60_0000;
    // iter_out 1 << 35 = 0x8_0000_0000; iter_in 2 << 49 → 0x4_0008_0060_0244.
    // bits 127:64: dst_in 1 << 11 = 0x800; alu_opcode 1 << 44; use_imm 1 << 47; imm −128 = 0xff80
    // << 48 → 0xff80_9000_0000_0800.
    const w = vta.isa.alu.encode(i);
    expect(hex(w.rs1)).toBe('0x4000800600244');
    expect(hex(w.rs2)).toBe('0xff80900000000800');
    expect(vta.decode(w)).toEqual(i);
    // The immediate is sign-extended on decode: 0x9c40 is −25536.
    const neg = vta.decode({
      funct: 4,
      rs1: w.rs1,
      rs2: (w.rs2 & 0xffffffffffffn) | (0x9c40n << 48n),
    });
    expect(neg).toMatchObject({ imm: -25536 });
  });

  it('FINISH is opcode 3 and nothing else', () => {
    const w = vta.isa.finish.encode({ kind: 'finish', ...flags });
    expect([w.funct, w.rs1, w.rs2]).toEqual([3, 3n, 0n]);
  });

  it('a micro-op: dst [10:0], src [21:11], wgt [31:22]', () => {
    const cfg = vtaConfig(vta.spec);
    // 5 + 3·2^11 + 2·2^22 = 5 + 6144 + 8388608 = 0x801805.
    expect(encodeUop(cfg, { dst: 5, src: 3, wgt: 2 })).toBe(0x801805);
    expect(decodeUop(cfg, 0x801805)).toEqual({ dst: 5, src: 3, wgt: 2 });
  });

  it('field widths follow the configuration: BLOCK 32 has 512 weight entries (9 bits)', () => {
    const cfg = vtaConfig(vtaB32.spec);
    expect(cfg.depth).toEqual({ inp: 2048, wgt: 512, acc: 2048, uop: 8192 });
    expect(cfg.uop.map((f) => [f.name, f.lo, f.bits])).toEqual([
      ['dst', 0, 11],
      ['src', 11, 11],
      ['wgt', 22, 9],
    ]);
    // wgt_factor_in: 64 + 11·4 + 9 = 117 → bit 53 of rs2.
    const gemm = cfg.insn.gemm.find((f) => f.name === 'wgtIn');
    expect(gemm).toMatchObject({ lo: 117, bits: 9 });
    expect(encodeUop(cfg, { dst: 0, src: 0, wgt: 511 })).toBe(511 * 2 ** 22);
    expect(() => encodeUop(cfg, { dst: 0, src: 0, wgt: 512 })).toThrow('field wgt');
    // The default configuration's layout is docs/vta.md's table.
    const def = vtaConfig(vta.spec).insn.alu.map((f) => `${f.name}@${f.lo}`);
    expect(def.slice(-7)).toEqual([
      'dstOut@64',
      'dstIn@75',
      'srcOut@86',
      'srcIn@97',
      'aluOp@108',
      'useImm@111',
      'imm@112',
    ]);
  });
});

describe('VTA encoding: every instruction round-trips on every preset', () => {
  const bool = fc.boolean();
  for (const t of [vta, vtaZcu104, vtaB32]) {
    const cfg = vtaConfig(t.spec);
    const arb = (kind: Instr['kind']) => {
      const rec: Record<string, fc.Arbitrary<unknown>> = {};
      for (const f of cfg.insn[kind]) {
        if (f.name === 'opcode') continue;
        rec[f.name] =
          f.bits === 1 && f.name !== 'memType'
            ? bool
            : f.signed
              ? fc.integer({ min: -(2 ** (f.bits - 1)), max: 2 ** (f.bits - 1) - 1 })
              : fc.integer({ min: 0, max: 2 ** f.bits - 1 });
      }
      return fc.record(rec).map((r) => ({ kind, ...r }) as Instr);
    };
    it(`${t.name}: encode → decode is the identity`, () => {
      for (const kind of ['load', 'store', 'gemm', 'alu', 'finish'] as const) {
        fc.assert(
          fc.property(arb(kind), (i) => {
            const w = (t.isa[kind].encode as (x: Instr) => ReturnType<typeof t.decode> & never)(i);
            expect(t.decode(w)).toEqual(i);
          }),
          { numRuns: 200 },
        );
      }
    });
  }
});
