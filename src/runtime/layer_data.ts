import { referenceConv } from '../reference/conv.js';
import { referenceGemm } from '../reference/gemm.js';
import { nearestShiftScale } from '../reference/requantize.js';
import type { RequantScale } from '../spec/spec.js';
import { seededRandom } from '../numeric/numeric.js';
import { tensorBytes } from '../workload/shape.js';
import type { Workload } from '../workload/workload.js';

/** The data of one layer in the workload's DRAM layouts (workload.ts). */
export interface LayerData {
  readonly input: Int8Array;
  readonly weight: Int8Array;
  readonly bias: Int32Array | null;
  readonly scale: number;
  /** How the target applies the scale (its spec's `requantization.scale`); float32 when absent. */
  readonly requant?: RequantScale;
}

/**
 * Seeded random int8 input and weights, an int32 bias of the size real layers have, and a scale that
 * maps the typical accumulator range onto int8 (so outputs are neither all zero nor all saturated); for
 * a shift-only target, the nearest power of two.
 */
export function randomLayerData(
  w: Workload,
  seed: number,
  requant: RequantScale = 'float32',
): LayerData {
  const next = seededRandom(seed);
  const bytes = tensorBytes(w);
  const int8 = (n: number): Int8Array => Int8Array.from({ length: n }, () => (next() & 0xff) - 128);
  const input = int8(bytes.input);
  const weight = int8(bytes.weight);
  const channels = w.kind === 'gemm' ? w.N : w.K;
  const depth = w.kind === 'gemm' ? w.K : (w.C / w.groups) * w.R * w.S;
  const spread = Math.max(1, Math.round(Math.sqrt(depth) * 74 * 74));
  const bias = w.bias
    ? Int32Array.from({ length: channels }, () => (next() % (2 * spread)) - spread)
    : null;
  const fp32 = Math.fround(127 / (3 * spread));
  const scale = requant === 'float32' ? fp32 : nearestShiftScale(fp32);
  return { input, weight, bias, scale, requant };
}

/**
 * Worst-case int8 data: every input −128, and the weights of even output channels −128 (each product
 * +16384, the largest), of odd ones +127 (each product −16256, the most negative). Every partial sum
 * of every output, in whatever order and grouping a program adds its products, then reaches the
 * largest magnitude its terms allow, so a sum that a narrower register would wrap shows up as a wrong
 * output. No bias (zero where the layer has one); the scale maps the full sum onto about ±127.
 */
export function extremeLayerData(w: Workload, requant: RequantScale = 'float32'): LayerData {
  const bytes = tensorBytes(w);
  const channels = w.kind === 'gemm' ? w.N : w.K;
  const depth = w.kind === 'gemm' ? w.K : (w.C / w.groups) * w.R * w.S;
  const input = new Int8Array(bytes.input).fill(-128);
  // Weights are laid out with the output channel innermost (GEMM [K][N], conv [R][S][C/G][K]).
  const weight = Int8Array.from({ length: bytes.weight }, (_, i) =>
    (i % channels) % 2 === 0 ? -128 : 127,
  );
  const bias = w.bias ? new Int32Array(channels) : null;
  const fp32 = Math.fround(127 / (depth * 128 * 128));
  const scale = requant === 'float32' ? fp32 : nearestShiftScale(fp32);
  return { input, weight, bias, scale, requant };
}

/** The data `--verify` runs: seeded random data, worst-case data, or both. */
export const verifyDataKinds = ['random', 'extreme'] as const;
export type VerifyDataKind = (typeof verifyDataKinds)[number];

export function verifyData(
  w: Workload,
  kind: VerifyDataKind,
  seed: number,
  requant: RequantScale,
): LayerData {
  return kind === 'random' ? randomLayerData(w, seed, requant) : extremeLayerData(w, requant);
}

/** The plain integer reference output of a layer. */
export function referenceOutput(w: Workload, d: LayerData): Int8Array {
  if (w.kind === 'gemm') {
    return referenceGemm({
      I: w.M,
      J: w.N,
      K: w.K,
      a: d.input,
      b: d.weight,
      bias: d.bias,
      scale: d.scale,
      requant: d.requant,
      relu: w.activation === 'relu',
    });
  }
  return referenceConv({
    workload: w,
    input: d.input,
    weight: d.weight,
    bias: d.bias,
    scale: d.scale,
    requant: d.requant,
  });
}
