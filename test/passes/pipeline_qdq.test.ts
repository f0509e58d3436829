import { describe, expect, it } from 'vitest';
import { cleanupPasses, runPasses } from '../../src/passes/pipeline.js';
import { fingerprint, loadModel, mismatches, opCounts, runSeeded } from './models.js';

/**
 * QDQ fixtures: after cleanup every QuantizeLinear output and the final output are identical on
 * the host; Cast and ConstantOfShape are gone and every Q/DQ node stays. (The final outputs are
 * degenerate with random weights, hence the quantized tensors.) A file of its own so it runs in
 * parallel with the float fixtures.
 */
describe('cleanup pipeline on QDQ fixtures', () => {
  it.each(['q_resnet18', 'q_mobilenet_v2'])('%s: identical quantized tensors', (model) => {
    const before = loadModel(model);
    const snapshot = fingerprint(before);
    const after = runPasses(before, cleanupPasses);
    expect(fingerprint(before)).toEqual(snapshot);
    const countsBefore = opCounts(before);
    const countsAfter = opCounts(after);
    console.log(`${model}: ${JSON.stringify(countsBefore)} -> ${JSON.stringify(countsAfter)}`);
    expect(countsBefore.Cast).toBeGreaterThan(0);
    expect(countsBefore.ConstantOfShape).toBeGreaterThan(0);
    expect(countsAfter.Cast).toBeUndefined();
    expect(countsAfter.ConstantOfShape).toBeUndefined();
    for (const op of ['QuantizeLinear', 'DequantizeLinear', 'Conv', 'Gemm']) {
      expect(countsAfter[op]).toBe(countsBefore[op]);
    }
    const names = [
      ...before.outputs,
      ...before.nodes.filter((n) => n.op === 'QuantizeLinear').map((n) => n.outputs[0]),
    ];
    const want = runSeeded(before, 0, 1, names);
    const got = runSeeded(after, 0, 1, names);
    for (const name of names) {
      expect(got[name].shape).toEqual(want[name].shape);
      expect(got[name].dtype).toBe(want[name].dtype);
      const data = [got[name].data, want[name].data] as [ArrayLike<number>, ArrayLike<number>];
      expect(mismatches(...data)).toBe(0);
    }
  });
});
