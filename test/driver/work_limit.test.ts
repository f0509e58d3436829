import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { arrayMacs, checkLayerWork, checkMacs } from '../../src/driver/work_limit.js';
import { targetByName } from '../../src/targets/index.js';
import { parseConv, parseGemm } from '../../src/workload/parse.js';

const spec = targetByName('gemmini').spec;

describe('work limits', () => {
  it('checkMacs: exact counts below a million, three digits above', () => {
    expect(() => checkMacs('x', 4096, 4096)).not.toThrow();
    expect(() => checkMacs('x', 4097, 4096)).toThrow(
      new InputError('x takes 4097 MACs, above the limit of 4096 MACs (--max-macs N raises it)'),
    );
    expect(() => checkMacs('m.onnx', 2.8164e10, 1e10)).toThrow(
      new InputError(
        'm.onnx takes 2.82e+10 MACs, above the limit of 1.00e+10 MACs (--max-macs N raises it)',
      ),
    );
  });

  it('arrayMacs: the cheapest padding of two dimensions to the array, per group', () => {
    expect(arrayMacs(parseGemm('64,64,64'), 16, 16)).toBe(64 ** 3);
    // One column: M streamed or blocked, N and K padded to 16 at least once.
    expect(arrayMacs(parseGemm('1000000000,1,1'), 16, 16)).toBe(1.6e10);
    // Depthwise 112×112 outputs, 3×3: per group 12,544 × 1 × 9, best with N streamed.
    const dw = parseConv('N=1,H=114,W=114,C=32,K=32,R=3,S=3,stride=1,pad=0,groups=32');
    expect(arrayMacs(dw, 16, 16)).toBe(32 * 12544 * 16);
  });

  it('checkLayerWork: a layer light in MACs but heavy on the array is refused with both', () => {
    expect(() => checkLayerWork(parseGemm('100000000,1,1'), spec, 1e10)).not.toThrow();
    expect(() => checkLayerWork(parseGemm('1000000000,1,1'), spec, 1e10)).toThrow(
      new InputError(
        'gemm 1000000000x1x1 (1.00e+9 MACs, padded to the 16×16 array) takes 1.60e+10 MACs, ' +
          'above the limit of 1.00e+10 MACs (--max-macs N raises it)',
      ),
    );
  });
});
