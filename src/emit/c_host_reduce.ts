import { elementCount, type Graph, type Node, type Rescale } from '../ir/graph.js';
import { normalizeAxis, stridesOf } from '../host/host_tensor.js';
import { window2d } from '../host/window.js';
import {
  constValues,
  linear,
  nestedLoops,
  refuse,
  requireF32,
  tensorOf,
  type TensorPointer,
} from './c_host_loops.js';
import { cDouble, cFloat } from './c_model_data.js';

/**
 * Pooling and reductions in C (MaxPool, QMaxPool on int8 values, AveragePool, GlobalAveragePool,
 * Softmax, ReduceMean), with the host kernels' arithmetic: float32 values summed in double in the
 * same order, exp in double.
 */

export function pool(
  node: Node & { op: 'MaxPool' | 'AveragePool' | 'QMaxPool' },
  graph: Graph,
  ptr: TensorPointer,
) {
  const x = tensorOf(graph, node, node.inputs[0]);
  const y = tensorOf(graph, node, node.outputs[0]);
  const int8 = node.op === 'QMaxPool';
  if (!int8) requireF32(node, [x]);
  const elem = int8 ? 'int8_t' : 'float';
  if (node.outputs.length > 1 && node.outputs[1] !== '') refuse(node, 'MaxPool indices output');
  const rank = x.shape.length;
  if (rank !== 3 && rank !== 4) refuse(node, `a ${rank}-D input`);
  const g = window2d(x.shape.slice(2), node.attrs);
  const H = rank === 4 ? x.shape[2] : 1;
  const W = x.shape[rank - 1];
  const NC = x.shape[0] * x.shape[1];
  const max = node.op !== 'AveragePool';
  const countIncludePad = node.op === 'AveragePool' && node.attrs.countIncludePad;
  const divisor = countIncludePad
    ? [
        `const int64_t h_end = h0 + ${(g.kH - 1) * g.dH + 1} < ${H + g.padBottom} ? h0 + ${(g.kH - 1) * g.dH + 1} : ${H + g.padBottom};`,
        `const int64_t w_end = w0 + ${(g.kW - 1) * g.dW + 1} < ${W + g.padRight} ? w0 + ${(g.kW - 1) * g.dW + 1} : ${W + g.padRight};`,
        'const double divisor = (double)((h_end - h0) * (w_end - w0));',
      ]
    : ['const double divisor = (double)count;'];
  return [
    `  const ${elem} *x = ${ptr(x.name)};`,
    `  ${elem} *y = ${ptr(y.name)};`,
    `  for (int64_t nc = 0; nc < ${NC}; ++nc) {`,
    `    const ${elem} *plane = x + nc * ${H * W};`,
    `    ${elem} *out = y + nc * ${g.outH * g.outW};`,
    `    for (int64_t oh = 0; oh < ${g.outH}; ++oh) {`,
    `      const int64_t h0 = oh * ${g.sH} - ${g.padTop};`,
    `      for (int64_t ow = 0; ow < ${g.outW}; ++ow) {`,
    `        const int64_t w0 = ow * ${g.sW} - ${g.padLeft};`,
    '        float best = -__builtin_inff();',
    '        double sum = 0.0;',
    '        int64_t count = 0;',
    `        for (int64_t kh = 0; kh < ${g.kH}; ++kh) {`,
    `          const int64_t h = h0 + kh * ${g.dH};`,
    `          if (h < 0 || h >= ${H}) continue;`,
    `          for (int64_t kw = 0; kw < ${g.kW}; ++kw) {`,
    `            const int64_t w = w0 + kw * ${g.dW};`,
    `            if (w < 0 || w >= ${W}) continue;`,
    `            const float v = (float)plane[h * ${W} + w];`,
    '            if (v > best) best = v;',
    '            sum += (double)v;',
    '            ++count;',
    '          }',
    '        }',
    ...(max
      ? [
          '        (void)sum;',
          '        (void)count;',
          ...(node.op === 'QMaxPool'
            ? [
                ...rescaledC(node.attrs.rescale).map((l) => `        ${l}`),
                `        out[oh * ${g.outW} + ow] = (int8_t)q;`,
              ]
            : [`        out[oh * ${g.outW} + ow] = best;`]),
        ]
      : [
          '        (void)best;',
          ...divisor.map((l) => `        ${l}`),
          `        out[oh * ${g.outW} + ow] = (float)(sum / divisor);`,
        ]),
    '      }',
    '    }',
    '  }',
  ];
}

/** An int8 maximum `best` (held in a float) moved to the output's quantization as `q`, in C. */
function rescaledC(r: Rescale | null): string[] {
  if (r === null) return ['const float q = best;'];
  const real = `(float)(best - ${r.inZeroPoint}.0f) * ${cFloat(r.inScale)}`;
  return [
    `const double v = (double)gf_round_half_even((float)(${real}) / ${cFloat(r.outScale)}) + ${r.outZeroPoint};`,
    'const double q = v < -128 ? -128 : v > 127 ? 127 : v;',
  ];
}

export function globalAveragePool(node: Node, graph: Graph, ptr: TensorPointer) {
  const x = tensorOf(graph, node, node.inputs[0]);
  requireF32(node, [x]);
  const NC = x.shape[0] * x.shape[1];
  const plane = elementCount(x.shape.slice(2));
  return [
    `  const float *x = ${ptr(x.name)};`,
    `  float *y = ${ptr(node.outputs[0])};`,
    `  for (int64_t nc = 0; nc < ${NC}; ++nc) {`,
    '    double sum = 0.0;',
    `    for (int64_t i = 0; i < ${plane}; ++i) sum += (double)x[nc * ${plane} + i];`,
    `    y[nc] = (float)(sum / ${plane}.0);`,
    '  }',
  ];
}

export function softmax(node: Node & { op: 'Softmax' }, graph: Graph, ptr: TensorPointer) {
  const x = tensorOf(graph, node, node.inputs[0]);
  requireF32(node, [x]);
  const a = normalizeAxis(node.attrs.axis, x.shape.length);
  const len = graph.opset >= 13 ? x.shape[a] : elementCount(x.shape.slice(a));
  const inner = graph.opset >= 13 ? elementCount(x.shape.slice(a + 1)) : 1;
  const outer = elementCount(x.shape) / (len * inner);
  return [
    `  const float *x = ${ptr(x.name)};`,
    `  float *y = ${ptr(node.outputs[0])};`,
    `  static double exps[${len}];`,
    `  for (int64_t o = 0; o < ${outer}; ++o) {`,
    `    for (int64_t i = 0; i < ${inner}; ++i) {`,
    `      const int64_t base = o * ${len * inner} + i;`,
    '      double max = -__builtin_inf();',
    `      for (int64_t k = 0; k < ${len}; ++k) {`,
    `        const double v = (double)x[base + k * ${inner}];`,
    '        if (v > max) max = v;',
    '      }',
    '      double sum = 0.0;',
    `      for (int64_t k = 0; k < ${len}; ++k) {`,
    `        exps[k] = __builtin_exp((double)x[base + k * ${inner}] - max);`,
    '        sum += exps[k];',
    '      }',
    `      for (int64_t k = 0; k < ${len}; ++k) y[base + k * ${inner}] = (float)(exps[k] / sum);`,
    '    }',
    '  }',
  ];
}

export function reduceMean(node: Node & { op: 'ReduceMean' }, graph: Graph, ptr: TensorPointer) {
  const x = tensorOf(graph, node, node.inputs[0]);
  requireF32(node, [x]);
  const rank = x.shape.length;
  const axes = graph.opset >= 18 ? constValues(graph, node.inputs[1]) : node.attrs.axes;
  if (
    graph.opset >= 18 &&
    node.inputs[1] !== undefined &&
    node.inputs[1] !== '' &&
    axes === undefined
  ) {
    refuse(node, 'its axes must be constant');
  }
  const n = elementCount(x.shape);
  if ((axes === undefined || axes.length === 0) && node.attrs.noopWithEmptyAxes) {
    return [
      `  const float *x = ${ptr(x.name)};`,
      `  float *y = ${ptr(node.outputs[0])};`,
      `  for (int64_t i = 0; i < ${n}; ++i) y[i] = x[i];`,
    ];
  }
  const reduced = new Set(
    axes === undefined || axes.length === 0
      ? x.shape.map((_, i) => i)
      : axes.map((a) => normalizeAxis(a, rank)),
  );
  const kept = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const ks = stridesOf(kept);
  const outStride = x.shape.map((_, i) => (reduced.has(i) ? 0 : ks[i]));
  const outCount = elementCount(kept);
  const xs = stridesOf(x.shape);
  return [
    `  const float *x = ${ptr(x.name)};`,
    `  float *y = ${ptr(node.outputs[0])};`,
    `  static double sums[${outCount}];`,
    `  for (int64_t i = 0; i < ${outCount}; ++i) sums[i] = 0.0;`,
    ...nestedLoops(x.shape, (idx) => [
      `sums[${linear(idx, outStride)}] += (double)x[${linear(idx, xs)}];`,
    ]),
    `  for (int64_t i = 0; i < ${outCount}; ++i) y[i] = (float)(sums[i] / ${cDouble(n / outCount)});`,
  ];
}
