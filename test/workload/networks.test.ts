import { describe, expect, it } from 'vitest';
import {
  isNetworkName,
  loadNetwork,
  loadWorkloads,
  networkMacs,
  networks,
  type CountedWorkload,
} from '../../src/workload/networks.js';
import { macs } from '../../src/workload/shape.js';
import { validateWorkload } from '../../src/workload/validate.js';

function count(layers: readonly CountedWorkload[], kind: 'conv' | 'gemm'): number {
  return layers.filter((l) => l.workload.kind === kind).reduce((s, l) => s + l.count, 0);
}

function macsWhere(
  layers: readonly CountedWorkload[],
  keep: (l: CountedWorkload) => boolean,
): number {
  return networkMacs(layers.filter(keep));
}

/** A workload without its name, to find layers listed twice. */
function shapeKey(l: CountedWorkload): string {
  return JSON.stringify({ ...l.workload, name: '' });
}

describe('every network table', () => {
  it.each(networks)('%s loads and every workload validates', (network) => {
    const table = loadNetwork(network);
    expect(table.network).toBe(network);
    expect(table.source.length).toBeGreaterThan(0);
    expect(table.notes.length).toBeGreaterThan(0);
    for (const l of table.layers) expect(validateWorkload(l.workload)).toBe(l.workload);
    expect(loadWorkloads(network)).toEqual(table.layers);
  });

  it.each(['resnet50', 'mobilenet_v2'] as const)('%s lists each distinct workload once', (n) => {
    const layers = loadWorkloads(n);
    expect(new Set(layers.map(shapeKey)).size).toBe(layers.length);
  });

  it('bert_base lists QKV and the output projection apart though they share a shape', () => {
    const [qkv, , , out] = loadWorkloads('bert_base');
    expect(shapeKey(qkv)).toBe(shapeKey(out));
  });

  it('knows its network names', () => {
    expect(isNetworkName('resnet50')).toBe(true);
    expect(isNetworkName('vgg16')).toBe(false);
  });
});

describe('ResNet-50', () => {
  const layers = loadWorkloads('resnet50');

  it('53 convs and 1 FC, in 24 distinct workloads; names list every module counted', () => {
    expect(count(layers, 'conv')).toBe(53);
    expect(count(layers, 'gemm')).toBe(1);
    expect(layers.length).toBe(24);
    for (const l of layers) expect(l.name.split(', ').length).toBe(l.count);
  });

  it('ReLU everywhere but on conv3 and the downsample 1×1', () => {
    for (const l of layers) {
      const linear = /conv3|downsample|^fc$/.test(l.name);
      expect(l.workload.activation, l.name).toBe(linear ? 'none' : 'relu');
      expect(l.workload.bias, l.name).toBe(true);
    }
  });

  it('v1.5: stride 2 on conv1, the first 3×3 of stages 2–4 and their downsamples', () => {
    const strided = layers
      .filter((l) => l.workload.kind === 'conv' && l.workload.strideH === 2)
      .map((l) => l.name);
    expect(strided).toEqual([
      'conv1',
      'layer2.0.conv2',
      'layer2.0.downsample.0',
      'layer3.0.conv2',
      'layer3.0.downsample.0',
      'layer4.0.conv2',
      'layer4.0.downsample.0',
    ]);
  });

  it('4,089,184,256 MACs, stage by stage', () => {
    // conv1 112²·64·3·49 = 118,013,952. Per stage (3×3 convs are 115,605,504 MACs at every stage,
    // 1×1 convs 51,380,224 except the first conv1 and the downsample of stages 2–4, 102,760,448):
    // layer1 = 12,845,056 (64→64 1×1) + 3·115,605,504 + 4·51,380,224 (3 conv3 + downsample)
    //          + 2·51,380,224 = 667,942,912
    // layer2 = 102,760,448 + 115,605,504 + 4·51,380,224 + 102,760,448 + 3·51,380,224
    //          + 3·115,605,504 = 1,027,604,480
    // layer3 = 102,760,448 + 115,605,504 + 6·51,380,224 + 102,760,448 + 5·51,380,224
    //          + 5·115,605,504 = 1,464,336,384
    // layer4 = 102,760,448 + 115,605,504 + 3·51,380,224 + 102,760,448 + 2·51,380,224
    //          + 2·115,605,504 = 809,238,528
    // fc 2048·1000 = 2,048,000. Sum 4,089,184,256.
    const stage = (s: string): number => macsWhere(layers, (l) => l.name.startsWith(s));
    expect(stage('conv1')).toBe(118_013_952);
    expect(stage('layer1.')).toBe(667_942_912);
    expect(stage('layer2.')).toBe(1_027_604_480);
    expect(stage('layer3.')).toBe(1_464_336_384);
    expect(stage('layer4.')).toBe(809_238_528);
    expect(stage('fc')).toBe(2_048_000);
    expect(networkMacs(layers)).toBe(4_089_184_256);
  });

  it('the FC layer is the GEMM 1×2048 · 2048×1000', () => {
    const fc = layers.find((l) => l.name === 'fc')?.workload;
    expect(fc).toMatchObject({ kind: 'gemm', M: 1, N: 1000, K: 2048, bias: true });
  });
});

describe('MobileNetV2', () => {
  const layers = loadWorkloads('mobilenet_v2');
  const depthwise = (l: CountedWorkload): boolean =>
    l.workload.kind === 'conv' && l.workload.groups > 1;

  it('52 convs and 1 GEMM; 17 depthwise convs with groups = C = K', () => {
    expect(count(layers, 'conv')).toBe(52);
    expect(count(layers, 'gemm')).toBe(1);
    expect(layers.length).toBe(31);
    for (const l of layers) expect(l.name.split(', ').length).toBe(l.count);
    const dw = layers.filter(depthwise);
    expect(dw.reduce((s, l) => s + l.count, 0)).toBe(17);
    for (const { workload: w } of dw) {
      expect(w.kind === 'conv' && w.groups === w.C && w.groups === w.K).toBe(true);
    }
  });

  it('300,774,272 MACs', () => {
    // first 3×3 conv 112²·32·3·9 = 10,838,016; 17 depthwise 3×3 = 20,716,416; 16 expand 1×1 =
    // 129,755,136; 17 project 1×1 = 118,114,304; last 1×1 7²·320·1280 = 20,070,400;
    // classifier 1280·1000 = 1,280,000. Convs 299,494,272; total 300,774,272.
    const linear = (l: CountedWorkload): boolean => l.workload.activation === 'none';
    const pointwise = (l: CountedWorkload): boolean =>
      l.workload.kind === 'conv' && l.workload.R === 1;
    expect(macsWhere(layers, (l) => l.name === 'features.0.0')).toBe(10_838_016);
    expect(macsWhere(layers, depthwise)).toBe(20_716_416);
    expect(macsWhere(layers, (l) => pointwise(l) && !linear(l) && l.name !== 'features.18.0')).toBe(
      129_755_136,
    );
    expect(macsWhere(layers, (l) => pointwise(l) && linear(l))).toBe(118_114_304);
    expect(macsWhere(layers, (l) => l.name === 'features.18.0')).toBe(20_070_400);
    expect(macsWhere(layers, (l) => l.workload.kind === 'gemm')).toBe(1_280_000);
    expect(networkMacs(layers)).toBe(300_774_272);
  });

  it('ReLU(6) on all but the project 1×1s and the classifier', () => {
    for (const l of layers) {
      // torchvision: a conv followed by ReLU6 is Conv2dNormActivation's `.0`; the project conv
      // (`conv.1` or `conv.2`) and the classifier's Linear (`classifier.1`) are bare.
      const relu = l.name.split(', ').every((m) => m.endsWith('.0'));
      expect(l.workload.activation, l.name).toBe(relu ? 'relu' : 'none');
    }
  });
});

describe('BERT-base', () => {
  const layers = loadWorkloads('bert_base');

  it('360 GEMMs per the counts', () => {
    expect(count(layers, 'conv')).toBe(0);
    const shapes = layers.map((l) => {
      const w = l.workload;
      return w.kind === 'gemm' ? [w.M, w.N, w.K, l.count, w.bias] : [];
    });
    expect(shapes).toEqual([
      [128, 768, 768, 36, true],
      [128, 128, 64, 144, false],
      [128, 64, 128, 144, false],
      [128, 768, 768, 12, true],
      [128, 3072, 768, 12, true],
      [128, 768, 3072, 12, true],
    ]);
    expect(count(layers, 'gemm')).toBe(360);
    expect(layers.every((l) => l.workload.activation === 'none')).toBe(true);
  });

  it('11,173,625,856 MACs', () => {
    // QKV 36·128·768·768 = 2,717,908,992; Q·Kᵀ 144·128·128·64 = 150,994,944; P·V the same;
    // output projection 12·75,497,472 = 905,969,664; FFN1 and FFN2 12·128·3072·768 =
    // 3,623,878,656 each.
    expect(layers.map((l) => l.count * macs(l.workload))).toEqual([
      2_717_908_992, 150_994_944, 150_994_944, 905_969_664, 3_623_878_656, 3_623_878_656,
    ]);
    expect(networkMacs(layers)).toBe(11_173_625_856);
  });
});
