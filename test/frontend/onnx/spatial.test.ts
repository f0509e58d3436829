import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { windowOutputSizes } from '../../../src/frontend/onnx/spatial.js';

/**
 * Window positions counted one by one: starts at -padBegin, every window inside the padded input.
 */
function countWindows(size: number, k: number, s: number, d: number, pb: number, pe: number) {
  const extent = (k - 1) * d + 1;
  let n = 0;
  for (let start = -pb; start + extent <= size + pe; start += s) {
    n++;
  }
  return n;
}

const geometry = fc.record({
  size: fc.integer({ min: 1, max: 40 }),
  k: fc.integer({ min: 1, max: 5 }),
  s: fc.integer({ min: 1, max: 4 }),
  d: fc.integer({ min: 1, max: 3 }),
  pb: fc.integer({ min: 0, max: 3 }),
  pe: fc.integer({ min: 0, max: 3 }),
});

describe('windowOutputSizes', () => {
  it('floor mode equals the number of windows that fit the padded input', () => {
    fc.assert(
      fc.property(geometry, ({ size, k, s, d, pb, pe }) => {
        const expected = countWindows(size, k, s, d, pb, pe);
        const r = windowOutputSizes([size], {
          kernelShape: [k],
          strides: [s],
          dilations: [d],
          pads: [pb, pe],
          autoPad: 'NOTSET',
          ceilMode: false,
        });
        expect(r).toEqual(expected > 0 ? { sizes: [expected] } : { error: expect.any(String) });
      }),
    );
  });

  it('SAME_UPPER and SAME_LOWER give ceil(size / stride)', () => {
    fc.assert(
      fc.property(geometry, ({ size, k, s }) => {
        for (const autoPad of ['SAME_UPPER', 'SAME_LOWER'] as const) {
          const r = windowOutputSizes([size], {
            kernelShape: [k],
            strides: [s],
            autoPad,
            ceilMode: false,
          });
          expect(r).toEqual({ sizes: [Math.ceil(size / s)] });
        }
      }),
    );
  });

  it('reports a kernel_shape of the wrong rank', () => {
    const r = windowOutputSizes([8, 8], { kernelShape: [3], autoPad: 'NOTSET', ceilMode: false });
    expect(r).toEqual({ error: expect.stringContaining('kernel_shape has 1 dims') });
  });
});
