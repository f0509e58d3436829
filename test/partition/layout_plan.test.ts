import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { layoutFree, planLayouts, type PlanStep } from '../../src/partition/layout_plan.js';
import { isScheduled, partition, type Placement } from '../../src/partition/partition.js';
import { removeDeadCode } from '../../src/passes/dead_code.js';
import { cleanupPasses, quantizedOpPasses, runPasses } from '../../src/passes/pipeline.js';
import { targetByName } from '../../src/targets/index.js';
import type { AnyTarget } from '../../src/contract/target.js';
import { loadModel } from '../passes/models.js';

const gemmini = targetByName('gemmini');
/** gemmini as a target that pads convolutions with zeros only (as VTA does). */
const zeroPadding: AnyTarget = {
  ...gemmini,
  patterns: gemmini.patterns.map((p) => ({ ...p, padsWithValue: false })),
};

function planned(name: string, target = gemmini): { graph: Graph; steps: PlanStep[] } {
  const graph = runPasses(runPasses(loadModel(name), cleanupPasses), quantizedOpPasses);
  return { graph, steps: planLayouts(graph, partition(graph, target)) };
}

type Conversion = Extract<PlanStep, { kind: 'conversion' }>['conversion'];
const conversions = (steps: readonly PlanStep[], op: Conversion['op']): Conversion[] =>
  steps.flatMap((s) => (s.kind === 'conversion' && s.conversion.op === op ? [s.conversion] : []));

/**
 * Where a tensor's data comes from and goes to through layout-free host nodes (which run in
 * either layout): the placements of the nodes at either end ('input'/'output' for the graph).
 */
function ends(graph: Graph, placements: readonly Placement[], tensor: string) {
  const at = new Map(placements.map((p) => [p.node, p]));
  const origins = new Set<string>();
  const back = (t: string): void => {
    const producer = graph.nodes.find((n) => n.outputs.includes(t));
    if (producer === undefined) origins.add('input');
    else if (at.get(producer)?.placement === 'host' && layoutFree(producer, graph)) {
      for (const i of producer.inputs) if (graph.tensors[i]?.data === undefined) back(i);
    } else origins.add(at.get(producer)?.placement ?? 'input');
  };
  const readers = new Set<string>();
  const forward = (t: string): void => {
    if (graph.outputs.includes(t)) readers.add('output');
    for (const n of graph.nodes.filter((x) => x.inputs.includes(t))) {
      if (at.get(n)?.placement === 'host' && layoutFree(n, graph)) forward(n.outputs[0]);
      else readers.add(at.get(n)?.placement ?? 'output');
    }
  };
  back(tensor);
  forward(tensor);
  return { origins, readers };
}

describe('layouts decided once', () => {
  it('q_resnet18: layout conversions only where a host op or the graph needs NCHW', () => {
    const { graph, steps } = planned('q_resnet18');
    const moves = conversions(steps, 'LayoutConversion');
    // The graph input into conv1; conv1's int8 output into the QMaxPool on the host and the
    // QMaxPool's back into layer1; the last block's output into GlobalAveragePool.
    expect(moves.map((c) => [c.tensor, c.to.layout])).toEqual([
      ['/quant/QuantizeLinear_output_0', 'NHWC'],
      ['/conv1/QuantizeLinear_output_0', 'NCHW'],
      ['/maxpool/QuantizeLinear_output_0', 'NHWC'],
      ['/avgpool/DequantizeLinear_output_0', 'NCHW'],
    ]);
    const placements = partition(graph, gemmini);
    for (const c of moves) {
      const { origins, readers } = ends(graph, placements, c.tensor);
      const between = [...origins, ...readers].every((e) => e === 'accelerator');
      expect(between, `${c.name} sits between two accelerator layers`).toBe(false);
    }
  });

  it('q_resnet18: activations stay NHWC from one accelerator layer to the next', () => {
    const { steps } = planned('q_resnet18');
    const nodes = steps.flatMap((s) => (s.kind === 'node' ? [s] : []));
    // Every residual Add and the ReLU after it run in NHWC, beside the convolutions.
    for (const s of nodes.filter((x) => ['Add', 'Relu'].includes(x.placement.node.op))) {
      expect(s.layout, s.placement.node.name).toBe('NHWC');
    }
    for (const s of nodes.filter((x) =>
      ['QMaxPool', 'GlobalAveragePool'].includes(x.placement.node.op),
    )) {
      expect(s.layout).toBe('NCHW');
    }
    // Two consecutive accelerator convolutions have nothing between them: the 3×3 convs whose
    // padding reads the zero point −128 pad on the accelerator, with no copy.
    steps.forEach((s, i) => {
      if (s.kind !== 'node' || s.placement.placement !== 'accelerator') return;
      const next = steps.slice(i + 1).findIndex((x) => x.kind === 'node');
      const after = steps[i + 1 + next];
      if (after?.kind !== 'node' || after.placement.placement !== 'accelerator') return;
      expect(steps.slice(i + 1, i + 1 + next)).toEqual([]);
    });
    expect(conversions(steps, 'PadCopy')).toEqual([]);
  });

  it('q_resnet18 on a target padding with zeros only: a counted padding copy per such conv', () => {
    const { graph, steps } = planned('q_resnet18', zeroPadding);
    const copies = conversions(steps, 'PadCopy');
    // Every 3×3 conv after conv1 reads its input padded with -128 (a downsample is 1×1, no
    // padding): one padding copy each, but for layer1/0/conv1, whose NCHW input from the
    // MaxPool converts and pads in one copy.
    const padded = partition(graph, zeroPadding).filter(
      (p) => isScheduled(p) && p.fused.prePad && p.node.name !== '/conv1/Conv',
    );
    expect(padded).toHaveLength(16);
    const afterMaxPool = 1; // layer1/0/conv1 reads the pooled tensor: converted and padded at once
    expect(copies).toHaveLength(padded.length - afterMaxPool);
    for (const c of copies) {
      expect(c.from).toEqual({ layout: 'NHWC', pad: null });
      expect(c.to.pad?.value).toBe(-128);
      const [N, C, H, W] = graph.tensors[c.tensor].shape;
      expect(c.elements).toBe(N * C * (H + 2) * (W + 2));
    }
  });

  it('q_mobilenet_v2: the input and the global pooling convert, nothing else', () => {
    const { steps } = planned('q_mobilenet_v2');
    // Its residual Adds run in NHWC between the accelerator layers.
    expect(conversions(steps, 'LayoutConversion').map((c) => [c.tensor, c.to.layout])).toEqual([
      ['/quant/QuantizeLinear_output_0', 'NHWC'],
      ['/DequantizeLinear_output_0', 'NCHW'],
    ]);
  });

  it('a graph output an accelerator layer wrote leaves in the graph layout, converted last', () => {
    const { graph } = planned('q_resnet18');
    const out = '/layer1/0/conv1/QuantizeLinear_output_0';
    expect(graph.tensors[out].shape).toEqual([1, 64, 56, 56]);
    const prefix = removeDeadCode({ ...graph, outputs: [out] });
    const steps = planLayouts(prefix, partition(prefix, gemmini));
    const last = steps[steps.length - 1];
    expect(last.kind === 'conversion' && [last.conversion.tensor, last.conversion.to]).toEqual([
      out,
      { layout: 'NCHW', pad: null },
    ]);
    expect(last.kind === 'conversion' && last.conversion.reason).toMatch(/graph output/);
  });
});
