import { basename } from 'node:path';
import { compileModel } from '../driver/run_model.js';
import { InputError } from '../errors.js';
import type { AnyTarget } from '../contract/target.js';
import { loadNetwork } from '../workload/networks.js';
import type { Workload } from '../workload/workload.js';
import type { SweepModel } from './sweep.js';

/** A layer of a model as explore runs it: its workload, how often it occurs, its timing scale. */
export interface ModelLayer {
  readonly name: string;
  readonly count: number;
  readonly workload: Workload;
  readonly scale: number;
}

export interface ModelLayers {
  readonly name: string;
  readonly layers: readonly ModelLayer[];
}

/**
 * A sweep's model as layers: a network table (workloads/*.json; scale 1), or an ONNX model imported
 * and partitioned for the base target (its accelerator layers, each lowered for its own
 * requantization scale as `compile` does). The partition is the base target's for every point: the
 * parameters vary sizes, not which ops the instruction set runs.
 */
export function modelLayers(model: SweepModel, base: AnyTarget, seed: number): ModelLayers {
  if ('network' in model) {
    const table = loadNetwork(model.network);
    const pick = model.layers;
    let layers = table.layers;
    let name: string = model.network;
    if (typeof pick === 'number') {
      layers = layers.slice(0, pick);
      name = `${model.network}[:${layers.length}]`;
    } else if (pick !== undefined) {
      // A table row names every module it stands for ("layer1.1.conv1, layer1.2.conv1"): any one
      // of them picks the row.
      const names = (l: { readonly name: string }): string[] => [l.name, ...l.name.split(', ')];
      for (const n of pick) {
        if (!layers.some((l) => names(l).includes(n))) {
          throw new InputError(`models: ${model.network} has no layer named "${n}"`);
        }
      }
      layers = layers.filter((l) => names(l).some((n) => pick.includes(n)));
      name = `${model.network}[${layers.length} layers]`;
    }
    return {
      name,
      layers: layers.map((l) => ({ name: l.name, count: l.count, workload: l.workload, scale: 1 })),
    };
  }
  const compiled = compileModel(model.onnx, base, { quantize: false, seed });
  const layers: ModelLayer[] = [];
  for (const p of compiled.placements) {
    // Layers the schedulers map (convolutions and GEMMs); vector ops on the accelerator are not swept.
    if (p.placement !== 'accelerator' || !('fused' in p)) continue;
    layers.push({
      name: p.node.name,
      count: p.fused.count,
      workload: p.fused.workload,
      scale: p.node.attrs.requant.scale[0],
    });
  }
  if (layers.length === 0) {
    throw new InputError(
      `${model.onnx}: no layer runs on ${base.name} (explore takes int8 QDQ models)`,
    );
  }
  return { name: basename(model.onnx), layers };
}
