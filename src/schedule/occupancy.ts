import type { Footprint } from '../contract/target.js';
import type { Mapping } from '../mapping/mapping.js';
import { memoryRows, type Spec, type TensorRole } from '../spec/spec.js';

/** One tensor's share of a memory: its footprint, doubled when it is double-buffered. */
export interface MemoryPart {
  readonly tensor: TensorRole;
  readonly rows: number;
  readonly doubleBuffered: boolean;
}

/** How much of one memory a mapping takes. */
export interface MemoryUse {
  readonly memory: string;
  readonly rows: number;
  readonly capacityRows: number;
  readonly bytes: number;
  /** rows / capacityRows (summed part by part); above 1 the mapping does not fit. */
  readonly fraction: number;
  readonly parts: readonly MemoryPart[];
}

/**
 * What a mapping takes of each memory, from the target's footprints (rows of one copy per tensor):
 * the one place double buffering is counted. Memories in the order the footprints first name them.
 */
export function occupancy(
  footprints: readonly Footprint[],
  m: Mapping,
  spec: Spec,
): readonly MemoryUse[] {
  const uses = new Map<string, MemoryUse>();
  for (const f of footprints) {
    const mem = spec.memories[f.memory];
    const doubleBuffered = m.doubleBuffer[f.tensor];
    const rows = f.rows * (doubleBuffered ? 2 : 1);
    const prev = uses.get(f.memory) ?? {
      memory: f.memory,
      rows: 0,
      capacityRows: memoryRows(mem),
      bytes: 0,
      fraction: 0,
      parts: [],
    };
    uses.set(f.memory, {
      ...prev,
      rows: prev.rows + rows,
      bytes: prev.bytes + rows * mem.rowBytes,
      fraction: prev.fraction + rows / prev.capacityRows,
      parts: [...prev.parts, { tensor: f.tensor, rows, doubleBuffered }],
    });
  }
  return [...uses.values()];
}
