import { InternalError } from '../errors.js';
import { interpret } from '../program/interpret.js';
import type { Buffer, Program } from '../program/program.js';
import { allocate, createDram, readInt8, writeInt32, writeInt8 } from '../sim/dram.js';
import { startSimulation, type SimulationResult } from './simulate.js';
import type { AnyTarget } from '../contract/target.js';

export interface ProgramRun {
  readonly instructions: number;
  readonly result: SimulationResult;
  /** The output buffer's bytes read back from simulated DRAM (functional runs only). */
  readonly output: Int8Array | null;
}

/**
 * Runs a lowered program on a target's simulator: places its buffers in a fresh DRAM, writes the
 * constants, and, in a functional run, what `data` gives for each buffer (int8 or int32; null
 * leaves it as allocated), then expands the program and simulates it. `data` null: timing only.
 */
export function runProgram(
  target: AnyTarget,
  program: Program,
  data: ((b: Buffer) => Int8Array | Int32Array | null) | null,
): ProgramRun {
  const dram = createDram();
  const bases: Record<string, number> = {};
  for (const b of program.buffers) {
    bases[b.name] = allocate(dram, b.name, Math.max(1, b.bytes), target.spec.dram.alignmentBytes);
    if (b.contents !== undefined) writeInt32(dram, bases[b.name], Int32Array.from(b.contents));
    const bytes = data?.(b) ?? null;
    if (bytes instanceof Int8Array) writeInt8(dram, bases[b.name], bytes);
    if (bytes instanceof Int32Array) writeInt32(dram, bases[b.name], bytes);
  }
  const machine = target.createMachine(dram, data !== null);
  const sim = startSimulation(target, machine);
  let instructions = 0;
  interpret<{ readonly kind: string }>(program, bases, (item) => {
    instructions++;
    sim.step(item);
  });
  const result = sim.finish();
  const out = program.buffers.find((b) => b.role === 'output');
  if (out === undefined) throw new InternalError(`program ${program.name} has no output buffer`);
  const output = data === null ? null : readInt8(dram, bases[out.name], out.bytes);
  return { instructions, result, output };
}
