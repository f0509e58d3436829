import { z } from 'zod';
import { InputError } from '../../src/errors.js';
import { macs } from '../../src/workload/shape.js';
import { parseWorkloadJson } from '../../src/workload/parse.js';
import type { Workload } from '../../src/workload/workload.js';
import resnet50Json from './resnet50.json' with { type: 'json' };
import mobilenetV2Json from './mobilenet_v2.json' with { type: 'json' };
import bertBaseJson from './bert_base.json' with { type: 'json' };

/**
 * The benchmark networks' layer tables: one JSON file per network listing each distinct layer once,
 * with how many times it occurs. Loading parses every workload and validates it (validateWorkload).
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

const files: Readonly<Record<NetworkName, { readonly file: string; readonly json: unknown }>> = {
  resnet50: { file: 'bench/workloads/resnet50.json', json: resnet50Json },
  mobilenet_v2: { file: 'bench/workloads/mobilenet_v2.json', json: mobilenetV2Json },
  bert_base: { file: 'bench/workloads/bert_base.json', json: bertBaseJson },
};

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
  const { file, json } = files[network];
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
