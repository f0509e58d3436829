import { z } from 'zod';
import { InternalError } from '../../errors.js';
import weightsJson from './weights.json' with { type: 'json' };

/**
 * The weights of the extended model's cycle objective (docs/scheduling.md §5), fitted against the
 * simulator by bench/fit-cosa.ts on the RTL-measured layers it reads, and stored in weights.json:
 * - `compute`: cycles per cycle of the cost model's array term;
 * - `dma`: DMA cycles per byte over the DRAM bandwidth (1 = the spec's bandwidth is reached);
 * - `latency`: multiples of the DRAM latency a single-buffered load or store exposes;
 * - `step`: fixed cycles per DRAM step (instruction issue, pipeline fill);
 * - `prologue`: multiples of the first tiles' transfer a double-buffered tensor still waits for.
 */
export interface CosaWeights {
  readonly compute: number;
  readonly dma: number;
  readonly latency: number;
  readonly step: number;
  readonly prologue: number;
}

const weightsSchema = z.object({
  source: z.string(),
  compute: z.number().positive(),
  dma: z.number().positive(),
  latency: z.number().nonnegative(),
  step: z.number().nonnegative(),
  prologue: z.number().nonnegative(),
});

function parseWeights(json: unknown): CosaWeights {
  const r = weightsSchema.safeParse(json);
  if (!r.success) {
    throw new InternalError(`src/schedule/cosa/weights.json: ${r.error.issues[0]?.message}`);
  }
  const { compute, dma, latency, step, prologue } = r.data;
  return { compute, dma, latency, step, prologue };
}

export const fittedWeights: CosaWeights = parseWeights(weightsJson);

/** CoSA's own objective weights (`cosa()` in the CoSA code): −0.1·Util + 10·Comp + 1·Traf. */
export const cosaEvenWeights = { util: 0.1, comp: 10, traffic: 1 } as const;
