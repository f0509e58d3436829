import { describe, expect, it } from 'vitest';
import { createScheduleCache } from '../../src/schedule/cache.js';
import { partition } from '../../src/partition/partition.js';
import { runGraphOnHost } from '../../src/host/run_graph.js';
import { executeGraph, scheduleGraph } from '../../src/driver/execute_graph.js';
import { compileModel, randomInputs } from '../../src/driver/run_model.js';
import { targetByName } from '../../src/targets/index.js';
import { modelDir } from '../fixtures/models.js';

const models = modelDir;

describe('executeGraph', () => {
  it.each(['gemmini', 'gemmini-os', 'gemmini-8'])(
    'lenet quantized on %s: accelerator layers equal the host integer kernels bit for bit',
    (name) => {
      const target = targetByName(name);
      const m = compileModel(`${models}/lenet.onnx`, target, { quantize: true, seed: 1 });
      const inputs = randomInputs(m.source, 3);
      const run = executeGraph(m.graph, m.placements, inputs, target, {
        scheduler: 'exhaustive',
        seed: 0,
        timeLimitSeconds: 2,
      });
      const acc = run.layers.filter((l) => l.placement === 'accelerator');
      expect(acc.map((l) => l.op)).toEqual([
        'QConv',
        'QMaxPool',
        'QConv',
        'QMaxPool',
        'QGemm',
        'QGemm',
        'QGemm',
      ]);
      for (const l of acc) {
        expect(l.cycles).toBeGreaterThan(0);
        // A max-pool is a vector op: checked against its reference as it runs, no mapping detail.
        expect(l.op === 'QMaxPool' ? l.detail : l.detail?.verified).toBe(
          l.op === 'QMaxPool' ? null : true,
        );
      }
      // The same graph with every node on the host (QConv/QGemm/QMaxPool on the integer kernels).
      const host = runGraphOnHost(m.graph, inputs);
      const fused = ['QConv', 'QGemm', 'QMaxPool'];
      for (const node of m.graph.nodes.filter((n) => fused.includes(n.op))) {
        const o = node.outputs[0];
        const all = runGraphOnHost({ ...m.graph, outputs: [o] }, inputs)[o].data;
        expect(run.values.get(o)?.data).toEqual(all);
      }
      expect(run.outputs[m.graph.outputs[0]].data).toEqual(host[m.graph.outputs[0]].data);
      expect(run.acceleratorCycles).toBe(acc.reduce((n, l) => n + (l.cycles ?? 0), 0));
    },
  );

  it('schedules each workload shape once per cache', () => {
    const target = targetByName('gemmini');
    const m = compileModel(`${models}/lenet.onnx`, target, { quantize: true, seed: 1 });
    const cache = new Map();
    const inputs = randomInputs(m.source, 0);
    const options = { scheduler: 'baseline', seed: 0, timeLimitSeconds: 1, cache };
    executeGraph(m.graph, partition(m.graph, target), inputs, target, options);
    expect(cache.size).toBe(5);
    executeGraph(m.graph, m.placements, inputs, target, options);
    expect(cache.size).toBe(5);
  });

  it.each(['gemmini', 'vta', 'toy'])(
    'scheduleGraph on %s: the layers and cycles executeGraph finds, without running anything',
    (name) => {
      const target = targetByName(name);
      const m = compileModel(`${models}/lenet.onnx`, target, { quantize: true, seed: 1 });
      // One cache: the time-limited cosa comparison is solved once and shared by both walks.
      const options = {
        scheduler: 'baseline',
        seed: 0,
        timeLimitSeconds: 1,
        compare: ['cosa'],
        cache: createScheduleCache(),
      };
      const run = executeGraph(m.graph, m.placements, randomInputs(m.source, 2), target, options);
      const timed = scheduleGraph(m.graph, m.placements, target, options);
      expect(timed.layers.some((l) => l.placement === 'accelerator')).toBe(true);
      expect(timed.acceleratorCycles).toBe(run.acceleratorCycles);
      // A functional run adds only its verdict (verified, mismatches) to each layer's detail.
      const withoutVerdict = run.layers.map((l) => {
        if (l.detail === null) return l;
        const { verified: _v, mismatches: _m, ...detail } = l.detail;
        return { ...l, detail: { ...detail, solveSeconds: 0 } };
      });
      const solveTimeAside = timed.layers.map((l) =>
        l.detail === null ? l : { ...l, detail: { ...l.detail, solveSeconds: 0 } },
      );
      expect(solveTimeAside).toEqual(withoutVerdict);
    },
  );
});
