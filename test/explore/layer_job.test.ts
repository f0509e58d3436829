import { describe, expect, it } from 'vitest';
import { jobKey, layerJob } from '../../src/explore/layer_job.js';
import { targetByName } from '../../src/targets/index.js';
import { parseGemm } from '../../src/workload/parse.js';

const spec = targetByName('gemmini').spec;
const settings = {
  scheduler: 'baseline',
  seed: 0,
  timeLimitSeconds: 30,
  timing: 'predicted' as const,
};

describe('a layer job key', () => {
  it('depends on what the result depends on, not on which objects carry it', () => {
    const w = parseGemm('64,64,64');
    const job = layerJob(spec, w, 1, settings);
    const key = jobKey(job);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    // A copy (as a worker thread or a queue receives it) and a renamed spec: the same key.
    expect(jobKey(structuredClone(job))).toBe(key);
    expect(jobKey(layerJob({ ...spec, name: 'other', description: 'x' }, w, 1, settings))).toBe(
      key,
    );
    // The jobs of one point share its spec object.
    expect(layerJob(spec, parseGemm('8,8,8'), 1, settings).spec).toBe(job.spec);
    // Anything that changes the result changes the key: the spec, the layer, the scheduler.
    const larger = { ...spec, dram: { ...spec.dram, bytesPerCycle: 2 * spec.dram.bytesPerCycle } };
    const others = [
      layerJob(larger, w, 1, settings),
      layerJob(spec, parseGemm('64,64,65'), 1, settings),
      layerJob(spec, w, 1, { ...settings, scheduler: 'cosa' }),
      layerJob(spec, w, 0.5, settings),
    ].map(jobKey);
    expect(new Set([key, ...others]).size).toBe(5);
  });
});
