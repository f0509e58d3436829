import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  decimalNumber,
  convName,
  parseConv,
  parseGemm,
  parseWorkloadJson,
} from '../../src/workload/parse.js';
import type { ConvWorkload } from '../../src/workload/workload.js';

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message;
  }
  throw new Error('expected an InputError');
}

describe('parseGemm', () => {
  it('"M,N,K" with the defaults', () => {
    expect(parseGemm('128,3072,768')).toEqual({
      kind: 'gemm',
      name: 'gemm 128x3072x768',
      M: 128,
      N: 3072,
      K: 768,
      bias: true,
      requant: 'per-tensor',
      activation: 'none',
    });
  });

  it('takes sizes as decimal numbers, exponents included, as every CLI number', () => {
    expect(parseGemm('1e3,16,2.5e1')).toMatchObject({ M: 1000, N: 16, K: 25 });
    expect(decimalNumber('1e12')).toBe(1e12);
    for (const bad of ['0x10', '-1', '+1', ' 1', 'Infinity', '', '1e', '.5']) {
      expect(decimalNumber(bad)).toBeNaN();
    }
  });

  it('takes options and tolerates spaces', () => {
    const w = parseGemm(' 1, 1000 ,2048', { activation: 'relu', bias: false, name: 'fc' });
    expect(w).toMatchObject({ name: 'fc', M: 1, N: 1000, K: 2048, bias: false });
    expect(w.activation).toBe('relu');
  });

  it.each([
    ['128,768', 'gemm shape "128,768": expected three comma-separated sizes M,N,K'],
    ['1,2,3,4', 'gemm shape "1,2,3,4": expected three comma-separated sizes M,N,K'],
    ['0,768,768', 'gemm shape "0,768,768": M must be a positive integer, got "0"'],
    ['128,-1,768', 'gemm shape "128,-1,768": N must be a positive integer, got "-1"'],
    ['128,768,7.5', 'gemm shape "128,768,7.5": K must be a positive integer, got "7.5"'],
    ['128,,768', 'gemm shape "128,,768": N must be a positive integer, got ""'],
    ['a,1,1', 'gemm shape "a,1,1": M must be a positive integer, got "a"'],
    ['0x10,1,1', 'gemm shape "0x10,1,1": M must be a positive integer, got "0x10"'],
    ['1e400,1,1', 'gemm shape "1e400,1,1": M must be a positive integer, got "1e400"'],
  ])('%s', (text, want) => {
    expect(message(() => parseGemm(text))).toBe(want);
  });
});

describe('parseConv', () => {
  it('the full form', () => {
    const w = parseConv('N=1,H=56,W=56,C=64,K=64,R=3,S=3,stride=1,pad=1');
    expect(w).toEqual({
      kind: 'conv',
      name: 'conv 56x56x64→64 3x3 s1',
      N: 1,
      H: 56,
      W: 56,
      C: 64,
      K: 64,
      R: 3,
      S: 3,
      strideH: 1,
      strideW: 1,
      padTop: 1,
      padBottom: 1,
      padLeft: 1,
      padRight: 1,
      dilationH: 1,
      dilationW: 1,
      groups: 1,
      bias: true,
      requant: 'per-tensor',
      activation: 'none',
    } satisfies ConvWorkload);
  });

  it('defaults: N = 1, stride 1, pad 0, dilation 1, groups 1; S from R', () => {
    const w = parseConv('H=7,W=7,C=2048,K=512,R=1');
    expect(w).toMatchObject({ N: 1, R: 1, S: 1, strideH: 1, strideW: 1, groups: 1 });
    expect([w.padTop, w.padBottom, w.padLeft, w.padRight]).toEqual([0, 0, 0, 0]);
    expect([w.dilationH, w.dilationW]).toEqual([1, 1]);
    expect(w.name).toBe('conv 7x7x2048→512 1x1 s1');
    expect(parseConv('H=7,W=7,C=1,K=1,S=3').R).toBe(3);
  });

  it('per-side and per-axis overrides win over pad, stride and dilation', () => {
    const w = parseConv(
      'H=9,W=9,C=8,K=8,R=3,S=3,pad=1,padBottom=0,padRight=2,stride=2,strideW=1,' +
        'dilation=2,dilationH=1,groups=8,N=2',
      { activation: 'relu', requant: 'per-channel' },
    );
    expect([w.padTop, w.padBottom, w.padLeft, w.padRight]).toEqual([1, 0, 1, 2]);
    expect([w.strideH, w.strideW, w.dilationH, w.dilationW]).toEqual([2, 1, 1, 2]);
    expect(w).toMatchObject({ N: 2, groups: 8, activation: 'relu', requant: 'per-channel' });
    expect(w.name).toBe('conv 9x9x8→8 3x3 s2x1 d1x2 g8 n2');
  });

  it('ResNet-50 conv1 and a depthwise conv', () => {
    const c1 = parseConv('H=224,W=224,C=3,K=64,R=7,stride=2,pad=3');
    expect(c1.name).toBe('conv 224x224x3→64 7x7 s2');
    const dw = parseConv('H=112,W=112,C=96,K=96,R=3,stride=2,pad=1,groups=96');
    expect(dw.name).toBe('conv 112x112x96→96 3x3 s2 g96');
  });

  const where = (t: string): string => `conv shape "${t}"`;
  it.each([
    ['H=5,W=5,C=1,K=1,R=3,foo=2', 'unknown key "foo" (known: N, H, W, C, K, R, S, stride, '],
    ['H=5,W=5,C=1,K=1,R=3,h=2', 'unknown key "h" (known: '],
    ['W=5,C=1,K=1,R=3', 'missing key "H"'],
    ['H=5,W=5,C=1,R=3', 'missing key "K"'],
    ['H=5,W=5,C=1,K=1', 'missing key "R" (or "S")'],
    ['H=5,W=5,C=1,K=0,R=3', 'K must be a positive integer, got "0"'],
    ['H=5,W=x,C=1,K=1,R=3', 'W must be a positive integer, got "x"'],
    ['H=5,W=5,C=1,K=1,R=3,stride=0', 'stride must be a positive integer, got "0"'],
    ['H=5,W=5,C=1,K=1,R=3,pad=-1', 'pad must be a non-negative integer, got "-1"'],
    ['H=5,W=5,C=1,K=1,R=3,H=6', 'key "H" given twice'],
    ['H=5,W=5,C,K=1,R=3', 'expected key=value, got "C"'],
    ['', 'expected key=value, got ""'],
  ])('%s', (text, want) => {
    expect(message(() => parseConv(text))).toContain(`${where(text)}: ${want}`);
  });

  it('validates the shape it built', () => {
    expect(message(() => parseConv('H=2,W=3,C=1,K=1,R=3'))).toBe(
      'workload "conv 2x3x1→1 3x3 s1": kernel height 3 (R = 3) exceeds the padded input height 2',
    );
    expect(message(() => parseConv('H=4,W=4,C=6,K=4,R=1,groups=4'))).toBe(
      'workload "conv 4x4x6→4 1x1 s1 g4": C = 6 is not divisible by groups = 4',
    );
  });
});

describe('convName', () => {
  it('names batch, groups and dilation only when not 1', () => {
    const c = parseConv('H=8,W=6,C=4,K=4,R=3,S=1,pad=1');
    expect(convName(c)).toBe('conv 8x6x4→4 3x1 s1');
    expect(convName({ ...c, N: 4, dilationH: 2, dilationW: 2 })).toBe('conv 8x6x4→4 3x1 s1 d2 n4');
  });
});

describe('parseWorkloadJson', () => {
  it('round-trips a workload through JSON', () => {
    const w = parseConv('H=14,W=14,C=256,K=256,R=3,pad=1', { activation: 'relu' });
    expect(parseWorkloadJson(JSON.parse(JSON.stringify(w)), 'w.json')).toEqual(w);
    const g = parseGemm('1,1000,2048');
    expect(parseWorkloadJson(JSON.parse(JSON.stringify(g)), 'g.json')).toEqual(g);
  });

  it('names the origin and the bad field paths', () => {
    const g = { ...parseGemm('1,2,3'), activation: 'gelu', extra: 1 };
    const m = message(() => parseWorkloadJson(g, 'net.json layers[2].workload'));
    expect(m).toMatch(/^net\.json layers\[2\]\.workload: /);
    expect(m).toContain('activation: ');
    expect(m).toContain('extra');
    expect(message(() => parseWorkloadJson({ kind: 'pool' }, 'x'))).toMatch(/^x: kind: /);
  });

  it('validates the shape', () => {
    const g = { ...parseGemm('1,2,3'), M: 0 };
    expect(message(() => parseWorkloadJson(g, 'x'))).toBe(
      'workload "gemm 1x2x3": M must be a positive integer (got 0)',
    );
  });
});
