import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.js';
import { parseSpec } from '../../src/spec/load_spec.js';
import { builtinTargets, targetFromSpecFile } from '../../src/targets/index.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const good = structuredClone(builtinTargets.gemmini.spec) as Record<string, unknown>;

function problemsOf(json: unknown): { path: string; message: string }[] {
  try {
    parseSpec(json, 'user.json');
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return [...(e as SpecError).problems];
  }
  return [];
}

function withChange(edit: (s: any) => void): unknown {
  const s = structuredClone(good);
  edit(s);
  return s;
}

describe('the spec schema', () => {
  it('accepts every built-in preset', () => {
    for (const t of Object.values(builtinTargets)) expect(problemsOf(t.spec)).toEqual([]);
  });

  it('loads a spec without a host section (its host nodes are then not timed)', () => {
    expect(problemsOf(withChange((s) => delete s.host))).toEqual([]);
  });

  it('wants a source for every host figure, and refuses a negative one', () => {
    const p = problemsOf(
      withChange((s) => {
        delete s.sources['host.cyclesPerElement.quantize'];
        s.host.cyclesPerElement.copy = -1;
      }),
    );
    expect(p.map((x) => x.path)).toEqual(['host.cyclesPerElement.copy', 'sources']);
    expect(p[1].message).toBe(
      'needs an entry "host.cyclesPerElement.quantize" saying where the figure comes from',
    );
  });

  it('names a capacity that is not a multiple of rowBytes × banks, with the value', () => {
    const p = problemsOf(withChange((s) => (s.memories.scratchpad.capacityBytes = 1000)));
    expect(p).toEqual([
      {
        path: 'memories.scratchpad.capacityBytes',
        message: 'must be a multiple of rowBytes × banks (got 1000)',
      },
    ]);
  });

  it('names a hardware capacity above the simulated one or not in whole rows', () => {
    for (const [hw, ok] of [
      [1 << 30, false],
      [1000, false],
      [4096, true],
    ] as const) {
      const p = problemsOf(withChange((s) => (s.memories.scratchpad.hardwareCapacityBytes = hw)));
      expect(p.map((x) => x.path)).toEqual(ok ? [] : ['memories.scratchpad.hardwareCapacityBytes']);
    }
  });

  it('reports every missing field at once, as required', () => {
    const p = problemsOf({ name: 'broken' });
    expect(p.map((x) => x.path)).toEqual([
      'isa',
      'description',
      'clockHz',
      'array',
      'memories',
      'dram',
      'issueCyclesPerInstruction',
      'queues',
      'requantization',
    ]);
    expect(p[2].message).toBe('is required (number)');
  });

  it('refuses a queue deeper than 65,536 entries (the fuzzer found 2^31 − 1 stalled the simulator)', () => {
    const p = problemsOf(withChange((s) => (s.queues.execute = 2 ** 31 - 1)));
    expect(p.map((x) => [x.path, x.message])).toEqual([
      ['queues.execute', 'must be at most 65,536 entries'],
    ]);
    expect(problemsOf(withChange((s) => (s.queues.load = 65_536)))).toEqual([]);
  });

  it('refuses a memory nested in a memory that does not exist', () => {
    const p = problemsOf(withChange((s) => (s.memories.accumulator.parent = 'l2')));
    expect(p[0].path).toBe('memories.accumulator.parent');
    expect(p[0].message).toContain('(got "l2")');
  });

  it("refuses memories that are each other's parent, at each of them", () => {
    const p = problemsOf(
      withChange((s) => {
        s.memories.scratchpad.parent = 'accumulator';
        s.memories.accumulator.parent = 'scratchpad';
      }),
    );
    const must = 'they must lead to "dram"';
    expect(p).toEqual([
      {
        path: 'memories.scratchpad.parent',
        message: `the parents form a cycle (scratchpad → accumulator → scratchpad); ${must}`,
      },
      {
        path: 'memories.accumulator.parent',
        message: `the parents form a cycle (accumulator → scratchpad → accumulator); ${must}`,
      },
    ]);
  });

  it('refuses a memory larger than the simulator holds, with the limit', () => {
    const p = problemsOf(withChange((s) => (s.memories.scratchpad.capacityBytes = 2 ** 50)));
    expect(p).toEqual([
      {
        path: 'memories.scratchpad.capacityBytes',
        message:
          'must be at most 1073741824 (1 GiB): the simulator holds each memory in one array ' +
          '(got 1125899906842624)',
      },
    ]);
  });

  it('refuses a spec where no memory holds the weights', () => {
    const p = problemsOf(withChange((s) => (s.memories.scratchpad.holds = ['input'])));
    expect(p).toEqual([{ path: 'memories', message: 'no memory holds the weight tensor' }]);
  });

  it('refuses unknown fields, negative sizes and bad enums by path', () => {
    const p = problemsOf(
      withChange((s) => {
        s.array.rows = -4;
        s.array.dataflows = ['row-stationary'];
        s.dram.colour = 'red';
      }),
    );
    expect(p.map((x) => x.path).sort()).toEqual(['array.dataflows.0', 'array.rows', 'dram']);
  });
});

describe('user spec files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gf-spec-'));
  const write = (name: string, json: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
    return path;
  };

  it('a valid spec naming the gemmini ISA becomes a target', () => {
    const t = targetFromSpecFile(
      write(
        'ok.json',
        withChange((s) => (s.name = 'my-accel')),
      ),
    );
    expect(t.name).toBe('my-accel');
    expect(t.spec.array.rows).toBe(16);
  });

  it('an unknown ISA is a SpecError on the isa field', () => {
    const path = write(
      'isa.json',
      withChange((s) => (s.isa = 'tpu')),
    );
    expect(() => targetFromSpecFile(path)).toThrow(/isa: must name a built-in instruction set/);
  });

  it("the ISA's own checks run too: Gemmini needs a DIM-byte scratchpad row", () => {
    const path = write(
      'row.json',
      withChange((s) => (s.memories.scratchpad.rowBytes = 32)),
    );
    expect(() => targetFromSpecFile(path)).toThrow(
      /memories.scratchpad.rowBytes: must be DIM = 16/,
    );
  });

  it('Gemmini refuses memories smaller than one double-buffered block of each tensor', () => {
    const path = write(
      'small.json',
      withChange((s) => {
        s.memories.scratchpad.capacityBytes = 64;
        s.memories.accumulator.capacityBytes = 1024;
        s.memories.accumulator.banks = 1;
      }),
    );
    expect(() => targetFromSpecFile(path)).toThrow(
      new SpecError(path, [
        {
          path: 'memories.scratchpad.capacityBytes',
          message:
            'must hold an input and a weight block of DIM rows, each double-buffered: ' +
            '4 × DIM rows = 1024 bytes at least (got 64)',
        },
        {
          path: 'memories.accumulator.capacityBytes',
          message:
            'must hold an output block of DIM rows, double-buffered: ' +
            '2 × DIM rows = 2048 bytes at least (got 1024)',
        },
      ]),
    );
  });

  it('Gemmini refuses transfers too small for an accumulator row (a bias move-in is one)', () => {
    // Found by the fuzzer (seed 4, case 5214): 32 bytes made LOOP_WS's bias move-in fault.
    const path = write(
      'transfer.json',
      withChange((s) => (s.dram.maxTransferBytes = 32)),
    );
    expect(() => targetFromSpecFile(path)).toThrow(
      new SpecError(path, [
        {
          path: 'dram.maxTransferBytes',
          message: 'must hold at least one accumulator row (4 × DIM = 64 bytes) (got 32)',
        },
      ]),
    );
  });

  it("Gemmini's vendorLibrary names a gemmini.h release it knows: dev or dosa", () => {
    const dosa = write(
      'dosa.json',
      withChange((s) => (s.vendorLibrary = 'dosa')),
    );
    expect(targetFromSpecFile(dosa).spec.vendorLibrary).toBe('dosa');
    const path = write(
      'lib.json',
      withChange((s) => (s.vendorLibrary = 'v0.5')),
    );
    expect(() => targetFromSpecFile(path)).toThrow(
      new SpecError(path, [
        { path: 'vendorLibrary', message: 'must be one of dev, dosa (got "v0.5")' },
      ]),
    );
  });

  it('a file that is not JSON, or missing, is a SpecError', () => {
    expect(() => targetFromSpecFile(write('x.json', '{nope'))).toThrow(SpecError);
    expect(() => targetFromSpecFile(join(dir, 'missing.json'))).toThrow(/cannot be read/);
  });
});
