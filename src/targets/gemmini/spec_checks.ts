import { squareInt8ArrayProblems } from '../../contract/array_checks.js';
import type { Spec } from '../../spec/spec.js';
import { vendorLibraries } from './library.js';

type Problem = { readonly path: string; readonly message: string };

/**
 * What Gemmini's code needs from a spec beyond the shared schema: a square int8 array, a scratchpad of
 * DIM-byte int8 rows holding inputs and weights, and an accumulator of DIM int32 rows holding outputs.
 */
export function checkGemminiSpec(spec: Spec): readonly Problem[] {
  const problems: Problem[] = squareInt8ArrayProblems(spec);
  const dim = spec.array.rows;
  const sp = spec.memories.scratchpad;
  const acc = spec.memories.accumulator;
  if (sp === undefined) {
    problems.push({
      path: 'memories.scratchpad',
      message: 'is required (inputs and weights live there)',
    });
  } else {
    if (sp.rowBytes !== dim) {
      problems.push({
        path: 'memories.scratchpad.rowBytes',
        message: `must be DIM = ${dim} (got ${sp.rowBytes})`,
      });
    }
    if (sp.elementType !== 'int8') {
      problems.push({ path: 'memories.scratchpad.elementType', message: 'must be int8' });
    }
    if (sp.capacityBytes < 4 * dim * sp.rowBytes) {
      problems.push({
        path: 'memories.scratchpad.capacityBytes',
        message:
          `must hold an input and a weight block of DIM rows, each double-buffered: ` +
          `4 × DIM rows = ${4 * dim * sp.rowBytes} bytes at least (got ${sp.capacityBytes})`,
      });
    }
  }
  if (acc === undefined) {
    problems.push({
      path: 'memories.accumulator',
      message: 'is required (partial sums live there)',
    });
  } else {
    if (acc.rowBytes !== 4 * dim) {
      problems.push({
        path: 'memories.accumulator.rowBytes',
        message: `must be 4 × DIM = ${4 * dim} (got ${acc.rowBytes})`,
      });
    }
    if (acc.elementType !== 'int32') {
      problems.push({ path: 'memories.accumulator.elementType', message: 'must be int32' });
    }
    if (acc.capacityBytes < 2 * dim * acc.rowBytes) {
      problems.push({
        path: 'memories.accumulator.capacityBytes',
        message:
          `must hold an output block of DIM rows, double-buffered: ` +
          `2 × DIM rows = ${2 * dim * acc.rowBytes} bytes at least (got ${acc.capacityBytes})`,
      });
    }
  }
  // Bias and partial sums move in and out of the accumulator a whole int32 row at a time (the
  // loop unrollers' mvin of bias included), so one transfer must hold that row.
  if (spec.dram.maxTransferBytes < 4 * dim) {
    problems.push({
      path: 'dram.maxTransferBytes',
      message:
        `must hold at least one accumulator row (4 × DIM = ${4 * dim} bytes) ` +
        `(got ${spec.dram.maxTransferBytes})`,
    });
  }
  const library = spec.vendorLibrary;
  if (library !== undefined && !(vendorLibraries as readonly string[]).includes(library)) {
    problems.push({
      path: 'vendorLibrary',
      message: `must be one of ${vendorLibraries.join(', ')} (got "${library}")`,
    });
  }
  if (spec.requantization.scale !== 'float32') {
    problems.push({
      path: 'requantization.scale',
      message: 'must be float32 (Gemmini scales in fp32)',
    });
  }
  return problems;
}
