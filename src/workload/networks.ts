import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { macs } from './shape.js';
import { parseWorkloadJson } from './parse.js';
import type { Workload } from './workload.js';

/**
 * The networks' layer tables (workloads/*.json at the package root, beside src/ and dist/): one
 * JSON file per network listing each distinct layer once, with how many times it occurs. Loading
 * parses every workload and validates it (validateWorkload). The benchmarks and `gemmforge
 * explore` read them from here.
 */

export const networks = ['resnet50', 'mobilenet_v2', 'bert_base'] as const;
export type NetworkName = (typeof networks)[number];

/** One distinct layer: the modules it stands for, how often it occurs, its shape. */
export interface CountedWorkload {
  readonly name: string;
  readonly count: number;
  readonly workload: Workload;
}

export interface NetworkTable {
  readonly network: NetworkName;
  readonly source: string;
  readonly notes: string;
  readonly layers: readonly CountedWorkload[];
}

/** The folder of the tables: two levels up from this file, in src/workload/ or dist/workload/. */
const tablesDir = new URL('../../workloads/', import.meta.url);

function readTable(network: NetworkName): { readonly file: string; readonly json: unknown } {
  const file = `workloads/${network}.json`;
  return { file, json: JSON.parse(readFileSync(new URL(`${network}.json`, tablesDir), 'utf8')) };
}

const tableSchema = z.strictObject({
  network: z.enum(networks),
  source: z.string().min(1),
  notes: z.string(),
  layers: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        count: z.number().int().positive(),
        workload: z.unknown(),
      }),
    )
    .min(1),
});

export function isNetworkName(name: string): name is NetworkName {
  return (networks as readonly string[]).includes(name);
}

/** The whole table of a network: source, notes and its validated layers. */
export function loadNetwork(network: NetworkName): NetworkTable {
  const { file, json } = readTable(network);
  const result = tableSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map(
      (i) => `${i.path.map(String).join('.')}: ${i.message}`,
    );
    throw new InputError(`${file}: ${problems.join('; ')}`);
  }
  const table = result.data;
  if (table.network !== network) {
    throw new InputError(`${file}: network is "${table.network}", expected "${network}"`);
  }
  const layers = table.layers.map((layer, i) => ({
    name: layer.name,
    count: layer.count,
    workload: parseWorkloadJson(layer.workload, `${file} layers[${i}].workload`),
  }));
  return { network, source: table.source, notes: table.notes, layers };
}

/** A network's distinct layers, validated, each with its occurrence count. */
export function loadWorkloads(network: NetworkName): readonly CountedWorkload[] {
  return loadNetwork(network).layers;
}

/** Total multiply-accumulates of a network: Σ count · macs(workload). */
export function networkMacs(layers: readonly CountedWorkload[]): number {
  return layers.reduce((sum, l) => sum + l.count * macs(l.workload), 0);
}
