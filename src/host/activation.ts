import { float32Data, type HostTensor } from './host_tensor.js';

/** The unary float ops: one scalar function each. */
export type UnaryOp = 'Relu' | 'Sigmoid' | 'Tanh' | 'Erf' | 'Sqrt' | 'HardSwish' | 'Identity';

/** erf to ~1e-15 relative: Maclaurin series for |x| < 2.5, continued fraction of erfc above. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let k = 1; k < 60; k++) {
      term *= -x2 / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), evaluated backwards.
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

const unaryFns: Readonly<Record<UnaryOp, (x: number) => number>> = {
  Relu: (x) => (x > 0 ? x : 0),
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Tanh: Math.tanh,
  Erf: erf,
  Sqrt: Math.sqrt,
  HardSwish: (x) => x * Math.min(1, Math.max(0, x / 6 + 0.5)),
  Identity: (x) => x,
};

function mapF32(x: HostTensor, fn: (v: number) => number, what: string): HostTensor {
  const src = float32Data(x, what);
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = fn(src[i]);
  return { dtype: 'float32', shape: x.shape, data: out };
}

export function unary(op: UnaryOp, x: HostTensor): HostTensor {
  return mapF32(x, unaryFns[op], `${op} input`);
}

/** Clip to [min, max]; an absent bound does not clip. */
export function clip(x: HostTensor, min: number | undefined, max: number | undefined): HostTensor {
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  return mapF32(x, (v) => (v < lo ? lo : v > hi ? hi : v), 'Clip input');
}

/** max(0, min(1, alpha·x + beta)). */
export function hardSigmoid(x: HostTensor, alpha: number, beta: number): HostTensor {
  return mapF32(x, (v) => Math.max(0, Math.min(1, alpha * v + beta)), 'HardSigmoid input');
}
