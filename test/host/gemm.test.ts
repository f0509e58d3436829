import { describe, expect, it } from 'vitest';
import { gemm, matMul } from '../../src/host/gemm.js';
import { f32, values } from './tensors.js';

describe('host gemm', () => {
  it('transB, alpha, beta with a row-broadcast C', () => {
    const a = f32([2, 2], [1, 2, 3, 4]);
    const b = f32([3, 2], [1, 0, 0, 1, 1, 1]); // [N][K]
    const c = f32([3], [1, 2, 3]);
    const y = gemm(a, b, c, { transA: false, transB: true, alpha: 2, beta: 0.5 });
    expect(y.shape).toEqual([2, 3]);
    // A·Bᵀ = [[1,2,3],[3,4,7]]; 2·that + 0.5·C.
    expect(values(y)).toEqual([2.5, 5, 7.5, 6.5, 9, 15.5]);
  });

  it('transA reads A as [K][M]', () => {
    const a = f32([2, 1], [1, 2]); // Aᵀ = [[1, 2]]
    const b = f32([2, 2], [1, 2, 3, 4]);
    const y = gemm(a, b, undefined, { transA: true, transB: false, alpha: 1, beta: 1 });
    expect(values(y)).toEqual([7, 10]);
  });
});

describe('host matMul', () => {
  it('broadcasts a batch of one against a batch of three', () => {
    const eye = f32([1, 2, 2], [1, 0, 0, 1]);
    const b = f32([3, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const y = matMul(eye, b);
    expect(y.shape).toEqual([3, 2, 2]);
    expect(values(y)).toEqual(values(b));
  });

  it('batched A times a 2-D B', () => {
    const a = f32([2, 2, 3], [1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0]);
    const y = matMul(a, f32([3, 1], [1, 1, 1]));
    expect(y.shape).toEqual([2, 2, 1]);
    expect(values(y)).toEqual([6, 15, 1, 1]);
  });

  it('a 1-D left operand is a row vector and its dim is dropped', () => {
    const y = matMul(f32([2], [1, 2]), f32([2, 2], [1, 2, 3, 4]));
    expect(y.shape).toEqual([2]);
    expect(values(y)).toEqual([7, 10]);
  });
});
