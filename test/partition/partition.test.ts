import { describe, expect, it } from 'vitest';
import type { Graph, Node, NodeOf } from '../../src/ir/graph.js';
import { isScheduled, partition } from '../../src/partition/partition.js';
import { cleanupPasses, quantizedOpPasses, runPasses } from '../../src/passes/pipeline.js';
import { targetByName } from '../../src/targets/index.js';
import { loadModel } from '../passes/models.js';

const gemmini = targetByName('gemmini');

function folded(name: string): Graph {
  return runPasses(runPasses(loadModel(name), cleanupPasses), quantizedOpPasses);
}

describe('partition', () => {
  it('puts every fused conv and matmul of q_resnet18 on the accelerator, the rest on the host', () => {
    const placements = partition(folded('q_resnet18'), gemmini);
    const acc = placements.filter((p) => p.placement === 'accelerator');
    expect(acc.map((p) => p.node.op).sort()).toEqual([...Array(20).fill('QConv'), 'QGemm'].sort());
    for (const p of acc) expect(p.placement === 'accelerator' && p.pattern).toMatch(/requant/);
    const add = placements.find((p) => p.node.op === 'Add');
    expect(add?.placement === 'host' && add.reason).toBe('gemmini has no pattern for Add');
    // 1×1 stride-1 convolutions run as the GEMM over the same bytes.
    const down = acc.find((p) => p.node.name === '/layer2/0/downsample/0/Conv');
    expect(down !== undefined && isScheduled(down) && down.fused.workload.kind).toBe('conv');
    const c1 = acc.find((p) => p.node.name === '/conv1/Conv');
    // conv1 reads zero point 136 − 128 = 8 in its padding, and gemmini pads with a value.
    expect(c1 !== undefined && isScheduled(c1) && c1.fused.prePad).toBe(false);
    expect(c1 !== undefined && isScheduled(c1) && c1.fused.workload).toMatchObject({
      H: 224,
      W: 224,
      padTop: 3,
      padValue: 8,
    });
  });

  it('on a target that pads with zeros only, the runtime pads such a conv and its workload has none', () => {
    const zeroPadding = {
      ...gemmini,
      patterns: gemmini.patterns.map((p) => ({ ...p, padsWithValue: false })),
    };
    const placements = partition(folded('q_resnet18'), zeroPadding);
    const c1 = placements.find((p) => p.node.name === '/conv1/Conv');
    expect(c1 !== undefined && isScheduled(c1) && c1.fused.prePad).toBe(true);
    expect(c1 !== undefined && isScheduled(c1) && c1.fused.workload).toMatchObject({
      H: 230,
      W: 230,
      padTop: 0,
    });
    expect(c1 !== undefined && isScheduled(c1) && 'padValue' in c1.fused.workload).toBe(false);
  });

  it('keeps float convolutions on the host and says how to quantize them', () => {
    const placements = partition(runPasses(loadModel('lenet'), cleanupPasses), gemmini);
    expect(placements.every((p) => p.placement === 'host')).toBe(true);
    const conv = placements.find((p) => p.node.op === 'Conv');
    expect(conv?.placement === 'host' && conv.reason).toMatch(/float Conv.*--quantize/);
  });

  it('refuses what the spec cannot requantize: per-channel scales on a per-tensor target', () => {
    const g = folded('q_resnet18');
    const first = g.nodes.find((n) => n.op === 'QConv') as NodeOf<'QConv'>;
    const K = g.tensors[first.inputs[1]].shape[0];
    const perChannel: Node = {
      ...first,
      attrs: {
        ...first.attrs,
        requant: { ...first.attrs.requant, scale: new Array(K).fill(0.01) },
      },
    };
    const h = { ...g, nodes: g.nodes.map((n) => (n === first ? perChannel : n)) };
    const p = partition(h, gemmini).find((x) => x.node === perChannel);
    expect(p?.placement === 'host' && p.reason).toMatch(/per-channel requantization \(64 scales\)/);
  });

  it('says why an int8 max-pool stays on the host: fused, stand-alone or rescaled', () => {
    const g = folded('q_resnet18');
    const pool = g.nodes.find((n) => n.op === 'QMaxPool') as NodeOf<'QMaxPool'>;
    const reasonOf = (h: Graph, node: Node) => {
      const p = partition(h, gemmini).find((x) => x.node === node);
      return p?.placement === 'host' ? p.reason : p?.placement;
    };
    expect(reasonOf(g, pool)).toBe(
      "gemmini has no pattern for a max-pool fused into a convolution's store",
    );
    // Read straight from the graph input: nothing precedes it.
    const alone: Node = { ...pool, inputs: [g.inputs[0]] };
    const h = { ...g, nodes: g.nodes.map((n) => (n === pool ? alone : n)) };
    expect(reasonOf(h, alone)).toBe(
      `a stand-alone max-pool (its input comes from a graph input, not a convolution): gemmini has no pattern for one`,
    );
    const rescale = { inScale: 0.1, inZeroPoint: 0, outScale: 0.2, outZeroPoint: 0 };
    const rescaled: Node = { ...pool, attrs: { ...pool.attrs, rescale } };
    const r = { ...g, nodes: g.nodes.map((n) => (n === pool ? rescaled : n)) };
    expect(reasonOf(r, rescaled)).toMatch(/quantization differs/);
  });
});
