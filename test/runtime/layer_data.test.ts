import { describe, expect, it } from 'vitest';
import { extremeLayerData, referenceOutput } from '../../src/runtime/layer_data.js';
import { parseConv, parseGemm } from '../../src/workload/parse.js';

describe('extremeLayerData', () => {
  it('drives every GEMM output sum to its largest magnitude, alternating sign by channel', () => {
    const w = parseGemm('3,4,5');
    const d = extremeLayerData(w);
    expect([...new Set(d.input)]).toEqual([-128]);
    // B is [K][N]: even output channels −128, odd +127, in every row.
    expect([...d.weight.slice(0, 8)]).toEqual([-128, 127, -128, 127, -128, 127, -128, 127]);
    expect([...d.bias!]).toEqual([0, 0, 0, 0]);
    // Sums 5·16384 = 81920 and 5·(−16256) = −81280, scaled by 127 / 81920.
    expect([...referenceOutput(w, d).slice(0, 4)]).toEqual([127, -126, 127, -126]);
  });

  it('uses the output channel innermost in conv weights (HWIO)', () => {
    const w = parseConv('H=4,W=4,C=2,K=3,R=3,S=3,pad=0');
    const d = extremeLayerData(w);
    expect([...d.weight.slice(0, 6)]).toEqual([-128, 127, -128, -128, 127, -128]);
    // 2·3·3 = 18 products per output, none padded away.
    expect([...referenceOutput(w, d).slice(0, 3)]).toEqual([127, -126, 127]);
  });

  it('a shift-only target gets a power-of-two scale', () => {
    const d = extremeLayerData(parseGemm('2,2,64'), 'power-of-two-shift');
    expect(Math.log2(d.scale)).toBe(Math.round(Math.log2(d.scale)));
  });
});
