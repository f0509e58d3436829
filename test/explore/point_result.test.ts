import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LayerOutcome } from '../../src/explore/layer_job.js';
import type { ModelLayers } from '../../src/explore/models.js';
import {
  paretoFront,
  pointResult,
  type PointInput,
  type PointResult,
} from '../../src/explore/point_result.js';
import { targetByName } from '../../src/targets/index.js';
import { parseGemm } from '../../src/workload/parse.js';

const spec = targetByName('gemmini').spec;
const input: PointInput = {
  index: 3,
  values: { x: 1 },
  spec,
  sramBytes: 327680,
  pes: 256,
  invalid: null,
};
const gemm = parseGemm('16,16,16');
const models: ModelLayers[] = [
  {
    name: 'a',
    layers: [
      { name: 'l0', count: 2, workload: gemm, scale: 1 },
      { name: 'l1', count: 1, workload: gemm, scale: 1 },
    ],
  },
  { name: 'b', layers: [{ name: 'l0', count: 3, workload: gemm, scale: 1 }] },
];
const pass = { scheduler: 'baseline', timing: 'simulated' } as const;

function ok(cycles: number): LayerOutcome {
  return {
    ok: true,
    cycles,
    macs: 4096,
    mapping: {} as never,
    fallback: null,
    limitHit: null,
    seconds: 0,
  };
}

describe('a point from its layer outcomes', () => {
  it('sums cycles and MACs by count; utilization over the PEs; the geomean over models', () => {
    const cycles = [
      [100, 50],
      [400, 0],
    ];
    const r = pointResult(input, models, pass, (m, l) => ok(cycles[m][l]));
    expect(r.status).toBe('ok');
    // a: 2·100 + 50 = 250 cycles, 3·4096 MACs; b: 3·400 = 1200 cycles, 3·4096 MACs.
    expect(r.models.map((m) => [m.model, m.cycles, m.macs])).toEqual([
      ['a', 250, 12288],
      ['b', 1200, 12288],
    ]);
    expect(r.models[0].utilization).toBe(12288 / (250 * 256));
    expect(r.cycles).toBeCloseTo(Math.sqrt(250 * 1200), 9);
  });

  it('a failed layer fails the point, naming the model and layer', () => {
    const r = pointResult(input, models, pass, (m, l) =>
      m === 0 && l === 1 ? { ok: false, error: 'no mapping fits', seconds: 0 } : ok(1),
    );
    expect(r.status).toBe('failed');
    expect(r.reason).toBe('a layer l1: no mapping fits');
    expect(r.cycles).toBeNull();
  });

  it('an invalid point runs nothing', () => {
    const r = pointResult({ ...input, invalid: 'too big' }, models, pass, () => {
      throw new Error('no outcome should be asked for');
    });
    expect([r.status, r.reason, r.models]).toEqual(['invalid', 'too big', []]);
  });
});

describe('the Pareto front', () => {
  const asPoint = (index: number): PointResult => ({ index }) as PointResult;

  it('keeps exactly the points no other beats on every value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 })), {
          minLength: 1,
          maxLength: 30,
        }),
        (values) => {
          const points = values.map((_, i) => asPoint(i));
          const front = paretoFront(points, (p) => values[p.index]).map((p) => p.index);
          const dominates = (a: number[], b: number[]) =>
            a[0] <= b[0] && a[1] <= b[1] && (a[0] < b[0] || a[1] < b[1]);
          values.forEach((v, i) => {
            const beaten = values.some((w) => dominates(w, v));
            expect(front.includes(i)).toBe(!beaten);
          });
          expect(front.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('leaves out points without values', () => {
    const front = paretoFront([asPoint(0), asPoint(1)], (p) => (p.index === 0 ? null : [5, 5]));
    expect(front.map((p) => p.index)).toEqual([1]);
  });
});
