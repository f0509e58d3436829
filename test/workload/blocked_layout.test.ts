import { describe, expect, it } from 'vitest';
import {
  fromBlockedChannels,
  toBlockedChannels,
  toBlockedWeights,
  toDiagonalBlockedWeights,
} from '../../src/workload/blocked_layout.js';

describe('blocked layouts', () => {
  it('blocks channels, zero-padding the last block, and unblocks them again', () => {
    // N 1, H 1, W 2, C 3 in blocks of 2: [w][c] → [cb][w][lane].
    const x = { N: 1, H: 1, W: 2, C: 3, B: 2 };
    const plain = Int8Array.from([1, 2, 3, 4, 5, 6]);
    const packed = toBlockedChannels(x, plain);
    expect([...packed]).toEqual([1, 2, 4, 5, 3, 0, 6, 0]);
    expect([...fromBlockedChannels(x, packed)]).toEqual([...plain]);
  });

  it('blocks HWIO weights as [K/B][C/B][R][S][B out][B in]', () => {
    // R = S = 1, C 2, K 3, B 2: weights[c][k] = 10c + k.
    const weights = Int8Array.from([0, 1, 2, 10, 11, 12]);
    const packed = toBlockedWeights({ R: 1, S: 1, C: 2, K: 3, B: 2 }, weights);
    // Block kb 0: out 0 (in 0, 1), out 1; block kb 1: out 2, then a zero padding row.
    expect([...packed]).toEqual([0, 10, 1, 11, 2, 12, 0, 0]);
  });

  it('puts depthwise taps [R][S][1][G] on the diagonals of [G/B][R][S][B][B] blocks', () => {
    // R 1, S 2, G 3, B 2: weights[s][g] = 10s + g + 1.
    const weights = Int8Array.from([1, 2, 3, 11, 12, 13]);
    const packed = toDiagonalBlockedWeights({ R: 1, S: 2, G: 3, B: 2 }, weights);
    // Block 0 (groups 0, 1) at s 0 and s 1, then block 1 (group 2, a zero padding lane).
    expect([...packed]).toEqual([1, 0, 0, 2, 11, 0, 0, 12, 3, 0, 0, 0, 13, 0, 0, 0]);
  });
});
