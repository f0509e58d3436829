import type { WindowAttrs } from '../../ir/graph.js';

/**
 * Output sizes of a sliding window over `inSizes` (ONNX Conv/MaxPool/AveragePool). With ceil_mode a
 * window that would start entirely in the end padding is dropped, as PyTorch and onnxruntime do.
 * Returns an error message instead of sizes when the window does not fit.
 */
export function windowOutputSizes(
  inSizes: readonly number[],
  w: WindowAttrs,
): { readonly sizes: readonly number[] } | { readonly error: string } {
  const n = inSizes.length;
  if (w.kernelShape.length !== n) {
    return {
      error: `kernel_shape has ${w.kernelShape.length} dims, the input has ${n} spatial dims`,
    };
  }
  const strides = w.strides ?? inSizes.map(() => 1);
  const dilations = w.dilations ?? inSizes.map(() => 1);
  const pads = w.pads ?? inSizes.map(() => 0).concat(inSizes.map(() => 0));
  if (strides.length !== n || dilations.length !== n || pads.length !== 2 * n) {
    return { error: `strides, dilations or pads do not match ${n} spatial dims` };
  }
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) {
    const extent = (w.kernelShape[i] - 1) * dilations[i] + 1;
    const s = strides[i];
    let out: number;
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
      out = Math.ceil(inSizes[i] / s);
    } else {
      const padded = w.autoPad === 'VALID' ? inSizes[i] : inSizes[i] + pads[i] + pads[n + i];
      const round = w.ceilMode ? Math.ceil : Math.floor;
      out = round((padded - extent) / s) + 1;
      const padBegin = w.autoPad === 'VALID' ? 0 : pads[i];
      if (w.ceilMode && (out - 1) * s >= inSizes[i] + padBegin) {
        out -= 1;
      }
    }
    if (out < 1) {
      return { error: `window ${extent} does not fit input size ${inSizes[i]} in dim ${i}` };
    }
    sizes.push(out);
  }
  return { sizes };
}
