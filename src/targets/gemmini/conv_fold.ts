import type { Problem } from '../../contract/target.js';
import type { Mapping } from '../../mapping/mapping.js';
import { memoryRows, type Spec } from '../../spec/spec.js';
import type { ConvWorkload } from '../../workload/workload.js';
import { convLayout, foldedPixels, isDiagonal } from './conv_layout.js';

/**
 * Folded kernel columns (`Mapping.foldKernelColumns`; docs/gemmini.md §5.5): a convolution with few
 * input channels keeps, in scratchpad row x of an input tile row, the pixels x, x+1, …, x+p−1 side
 * by side, C channels each. The load unit's pixel repeats write them: with CONFIG_LD's
 * pixel_repeats p, a move-in of one pixel (C columns) into row x also writes it into rows x−q,
 * shifted right by q·C columns, for q < p (ucb-bar/gemmini
 * src/main/scala/gemmini/PixelRepeater.scala; ucb-bar/gemmini-rocc-tests include/gemmini.h,
 * sp_tiled_conv, calls the count max_pixels_per_row). Every pixel of the padded tile, padding
 * included, is moved in as before, so the halo's value (zeros or the pad buffer) lands in every
 * row that holds it. One pass on the array then reduces over p kernel columns × C channels: A is
 * p·C columns of the rows one output column each (CONFIG_EX's A stride is the conv's stride), B
 * the p·C weight rows of kernel columns s…s+p−1, which the weight layout already keeps
 * consecutive (one row per (r, s, channel)). The array passes per output block drop from R·S to
 * R·⌈S/p⌉.
 */

/** Why this conv and mapping cannot fold kernel columns (none when the mapping does not ask). */
export function foldProblems(w: ConvWorkload, m: Mapping, spec: Spec): Problem[] {
  if (m.foldKernelColumns !== true) return [];
  const dim = spec.array.rows;
  const why: string[] = [];
  if (m.hardwareLoops === true) {
    why.push(
      'it runs unrolled (with hardwareLoops, LOOP_CONV_WS packs pixels itself: max_pixels_per_row)',
    );
  }
  if (w.groups !== 1 || isDiagonal(m)) why.push('it needs an ungrouped convolution');
  if (w.dilationW !== 1)
    why.push(`it needs kernel columns one pixel apart (dilation ${w.dilationW})`);
  const tC = Math.min(m.tile.C ?? w.C, w.C);
  if (tC !== w.C) why.push(`a row holds the tile's whole ${w.C} channels (tile.C is ${tC})`);
  if (why.length === 0 && foldedPixels(w, m, dim) < 2) {
    why.push(
      `it folds nothing: two pixels of ${w.C} channels must fit a row of ${dim} and the kernel ` +
        'tile be two columns wide',
    );
  }
  if (why.length === 0) {
    // A repeat never crosses into the scratchpad's other half, so no input copy may straddle it.
    const l = convLayout(w, m, spec);
    const half = memoryRows(spec.memories.scratchpad) >> 1;
    for (let k = 0; k < l.input.copies; k++) {
      const start = l.input.base + k * l.input.copyRows;
      const end = start + l.input.copyRows - 1;
      if (Math.floor(start / half) !== Math.floor(end / half)) {
        why.push(
          `input copy ${k} (scratchpad rows ${start}–${end}) straddles the scratchpad's halves ` +
            `at row ${half}, which pixel repeats do not cross`,
        );
      }
    }
  }
  return why.map((message) => ({ path: 'foldKernelColumns', message }));
}
