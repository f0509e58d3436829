import { z } from 'zod';
import { InputError } from '../errors.js';
import { activations, type Activation } from '../spec/spec.js';
import { validateWorkload } from './validate.js';
import type { ConvWorkload, GemmWorkload, Workload } from './workload.js';

/**
 * Parsers at the boundary: the CLI's shape arguments (`--gemm 128,768,768`,
 * `--conv N=1,H=56,...`) and workload JSON. Each throws InputError naming the bad key or value and
 * returns a validated workload.
 */

/** What a shape string does not say. Defaults: bias, per-tensor requantization, no activation. */
export interface ShapeOptions {
  readonly name?: string;
  readonly bias?: boolean;
  readonly requant?: 'per-tensor' | 'per-channel';
  readonly activation?: Activation;
}

const decimalText = /^[0-9]+(\.[0-9]+)?([eE]\+?[0-9]+)?$/;

/**
 * A number as every CLI flag and shape takes it: decimal digits, optionally a fraction and an
 * exponent (`1000`, `0.5`, `1e12`); NaN for anything else (signs, hex, spaces, `Infinity`).
 */
export function decimalNumber(text: string): number {
  return decimalText.test(text) ? Number(text) : NaN;
}

function parseCount(text: string, key: string, where: string, allowZero: boolean): number {
  const value = decimalNumber(text);
  if (!Number.isSafeInteger(value) || (!allowZero && value === 0)) {
    const kind = allowZero ? 'a non-negative integer' : 'a positive integer';
    throw new InputError(`${where}: ${key} must be ${kind}, got "${text}"`);
  }
  return value;
}

/** "M,N,K" → a GEMM `gemm MxNxK`: A [M][K] × B [K][N]. */
export function parseGemm(text: string, opts: ShapeOptions = {}): GemmWorkload {
  const where = `gemm shape "${text}"`;
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 3) {
    throw new InputError(`${where}: expected three comma-separated sizes M,N,K`);
  }
  const [M, N, K] = (['M', 'N', 'K'] as const).map((key, i) =>
    parseCount(parts[i], key, where, false),
  );
  const w: GemmWorkload = {
    kind: 'gemm',
    name: opts.name ?? `gemm ${M}x${N}x${K}`,
    M,
    N,
    K,
    bias: opts.bias ?? true,
    requant: opts.requant ?? 'per-tensor',
    activation: opts.activation ?? 'none',
  };
  validateWorkload(w);
  return w;
}

/** Keys a conv shape string accepts; pads may be 0, everything else must be positive. */
const convKeys = [
  'N',
  'H',
  'W',
  'C',
  'K',
  'R',
  'S',
  'stride',
  'strideH',
  'strideW',
  'pad',
  'padTop',
  'padBottom',
  'padLeft',
  'padRight',
  'dilation',
  'dilationH',
  'dilationW',
  'groups',
] as const;
type ConvKey = (typeof convKeys)[number];

function isConvKey(key: string): key is ConvKey {
  return (convKeys as readonly string[]).includes(key);
}

function isPadKey(key: ConvKey): boolean {
  return key.startsWith('pad');
}

/** The fields a conv name is built from. */
export type ConvNameFields = Pick<
  ConvWorkload,
  | 'N'
  | 'H'
  | 'W'
  | 'C'
  | 'K'
  | 'R'
  | 'S'
  | 'strideH'
  | 'strideW'
  | 'dilationH'
  | 'dilationW'
  | 'groups'
>;

function pair(a: number, b: number): string {
  return a === b ? `${a}` : `${a}x${b}`;
}

/** `conv 56x56x64→64 3x3 s1`, plus ` d2` (dilation), ` g32` (groups), ` n8` (batch) when not 1. */
export function convName(c: ConvNameFields): string {
  const base = `conv ${c.H}x${c.W}x${c.C}→${c.K} ${c.R}x${c.S} s${pair(c.strideH, c.strideW)}`;
  const dilation =
    c.dilationH === 1 && c.dilationW === 1 ? '' : ` d${pair(c.dilationH, c.dilationW)}`;
  const groups = c.groups === 1 ? '' : ` g${c.groups}`;
  const batch = c.N === 1 ? '' : ` n${c.N}`;
  return base + dilation + groups + batch;
}

/**
 * "N=1,H=56,W=56,C=64,K=64,R=3,S=3,stride=1,pad=1[,dilation=1][,groups=1]" → a conv. H, W, C, K and
 * R or S are required (R and S default to each other); N defaults to 1, stride and dilation to 1,
 * pad to 0, groups to 1. `pad` sets all four sides; padTop/padBottom/padLeft/padRight,
 * strideH/strideW and dilationH/dilationW override it per side or axis.
 */
export function parseConv(text: string, opts: ShapeOptions = {}): ConvWorkload {
  const where = `conv shape "${text}"`;
  const given = new Map<ConvKey, number>();
  for (const piece of text.split(',').map((p) => p.trim())) {
    const eq = piece.indexOf('=');
    if (eq < 0) throw new InputError(`${where}: expected key=value, got "${piece}"`);
    const key = piece.slice(0, eq).trim();
    if (!isConvKey(key)) {
      throw new InputError(`${where}: unknown key "${key}" (known: ${convKeys.join(', ')})`);
    }
    if (given.has(key)) throw new InputError(`${where}: key "${key}" given twice`);
    given.set(key, parseCount(piece.slice(eq + 1).trim(), key, where, isPadKey(key)));
  }
  const required = (key: ConvKey): number => {
    const v = given.get(key);
    if (v === undefined) throw new InputError(`${where}: missing key "${key}"`);
    return v;
  };
  const either = (key: ConvKey, general: ConvKey, fallback: number): number =>
    given.get(key) ?? given.get(general) ?? fallback;
  const H = required('H');
  const W = required('W');
  const C = required('C');
  const K = required('K');
  const R = given.get('R') ?? given.get('S');
  if (R === undefined) throw new InputError(`${where}: missing key "R" (or "S")`);
  const S = given.get('S') ?? R;
  const fields = {
    N: given.get('N') ?? 1,
    H,
    W,
    C,
    K,
    R,
    S,
    strideH: either('strideH', 'stride', 1),
    strideW: either('strideW', 'stride', 1),
    padTop: either('padTop', 'pad', 0),
    padBottom: either('padBottom', 'pad', 0),
    padLeft: either('padLeft', 'pad', 0),
    padRight: either('padRight', 'pad', 0),
    dilationH: either('dilationH', 'dilation', 1),
    dilationW: either('dilationW', 'dilation', 1),
    groups: given.get('groups') ?? 1,
  };
  const w: ConvWorkload = {
    kind: 'conv',
    name: opts.name ?? convName(fields),
    ...fields,
    bias: opts.bias ?? true,
    requant: opts.requant ?? 'per-tensor',
    activation: opts.activation ?? 'none',
  };
  validateWorkload(w);
  return w;
}

const requantSchema = z.enum(['per-tensor', 'per-channel']);

const gemmSchema = z.strictObject({
  kind: z.literal('gemm'),
  name: z.string().min(1),
  M: z.number(),
  N: z.number(),
  K: z.number(),
  bias: z.boolean(),
  requant: requantSchema,
  activation: z.enum(activations),
});

const convSchema = z.strictObject({
  kind: z.literal('conv'),
  name: z.string().min(1),
  N: z.number(),
  H: z.number(),
  W: z.number(),
  C: z.number(),
  K: z.number(),
  R: z.number(),
  S: z.number(),
  strideH: z.number(),
  strideW: z.number(),
  padTop: z.number(),
  padBottom: z.number(),
  padLeft: z.number(),
  padRight: z.number(),
  padValue: z.number().optional(),
  dilationH: z.number(),
  dilationW: z.number(),
  groups: z.number(),
  bias: z.boolean(),
  requant: requantSchema,
  activation: z.enum(activations),
});

const workloadSchema = z.discriminatedUnion('kind', [gemmSchema, convSchema]);

/**
 * A Workload from parsed JSON (every field spelled out, as workload.ts declares it). `where` names
 * the origin for the error (`workloads/resnet50.json layers[3].workload`).
 */
export function parseWorkloadJson(json: unknown, where: string): Workload {
  const result = workloadSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const path = issue.path.length === 0 ? '' : `${issue.path.map(String).join('.')}: `;
      return path + issue.message;
    });
    throw new InputError(`${where}: ${problems.join('; ')}`);
  }
  return validateWorkload(result.data);
}
