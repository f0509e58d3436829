import { z } from 'zod';
import { dataflows } from '../spec/spec.js';
import { dims } from '../workload/workload.js';

/**
 * A mapping: how a workload's loop nest runs on a target, as accelerator-neutral plain data.
 *
 * There is one on-chip tile level (the memories fed straight from DRAM, siblings such as a scratchpad
 * and an accumulator): `tile` gives each dim's tile size there, any size from 1 to the bound (the last
 * tile along a dim is partial when it does not divide the bound), and `order` the DRAM loop order over
 * the tiles. Inside a tile the array works in blocks: `spatial` names the dims bound to its rows and
 * columns; the order of blocks inside a tile is the lowering's.
 *
 * Uneven mapping: `resident[v]` lists dims whose whole DRAM loop tensor v's on-chip copy spans (e.g. the
 * input panel of a GEMM resident over K stays on chip while N iterates); each tensor thus has its own
 * tiling boundary. `doubleBuffer[v]` halves what v may use on chip and lets its transfers overlap compute.
 */
const dimSchema = z.enum(dims, { error: `must be one of ${dims.join(', ')}` });
const perTensor = <T extends z.ZodType>(value: T) =>
  z.strictObject({ input: value, weight: value, output: value }).readonly();
const positiveInteger = z
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .positive({ error: 'must be a positive integer' });

export const mappingSchema = z
  .strictObject({
    dataflow: z.enum(dataflows, { error: `must be one of ${dataflows.join(', ')}` }),
    spatial: z.strictObject({ rows: dimSchema, cols: dimSchema }).readonly(),
    tile: z.partialRecord(dimSchema, positiveInteger).readonly(),
    order: z.array(dimSchema, { error: 'must be a list of dims, outermost first' }).readonly(),
    resident: perTensor(z.array(dimSchema, { error: 'must be a list of dims' }).readonly()),
    doubleBuffer: perTensor(z.boolean({ error: 'must be true or false' })),
    /**
     * Each DRAM tile is one instruction of the accelerator's own loop unroller, which loads the
     * tile's inputs and weights afresh (how vendor libraries drive such hardware); absent or false:
     * the lowering issues every command and may keep data on chip across tiles.
     */
    hardwareLoops: z.boolean({ error: 'must be true or false' }).optional(),
    /**
     * A convolution's array reduction takes several kernel columns (S) at once: the input pixels of
     * consecutive kernel columns sit side by side in one on-chip row, so a conv with few input
     * channels fills more of the array per pass. Only targets that declare it
     * (`Target.foldsKernelColumns`) accept it; absent or false: one kernel column per pass.
     */
    foldKernelColumns: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .readonly();

export type Mapping = z.infer<typeof mappingSchema>;

/** No tensor resident beyond its tile. */
export const noResidency: Mapping['resident'] = { input: [], weight: [], output: [] };
