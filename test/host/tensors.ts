import type { HostTensor } from '../../src/host/host_tensor.js';

/** A float32 host tensor from a shape and values. */
export function f32(shape: readonly number[], values: readonly number[]): HostTensor {
  return { dtype: 'float32', shape, data: Float32Array.from(values) };
}

/** An int64 host tensor (plain numbers). */
export function i64(shape: readonly number[], values: readonly number[]): HostTensor {
  return { dtype: 'int64', shape, data: [...values] };
}

/** The values of a host tensor as plain numbers. */
export function values(t: HostTensor): number[] {
  return Array.from(t.data as ArrayLike<number>);
}
