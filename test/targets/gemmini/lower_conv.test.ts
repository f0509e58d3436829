import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomLayerData, referenceOutput } from '../../../src/runtime/layer_data.js';
import { runLayer } from '../../../src/runtime/run_layer.js';
import type { Mapping } from '../../../src/mapping/mapping.js';
import { validateMapping } from '../../../src/schedule/validate.js';
import type { AnyTarget } from '../../../src/contract/target.js';
import { gemmini, gemmini32, gemmini8, gemminiOs } from './presets.js';
import { convOutputSize, convPadValue, loopNest } from '../../../src/workload/shape.js';
import type { ConvWorkload, Dim } from '../../../src/workload/workload.js';

const presets = [gemmini, gemminiOs, gemmini8, gemmini32] as unknown as AnyTarget[];

const convArb = fc
  .record({
    N: fc.integer({ min: 1, max: 4 }),
    H: fc.constantFrom(1, 3, 7, 15, 17),
    W: fc.constantFrom(1, 3, 7, 15, 17),
    C: fc.constantFrom(1, 3, 7, 16, 17, 33),
    K: fc.constantFrom(1, 3, 7, 16, 17, 33),
    R: fc.constantFrom(1, 3, 5, 7),
    S: fc.constantFrom(1, 3, 5, 7),
    stride: fc.integer({ min: 1, max: 2 }),
    pads: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
    dilation: fc.constantFrom(1, 1, 2),
    depthwise: fc.boolean(),
    bias: fc.boolean(),
    relu: fc.boolean(),
    // Padding that reads an input zero point (half the cases), or zeros.
    padValue: fc.oneof(fc.constant(0), fc.integer({ min: -128, max: 127 })),
  })
  .map((r): ConvWorkload => {
    const C = r.depthwise ? r.C : r.C;
    return {
      kind: 'conv',
      name: 'conv',
      N: r.N,
      H: r.H,
      W: r.W,
      C,
      K: r.depthwise ? C : r.K,
      R: r.R,
      S: r.S,
      strideH: r.stride,
      strideW: r.stride,
      padTop: r.pads[0],
      padBottom: r.pads[1],
      padLeft: r.pads[2],
      padRight: r.pads[3],
      ...(r.padValue === 0 ? {} : { padValue: r.padValue }),
      dilationH: r.dilation,
      dilationW: r.dilation,
      groups: r.depthwise ? C : 1,
      bias: r.bias,
      requant: 'per-tensor',
      activation: r.relu ? 'relu' : 'none',
    };
  })
  .filter((w) => {
    const { P, Q } = convOutputSize(w);
    return P >= 1 && Q >= 1;
  });

function randomMapping(w: ConvWorkload, t: AnyTarget, seed: number): Mapping {
  const nest = loopNest(w);
  const rnd = fc.sample(fc.integer({ min: 0, max: 1 << 30 }), { numRuns: 32, seed });
  let n = 0;
  const pick = (k: number): number => rnd[n++ % rnd.length] % k;
  const dim = t.spec.array.rows;
  const dataflow = t.spec.array.dataflows[pick(t.spec.array.dataflows.length)];
  // Depthwise convs also run with their groups on the array (diagonal weight blocks).
  const diag = w.groups > 1 && w.C === w.groups && pick(2) === 1;
  const tile: Partial<Record<Dim, number>> = {};
  for (const { dim: d, bound } of nest.dims) {
    tile[d] = d === 'G' ? (diag ? Math.min(bound, dim * (1 + pick(3))) : 1) : 1 + pick(bound);
  }
  const order = [...nest.dims.map((d) => d.dim)].sort(() => pick(3) - 1);
  const spatial: Mapping['spatial'] = diag
    ? dataflow === 'weight-stationary'
      ? { rows: 'G', cols: 'G' }
      : { rows: 'Q', cols: 'G' }
    : dataflow === 'weight-stationary'
      ? { rows: 'C', cols: 'K' }
      : { rows: 'Q', cols: 'K' };
  return {
    dataflow,
    spatial,
    tile,
    order,
    resident: { input: [], weight: [], output: [] },
    doubleBuffer: { input: pick(2) === 1, weight: pick(2) === 1, output: pick(2) === 1 },
  };
}

describe('conv lowering is bit-exact', () => {
  it('random convs (strides, paddings, kernels, dilation, depthwise, batch) and mappings, every preset', () => {
    let legal = 0;
    let diagonal = 0;
    let valuePadded = 0;
    fc.assert(
      fc.property(
        convArb,
        fc.constantFrom(...presets),
        fc.integer({ min: 1, max: 1 << 30 }),
        (w, t, seed) => {
          for (let k = 0; k < 3; k++) {
            const m = randomMapping(w, t, seed + k);
            if (validateMapping(w, m, t).length > 0) continue;
            legal++;
            if (m.spatial.cols === 'G') diagonal++;
            if (convPadValue(w) !== 0) valuePadded++;
            const d = randomLayerData(w, seed);
            expect(runLayer(t, w, m, d).output).toEqual(referenceOutput(w, d));
          }
        },
      ),
      { numRuns: 50, seed: 5 },
    );
    expect(legal).toBeGreaterThan(40);
    expect(diagonal).toBeGreaterThan(3);
    expect(valuePadded).toBeGreaterThan(10);
  });

  it('the baseline mapping on first layers, 1×1 stride 2 and depthwise, every preset that has WS', () => {
    const shapes: ConvWorkload[] = [
      conv(1, 20, 20, 3, 16, 7, 2, 3),
      conv(1, 9, 9, 32, 48, 1, 2, 0),
      conv(2, 9, 9, 24, 24, 3, 1, 1, 24),
      conv(1, 5, 5, 40, 20, 5, 1, 2),
    ];
    for (const t of presets.filter((p) => p.spec.array.dataflows.includes('weight-stationary'))) {
      for (const w of shapes) {
        const m = t.baseline!(w);
        expect(validateMapping(w, m, t)).toEqual([]);
        const d = randomLayerData(w, 9);
        expect(runLayer(t, w, m, d).output).toEqual(referenceOutput(w, d));
      }
    }
  });
});

function conv(
  N: number,
  H: number,
  W: number,
  C: number,
  K: number,
  R: number,
  stride: number,
  pad: number,
  groups = 1,
): ConvWorkload {
  return {
    kind: 'conv',
    name: `conv ${H}x${W}x${C}->${K} ${R}x${R} s${stride}`,
    N,
    H,
    W,
    C,
    K,
    R,
    S: R,
    strideH: stride,
    strideW: stride,
    padTop: pad,
    padBottom: pad,
    padLeft: pad,
    padRight: pad,
    dilationH: 1,
    dilationW: 1,
    groups,
    bias: true,
    requant: 'per-tensor',
    activation: 'relu',
  };
}
