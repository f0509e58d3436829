import { describe, expect, it } from 'vitest';
import { memoryProblems, type MemoryNeeds } from '../../src/contract/array_checks.js';
import { targetByName } from '../../src/targets/index.js';
import type { Spec } from '../../src/spec/spec.js';

// VTA's INP buffer: 16-byte int8 rows of inputs, directly below DRAM, 2^11 of them.
const spec = targetByName('vta').spec;
const name = 'inp';
const memory = spec.memories[name];
const fits: MemoryNeeds = {
  why: 'operands live there',
  rowBytes: memory.rowBytes,
  elementType: memory.elementType,
  holds: memory.holds,
  maxLog2Rows: 30,
};
const withMemory = (changes: object): Spec => ({
  ...spec,
  memories: { ...spec.memories, [name]: { ...memory, ...changes } },
});

describe('memoryProblems', () => {
  it('accepts a memory as the target needs it', () => {
    expect(memory.parent).toBe('dram');
    expect(memoryProblems(spec, name, fits)).toEqual([]);
  });

  it('names a missing memory and why it is needed', () => {
    expect(memoryProblems(spec, 'nowhere', fits)).toEqual([
      { path: 'memories.nowhere', message: 'is required (operands live there)' },
    ]);
  });

  it('reports each field that differs, under its path', () => {
    const bad = withMemory({ rowBytes: 3 * memory.rowBytes, elementType: 'float32', holds: [] });
    expect(memoryProblems(bad, name, fits).map((p) => p.path)).toEqual([
      `memories.${name}.rowBytes`,
      `memories.${name}.elementType`,
      `memories.${name}.holds`,
      `memories.${name}.capacityBytes`,
    ]);
  });

  it('needs a power-of-two number of rows within the index width', () => {
    const rows = memory.capacityBytes / memory.rowBytes;
    const problems = memoryProblems(spec, name, { ...fits, maxLog2Rows: Math.log2(rows) - 1 });
    expect(problems).toEqual([
      {
        path: `memories.${name}.capacityBytes`,
        message: `must hold 2^n entries, n ≤ ${Math.log2(rows) - 1}`,
      },
    ]);
  });
});
