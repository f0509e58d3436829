import { z } from 'zod';

/**
 * The accelerator-neutral description of a GEMM accelerator. Everything the shared compiler knows about a
 * target comes from here; field names carry their units.
 */

export const tensorRoles = ['input', 'weight', 'output'] as const;
export type TensorRole = (typeof tensorRoles)[number];

export const dataflows = ['weight-stationary', 'output-stationary'] as const;
export type Dataflow = (typeof dataflows)[number];

export const elementTypes = ['int8', 'uint8', 'int16', 'int32', 'float32'] as const;
export type ElementType = (typeof elementTypes)[number];

export const activations = ['none', 'relu'] as const;
export type Activation = (typeof activations)[number];

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

const arraySchema = z.strictObject({
  rows: positiveInt.describe('processing-element rows (the reduction axis in weight-stationary)'),
  cols: positiveInt.describe('processing-element columns'),
  dataflows: z.array(z.enum(dataflows)).min(1),
  inputType: z.enum(elementTypes),
  weightType: z.enum(elementTypes),
  accType: z.enum(elementTypes),
  outputType: z.enum(elementTypes),
  partialSumBits: z
    .number()
    .int()
    .min(8)
    .max(64)
    .describe('width of the partial sums inside the array; wider sums wrap'),
  pipelineLatencyCycles: nonNegativeInt.describe(
    'cycles from the first operand row to the first result',
  ),
});

const memorySchema = z.strictObject({
  capacityBytes: positiveInt,
  rowBytes: positiveInt.describe('bytes in one addressable row'),
  banks: positiveInt,
  holds: z
    .array(z.enum(tensorRoles))
    .describe('the tensors it may hold; none for a program memory (e.g. micro-op kernels)'),
  elementType: z.enum(elementTypes).describe('the element type this memory stores'),
  parent: z.string().describe('"dram", or the name of the memory this one is nested inside'),
  doubleBuffer: z.boolean().describe('whether a tensor may be double-buffered here'),
  /**
   * The capacity the accelerator's own address generators assume (its hardware's), where the memory
   * is simulated larger than that: a program whose addresses run past the hardware's memory (tiles a
   * vendor library ran without its checks) is then timed at the addresses it used, not refused.
   * Absent: `capacityBytes`.
   */
  hardwareCapacityBytes: positiveInt.optional(),
});

const dramSchema = z.strictObject({
  bytesPerCycle: z.number().positive(),
  latencyCycles: nonNegativeInt,
  maxTransferBytes: positiveInt.describe('largest DRAM row one load or store instruction moves'),
  alignmentBytes: positiveInt,
  /**
   * Bus requests (reads, and separately writes) that may be outstanding at once; each holds its
   * slot for `latencyCycles`. Absent: no limit beyond bandwidth.
   */
  requestsInFlight: positiveInt.optional(),
  /**
   * Move instructions (loads, and separately stores) whose bus requests may be outstanding at once;
   * a move holds its slot from its start until its last request returns (loads) or is acknowledged
   * (stores), `latencyCycles` after its last request leaves. Absent: no limit beyond the requests.
   */
  commandsInFlight: positiveInt.optional(),
  /**
   * Address translation in front of the accelerator's DMA: pages of `pageBytes`; a TLB whose one
   * entry covers `entryPages` consecutive pages (filled page by page), and a register per direction
   * holding its last page; a miss stalls that direction's requests for `missCycles`. Absent:
   * physical addresses, nothing to translate.
   */
  translation: z
    .strictObject({
      pageBytes: positiveInt,
      entryPages: positiveInt,
      missCycles: z.number().nonnegative(),
    })
    .optional(),
});

/**
 * Entries of each unit's instruction queue. Hardware queues hold a few dozen (the presets' `queues`
 * and their `sources`); the bound keeps the simulator's state per entry small.
 */
const queueDepth = positiveInt.max(65_536, 'must be at most 65,536 entries');
const queuesSchema = z.strictObject({
  load: queueDepth,
  execute: queueDepth,
  store: queueDepth,
});

export const requantScales = ['float32', 'power-of-two-shift'] as const;
/** How a target turns int32 sums into int8: an fp32 multiply, or a rounding right shift (scale 2^-s). */
export type RequantScale = (typeof requantScales)[number];

const requantSchema = z.strictObject({
  scale: z.enum(requantScales),
  perChannel: z.boolean(),
  activations: z.array(z.enum(activations)).min(1),
});

/**
 * The kinds of work the host does, each costed per element (host_cost.ts in src/partition/ says which
 * ops are which kind and what they count): `copy` moves elements (data movement ops, layout
 * conversions, padding), `poolWindow` counts every element of every pooling window, `globalPool` every
 * input element of a global pooling or mean, `mac` every multiply-accumulate of a convolution or
 * matrix product the accelerator does not run.
 */
export const hostWorkKinds = [
  'copy',
  'elementwise',
  'activation',
  'transcendental',
  'quantize',
  'dequantize',
  'poolWindow',
  'globalPool',
  'softmax',
  'normalization',
  'mac',
] as const;
export type HostWorkKind = (typeof hostWorkKinds)[number];

const hostSchema = z.strictObject({
  description: z
    .string()
    .min(1)
    .describe('the processor that runs the nodes the accelerator does not'),
  clockHz: z.number().positive(),
  cyclesPerElement: z.strictObject(
    Object.fromEntries(hostWorkKinds.map((k) => [k, z.number().nonnegative()])) as Record<
      HostWorkKind,
      z.ZodNumber
    >,
  ),
});

/** The largest on-chip memory a spec may declare: the simulator allocates each one whole. */
export const maxMemoryBytes = 2 ** 30;

/**
 * The memories met going up from `start` through the parents when they come back to one already met
 * (from that one on), or undefined when they reach "dram" or a name that is not a memory.
 */
function parentCycle(
  memories: Readonly<Record<string, { readonly parent: string }>>,
  start: string,
): string[] | undefined {
  const chain: string[] = [];
  for (let at = start; Object.hasOwn(memories, at); at = memories[at].parent) {
    if (chain.includes(at)) return chain.slice(chain.indexOf(at));
    chain.push(at);
  }
  return undefined;
}

export const specSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
    isa: z
      .string()
      .min(1)
      .describe(
        'the instruction set whose code (a folder under src/targets/) runs this accelerator',
      ),
    description: z.string().min(1),
    clockHz: z.number().positive(),
    array: arraySchema,
    memories: z.record(z.string(), memorySchema),
    dram: dramSchema,
    issueCyclesPerInstruction: z.number().nonnegative(),
    /**
     * Host cycles spent on each DRAM tile handed to the accelerator's hardware loops, before its
     * loop instructions issue (its addresses, bounds and paddings computed). Absent: 0.
     */
    hostCyclesPerTile: z.number().nonnegative().optional(),
    /**
     * Host cycles the vendor library's automatic tiling (what `baseline` reproduces) spends per
     * candidate tile it checks against the buffers, for a program that chooses its tiles at run time
     * with that library. Programs gemmforge emits have their tiles fixed and never pay it. Absent: 0.
     */
    hostCyclesPerTilingCheck: z.number().nonnegative().optional(),
    /**
     * The release of the vendor's software library whose tiling `baseline` reproduces and whose
     * conventions the lowering follows; each target lists the releases it knows. Absent: the newest.
     */
    vendorLibrary: z.string().min(1).optional(),
    /** Where a timing constant comes from, by its path in this spec (a source file, or "fitted: …"). */
    sources: z.record(z.string(), z.string()).optional(),
    /**
     * The host processor and what its work costs. Absent: host nodes are listed but not timed. Each
     * of its figures needs an entry in `sources` (`host.cyclesPerElement.copy`).
     */
    host: hostSchema.optional(),
    queues: queuesSchema,
    requantization: requantSchema,
  })
  .superRefine((spec, ctx) => {
    const names = Object.keys(spec.memories);
    if (names.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['memories'],
        message: 'at least one memory is needed',
      });
    }
    for (const [name, m] of Object.entries(spec.memories)) {
      const at = (field: string): (string | number)[] => ['memories', name, field];
      if (name === 'dram') {
        ctx.addIssue({ code: 'custom', path: ['memories', name], message: '"dram" is reserved' });
      }
      if (m.capacityBytes > maxMemoryBytes) {
        ctx.addIssue({
          code: 'custom',
          path: at('capacityBytes'),
          message:
            `must be at most ${maxMemoryBytes} (1 GiB): the simulator holds each memory in one ` +
            `array (got ${m.capacityBytes})`,
        });
      }
      if (m.capacityBytes % (m.rowBytes * m.banks) !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: at('capacityBytes'),
          message: `must be a multiple of rowBytes × banks (got ${m.capacityBytes})`,
        });
      }
      const hw = m.hardwareCapacityBytes;
      if (hw !== undefined && (hw > m.capacityBytes || hw % m.rowBytes !== 0)) {
        ctx.addIssue({
          code: 'custom',
          path: at('hardwareCapacityBytes'),
          message: `must be whole rows and at most capacityBytes (${m.capacityBytes}) (got ${hw})`,
        });
      }
      if (m.parent !== 'dram' && !(m.parent in spec.memories)) {
        ctx.addIssue({
          code: 'custom',
          path: at('parent'),
          message: `must be "dram" or one of the memories (${names.join(', ')}) (got "${m.parent}")`,
        });
      }
      if (m.parent === name) {
        ctx.addIssue({
          code: 'custom',
          path: at('parent'),
          message: 'a memory cannot hold itself',
        });
      }
      if (new Set(m.holds).size !== m.holds.length) {
        ctx.addIssue({ code: 'custom', path: at('holds'), message: 'lists a tensor twice' });
      }
    }
    for (const name of names) {
      const cycle = parentCycle(spec.memories, name);
      if (cycle !== undefined && cycle.length > 1 && cycle[0] === name) {
        ctx.addIssue({
          code: 'custom',
          path: ['memories', name, 'parent'],
          message:
            `the parents form a cycle (${[...cycle, name].join(' → ')}); ` +
            'they must lead to "dram"',
        });
      }
    }
    for (const role of tensorRoles) {
      if (!Object.values(spec.memories).some((m) => m.holds.includes(role))) {
        ctx.addIssue({
          code: 'custom',
          path: ['memories'],
          message: `no memory holds the ${role} tensor`,
        });
      }
    }
    if (new Set(spec.array.dataflows).size !== spec.array.dataflows.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['array', 'dataflows'],
        message: 'lists a dataflow twice',
      });
    }
    if (spec.host !== undefined) {
      const figures = ['host.clockHz', ...hostWorkKinds.map((k) => `host.cyclesPerElement.${k}`)];
      for (const path of figures.filter((f) => spec.sources?.[f] === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: ['sources'],
          message: `needs an entry "${path}" saying where the figure comes from`,
        });
      }
    }
    if (spec.dram.maxTransferBytes % spec.dram.alignmentBytes !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['dram', 'maxTransferBytes'],
        message: `must be a multiple of alignmentBytes (got ${spec.dram.maxTransferBytes})`,
      });
    }
  });

export type Spec = z.infer<typeof specSchema>;
export type MemorySpec = Spec['memories'][string];
export type HostSpec = NonNullable<Spec['host']>;

/** Rows of a memory: its capacity divided by its row width. */
export function memoryRows(memory: MemorySpec): number {
  return memory.capacityBytes / memory.rowBytes;
}

/** Rows of the memory as the hardware has it (`hardwareCapacityBytes`, else all of its rows). */
export function hardwareRows(memory: MemorySpec): number {
  return (memory.hardwareCapacityBytes ?? memory.capacityBytes) / memory.rowBytes;
}
