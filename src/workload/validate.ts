import { InputError } from '../errors.js';
import { convOutputSize } from './shape.js';
import type { ConvWorkload, Workload } from './workload.js';

/**
 * Checks a workload's shape. Throws one InputError naming the workload and every problem found
 * (`workload "conv x": H must be a positive integer (got 0); groups ...`); returns the workload
 * when it is sound. The output-size check runs only once every field is sound.
 */
export function validateWorkload(w: Workload): Workload {
  const problems = w.kind === 'gemm' ? positive({ M: w.M, N: w.N, K: w.K }) : convProblems(w);
  if (problems.length > 0) {
    throw new InputError(`workload "${w.name}": ${problems.join('; ')}`);
  }
  return w;
}

function isPositiveInt(x: number): boolean {
  return Number.isInteger(x) && x >= 1;
}

function isNonNegativeInt(x: number): boolean {
  return Number.isInteger(x) && x >= 0;
}

function positive(fields: Readonly<Record<string, number>>): string[] {
  return Object.entries(fields)
    .filter(([, v]) => !isPositiveInt(v))
    .map(([k, v]) => `${k} must be a positive integer (got ${v})`);
}

function convProblems(c: ConvWorkload): string[] {
  const sizes = positive({ N: c.N, H: c.H, W: c.W, C: c.C, K: c.K, R: c.R, S: c.S });
  const pads = Object.entries({
    padTop: c.padTop,
    padBottom: c.padBottom,
    padLeft: c.padLeft,
    padRight: c.padRight,
  })
    .filter(([, v]) => !isNonNegativeInt(v))
    .map(([k, v]) => `${k} must be a non-negative integer (got ${v})`);
  const steps = Object.entries({
    strideH: c.strideH,
    strideW: c.strideW,
    dilationH: c.dilationH,
    dilationW: c.dilationW,
  })
    .filter(([, v]) => !isPositiveInt(v))
    .map(([k, v]) => `${k} must be an integer ≥ 1 (got ${v})`);
  const groups = positive({ groups: c.groups });
  const problems = [...sizes, ...pads, ...steps, ...groups];
  const padValue = c.padValue ?? 0;
  if (!Number.isInteger(padValue) || padValue < -128 || padValue > 127) {
    problems.push(`padValue must be an int8 (an integer from -128 to 127; got ${padValue})`);
  }
  if (groups.length === 0) {
    if (isPositiveInt(c.C) && c.C % c.groups !== 0) {
      problems.push(`C = ${c.C} is not divisible by groups = ${c.groups}`);
    }
    if (isPositiveInt(c.K) && c.K % c.groups !== 0) {
      problems.push(`K = ${c.K} is not divisible by groups = ${c.groups}`);
    }
  }
  if (problems.length > 0) return problems;
  const { P, Q } = convOutputSize(c);
  if (P < 1) {
    const span = c.dilationH * (c.R - 1) + 1;
    const padded = c.H + c.padTop + c.padBottom;
    problems.push(`kernel height ${span} (R = ${c.R}) exceeds the padded input height ${padded}`);
  }
  if (Q < 1) {
    const span = c.dilationW * (c.S - 1) + 1;
    const padded = c.W + c.padLeft + c.padRight;
    problems.push(`kernel width ${span} (S = ${c.S}) exceeds the padded input width ${padded}`);
  }
  return problems;
}
