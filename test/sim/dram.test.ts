import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { allocate, createDram, maxDramBytes } from '../../src/sim/dram.js';

describe('simulated DRAM', () => {
  it('refuses an allocation past its size, naming it, and keeps the ones that fit', () => {
    const dram = createDram();
    const a = allocate(dram, 'A', 1000);
    expect(() => allocate(dram, 'B', maxDramBytes)).toThrow(
      new InputError(
        `allocation "B" of ${maxDramBytes} bytes does not fit in the simulated DRAM ` +
          `(${maxDramBytes} bytes, ${a + 1000} in use)`,
      ),
    );
    expect(dram.allocations.map((x) => x.name)).toEqual(['A']);
    expect(dram.bytes.length).toBe(1 << 20);
  });
});
