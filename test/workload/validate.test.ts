import { convWorkload } from '../fixtures/workloads.js';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { validateWorkload } from '../../src/workload/validate.js';
import type { ConvWorkload, GemmWorkload } from '../../src/workload/workload.js';

const gemm: GemmWorkload = {
  kind: 'gemm',
  name: 'fc',
  M: 1,
  N: 1000,
  K: 2048,
  bias: true,
  requant: 'per-tensor',
  activation: 'none',
};

const conv: ConvWorkload = convWorkload({ name: 'c1', C: 4, K: 8 });

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message;
  }
  throw new Error('expected an InputError');
}

describe('validateWorkload', () => {
  it('returns a sound workload unchanged', () => {
    expect(validateWorkload(gemm)).toBe(gemm);
    expect(validateWorkload(conv)).toBe(conv);
    const depthwise = { ...conv, C: 8, K: 8, groups: 8 };
    expect(validateWorkload(depthwise)).toBe(depthwise);
  });

  it('takes a pad value that is an int8, and names one that is not', () => {
    const zp = { ...conv, padValue: -128 };
    expect(validateWorkload(zp)).toBe(zp);
    expect(message(() => validateWorkload({ ...conv, padValue: 128 }))).toBe(
      'workload "c1": padValue must be an int8 (an integer from -128 to 127; got 128)',
    );
  });

  it('accepts a kernel exactly as large as the padded input', () => {
    const exact = { ...conv, H: 1, W: 1, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1 };
    expect(validateWorkload(exact)).toBe(exact);
  });

  it.each([
    [{ M: 0 }, 'workload "fc": M must be a positive integer (got 0)'],
    [{ N: -3 }, 'workload "fc": N must be a positive integer (got -3)'],
    [{ K: 1.5 }, 'workload "fc": K must be a positive integer (got 1.5)'],
    [{ M: NaN }, 'workload "fc": M must be a positive integer (got NaN)'],
  ])('GEMM %o', (patch, want) => {
    const bad: GemmWorkload = { ...gemm, ...patch };
    expect(message(() => validateWorkload(bad))).toBe(want);
  });

  it.each([
    [{ H: 0 }, 'H must be a positive integer (got 0)'],
    [{ C: 2.5 }, 'C must be a positive integer (got 2.5)'],
    [{ R: -1 }, 'R must be a positive integer (got -1)'],
    [{ N: 0 }, 'N must be a positive integer (got 0)'],
    [{ padLeft: -1 }, 'padLeft must be a non-negative integer (got -1)'],
    [{ padBottom: 0.5 }, 'padBottom must be a non-negative integer (got 0.5)'],
    [{ strideH: 0 }, 'strideH must be an integer ≥ 1 (got 0)'],
    [{ dilationW: 0 }, 'dilationW must be an integer ≥ 1 (got 0)'],
    [{ groups: 0 }, 'groups must be a positive integer (got 0)'],
    [{ groups: 3 }, 'C = 4 is not divisible by groups = 3; K = 8 is not divisible by groups = 3'],
    [{ C: 8, K: 12, groups: 8 }, 'K = 12 is not divisible by groups = 8'],
    [
      { H: 2, padTop: 0, padBottom: 0 },
      'kernel height 3 (R = 3) exceeds the padded input height 2',
    ],
    [
      { W: 4, dilationW: 3, padLeft: 0, padRight: 1 },
      'kernel width 7 (S = 3) exceeds the padded input width 5',
    ],
  ])('conv %o', (patch, want) => {
    const bad: ConvWorkload = { ...conv, ...patch };
    expect(message(() => validateWorkload(bad))).toBe(`workload "c1": ${want}`);
  });

  it('lists every bad field at once', () => {
    const bad: ConvWorkload = { ...conv, H: 0, padTop: -2, strideW: 0 };
    expect(message(() => validateWorkload(bad))).toBe(
      'workload "c1": H must be a positive integer (got 0); ' +
        'padTop must be a non-negative integer (got -2); strideW must be an integer ≥ 1 (got 0)',
    );
  });

  it('checks the output size only once the fields are sound', () => {
    const bad: ConvWorkload = { ...conv, H: 1, padTop: 0, padBottom: 0, strideH: 0 };
    expect(message(() => validateWorkload(bad))).toBe(
      'workload "c1": strideH must be an integer ≥ 1 (got 0)',
    );
  });
});
