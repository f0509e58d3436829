import type { Graph } from '../ir/graph.js';
import { formLabel, type LayoutConversion, type TensorForm } from '../partition/layout_plan.js';
import { cType } from './c_model_data.js';

/**
 * One conversion of the layout plan (src/partition/layout_plan.ts) as a C function: a copy of a
 * 4-D tensor from the region of one form into the region of another (NCHW ↔ NHWC, or NHWC into
 * NHWC padded), the padding filled with its value first. The runtime's conversions
 * (src/runtime/activation_layout.ts) move the same elements.
 */

/** The C index of element (n, c, h, w) of an [N][C][H][W] tensor held in `form`. */
function indexIn(form: TensorForm, C: number, H: number, W: number): string {
  if (form.layout === 'NCHW') return `((n * ${C} + c) * ${H} + h) * ${W} + w`;
  const [pT, pL, pB, pR] = form.pad?.pads ?? [0, 0, 0, 0];
  const rows = H + pT + pB;
  const cols = W + pL + pR;
  return `((n * ${rows} + h + ${pT}) * ${cols} + w + ${pL}) * ${C} + c`;
}

export function layoutConversionC(
  conversion: LayoutConversion,
  graph: Graph,
  at: { readonly from: number; readonly to: number },
  fn: string,
): string {
  const t = graph.tensors[conversion.tensor];
  const [N, C, H, W] = t.shape;
  const type = cType(t.dtype);
  const { from, to } = conversion;
  const what = `${conversion.op}: '${conversion.tensor.replace(/\*\//g, '* /')}' ${formLabel(from)} → ${formLabel(to)}`;
  return [
    `/* ${what} */`,
    `static void ${fn}(void) {`,
    `  const ${type} *x = GF_AT(const ${type}, ${at.from});`,
    `  ${type} *y = GF_AT(${type}, ${at.to});`,
    ...(to.pad === null
      ? []
      : [`  for (int64_t i = 0; i < ${conversion.elements}; ++i) y[i] = ${to.pad.value};`]),
    `  for (int64_t n = 0; n < ${N}; ++n)`,
    `    for (int64_t c = 0; c < ${C}; ++c)`,
    `      for (int64_t h = 0; h < ${H}; ++h)`,
    `        for (int64_t w = 0; w < ${W}; ++w)`,
    `          y[${indexIn(to, C, H, W)}] = x[${indexIn(from, C, H, W)}];`,
    '}',
    '',
  ].join('\n');
}
