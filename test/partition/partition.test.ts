import { describe, expect, it } from 'vitest';
import type { Graph, Node, NodeOf } from '../../src/ir/graph.js';
import { isScheduled, partition } from '../../src/partition/partition.js';
import { cleanupPasses, quantizedOpPasses, runPasses } from '../../src/passes/pipeline.js';
import { targetByName } from '../../src/targets/index.js';
import { loadModel } from '../passes/models.js';
import { compileModel } from '../../src/driver/run_model.js';
import { planLayouts } from '../../src/partition/layout_plan.js';
import { modelDir } from '../fixtures/models.js';

const gemmini = targetByName('gemmini');

function folded(name: string): Graph {
  return runPasses(runPasses(loadModel(name), cleanupPasses), quantizedOpPasses);
}

describe('partition', () => {
  it('puts every fused conv, matmul and max-pool of q_resnet18 on the accelerator, the rest on the host', () => {
    const placements = partition(folded('q_resnet18'), gemmini);
    const acc = placements.filter((p) => p.placement === 'accelerator');
    expect(acc.map((p) => p.node.op).sort()).toEqual(
      [...Array(20).fill('QConv'), 'QGemm', 'QMaxPool'].sort(),
    );
    for (const p of acc) {
      const want = p.node.op === 'QMaxPool' ? 'max-pool (pooled store)' : /requant/;
      expect(p.placement === 'accelerator' && p.pattern).toMatch(want);
    }
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

  it('runs an int8 max-pool through the pooled store, or says why it stays on the host', () => {
    const g = folded('q_resnet18');
    const pool = g.nodes.find((n) => n.op === 'QMaxPool') as NodeOf<'QMaxPool'>;
    const placed = (h: Graph, node: Node) => partition(h, gemmini).find((x) => x.node === node);
    const p = placed(g, pool);
    // q_resnet18's stem pool: 3×3 at stride 2 with one pixel of padding, 112×112×64 → 56×56.
    expect(p !== undefined && 'vector' in p && p.vector).toEqual({
      ...{ kind: 'maxpool', name: pool.name, N: 1, H: 112, W: 112, C: 64, size: 3, stride: 2 },
      ...{ padTop: 1, padLeft: 1, P: 56, Q: 56 },
    });
    const reasonOf = (h: Graph, node: Node) => {
      const q = placed(h, node);
      return q?.placement === 'host' ? q.reason : q?.placement;
    };
    const edited = (attrs: Partial<NodeOf<'QMaxPool'>['attrs']>) => {
      const node: Node = { ...pool, attrs: { ...pool.attrs, ...attrs } };
      return reasonOf({ ...g, nodes: g.nodes.map((n) => (n === pool ? node : n)) }, node);
    };
    const rescale = { inScale: 0.1, inZeroPoint: 0, outScale: 0.2, outZeroPoint: 0 };
    expect(edited({ rescale })).toBe(
      "its output's quantization differs from its input's: a pooled store moves values unchanged, " +
        'so the host pools and rescales',
    );
    expect(edited({ kernelShape: [3, 2] })).toBe(
      'a 3×2 window with strides 2, 2 and dilations 1, 1: a pooled store takes square windows, ' +
        'one stride and no dilation',
    );
    expect(edited({ kernelShape: [4, 4] })).toBe(
      'max-pool (pooled store): a 4×4 window at stride 2: CONFIG_ST holds at most 3 for each',
    );
    const vta = partition(g, targetByName('vta')).find((x) => x.node === pool);
    expect(vta?.placement === 'host' && vta.reason).toBe(
      'vta has no pattern for a maxpool workload',
    );
  });
});

describe('partition on vta', () => {
  it('mobilenet_v2 (--quantize): every conv on the accelerator, the 17 depthwise ones too', () => {
    const vta = targetByName('vta');
    const model = compileModel(`${modelDir}/mobilenet_v2.onnx`, vta, {
      quantize: true,
      calibrationSamples: 1,
      seed: 0,
    });
    const convs = model.placements.filter((p) => p.node.op === 'QConv');
    const onHost = convs.filter((p) => p.placement === 'host');
    expect(onHost.map((p) => p.node.name)).toEqual([]);
    const depthwise = convs.filter(
      (p) => isScheduled(p) && p.fused.workload.kind === 'conv' && p.fused.workload.groups > 1,
    );
    expect(depthwise).toHaveLength(17);
    for (const p of depthwise) {
      const w = isScheduled(p) ? p.fused.workload : null;
      expect(w?.kind === 'conv' && w.C === w.groups && w.K === w.groups).toBe(true);
    }
    // Activations stay in VTA's layout between its layers: only the graph input and the global
    // pooling (a host op) convert.
    const steps = planLayouts(model.graph, model.placements);
    const moves = steps.filter((s) => s.kind === 'conversion');
    expect(moves).toHaveLength(2);
  }, 120_000);
});
