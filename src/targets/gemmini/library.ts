import type { Spec } from '../../spec/spec.js';
import type { ConvWorkload } from '../../workload/workload.js';

/**
 * The releases of Gemmini's C library (ucb-bar/gemmini-rocc-tests include/gemmini.h) that the
 * spec's `vendorLibrary` may name. `dev`, the default, is that repository's default branch (today's
 * library). `dosa` is its `dosa` branch, the library the FireSim measurements in
 * bench/data/firesim-gemmini ran with: identical tiling except that it switched the "downsample"
 * rule off (its `downsample` is the constant false in both `tiled_conv` and `tiled_conv_stride_auto`).
 */
export const vendorLibraries = ['dev', 'dosa'] as const;
export type VendorLibrary = (typeof vendorLibraries)[number];

export function vendorLibrary(spec: Spec): VendorLibrary {
  return spec.vendorLibrary === 'dosa' ? 'dosa' : 'dev';
}

/**
 * Whether the library runs this conv as a "downsample": `tiled_conv` on the dev branch sets it for
 * a 1×1 kernel, stride 2, no padding, no pooling and an input of even height and width. The
 * LOOP_CONV_WS generators then load only the even input rows and columns, packed (so a tile's
 * input takes a quarter of the rows), and the array reads them with stride 1; `tiled_conv_auto`
 * counts the input rows that way when it sizes the tiles.
 */
export function downsamples(w: ConvWorkload, spec: Spec): boolean {
  if (vendorLibrary(spec) === 'dosa') return false;
  const pads = w.padTop + w.padBottom + w.padLeft + w.padRight;
  return (
    w.R === 1 &&
    w.S === 1 &&
    w.strideH === 2 &&
    w.strideW === 2 &&
    pads === 0 &&
    w.groups === 1 &&
    w.H % 2 === 0 &&
    w.W % 2 === 0
  );
}
