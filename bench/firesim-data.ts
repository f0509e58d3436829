/**
 * The FireSim measurements of Gemmini's RTL in bench/data/firesim-gemmini/ (README.md there says
 * where they come from and what each column means), as workloads, target specs and mappings.
 *
 * A row is one layer on one buffer configuration. GEMM rows (Q = R = S = 1) ran as
 * `tiled_matmul_auto(I = P, J = K, K = C)`; conv rows as a square NHWC input of side P · stride with
 * padding R / 2 (rounded down), batch N, no bias, weight-stationary.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSpec } from '../dist/spec/load_spec.js';
import type { Spec } from '../dist/spec/spec.js';
import { targetFromSpec } from '../dist/targets/index.js';
import { parseConv } from '../dist/workload/parse.js';
import type { Workload } from '../dist/workload/workload.js';

export const dataDir = join(dirname(fileURLToPath(import.meta.url)), 'data', 'firesim-gemmini');

export interface FiresimRow {
  /** `dnn` or `analytical` (the two folders), the network, and the row's index in its file. */
  readonly folder: string;
  readonly network: string;
  readonly index: number;
  readonly workload: Workload;
  /** The letters as the data gives them. */
  readonly prob: Readonly<Record<'N' | 'C' | 'K' | 'P' | 'Q' | 'R' | 'S' | 'stride', number>>;
  /** Scratchpad rows of 16 bytes and accumulator rows of 64 bytes. */
  readonly spRows: number;
  readonly accRows: number;
  /** FireSim cycles of the library's own tiling, and of the DOSA mapping. */
  readonly autoCycles: number;
  readonly mappedCycles: number;
  /** The DOSA mapping (Timeloop notation) and the library's recorded tiling, R_S_P_Q_C_K_N. */
  readonly mapping: string;
  readonly autoTiling: string;
  /** Accelergy's estimates for the row (not measurements): area in mm² and the layer's energy in µJ. */
  readonly area: number;
  readonly energy: number;
}

function parseCsv(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0].split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  });
}

function workloadOf(p: FiresimRow['prob'], name: string): Workload {
  if (p.Q === 1 && p.R === 1 && p.S === 1) {
    return {
      kind: 'gemm',
      name,
      M: p.P,
      N: p.K,
      K: p.C,
      bias: false,
      requant: 'per-tensor',
      activation: 'none',
    };
  }
  const side = p.P * p.stride;
  const pad = Math.floor(p.R / 2);
  return parseConv(
    `N=${p.N},H=${side},W=${side},C=${p.C},K=${p.K},R=${p.S},S=${p.R},stride=${p.stride},pad=${pad}`,
    { name, bias: false },
  );
}

/** Every row of the data, file by file in name order. */
export function loadFiresimRows(): FiresimRow[] {
  const rows: FiresimRow[] = [];
  for (const folder of ['dnn', 'analytical']) {
    for (const file of readdirSync(join(dataDir, folder)).sort()) {
      if (!file.endsWith('.csv')) continue;
      const network = file.replace(/\.csv$/, '');
      parseCsv(readFileSync(join(dataDir, folder, file), 'utf8')).forEach((r, index) => {
        const n = (key: string): number => Number(r[key]);
        const prob = {
          N: n('prob.N'),
          C: n('prob.C'),
          K: n('prob.K'),
          P: n('prob.P'),
          Q: n('prob.Q'),
          R: n('prob.R'),
          S: n('prob.S'),
          stride: n('prob.Wstride'),
        };
        rows.push({
          folder,
          network,
          index,
          workload: workloadOf(prob, `${network}-${index}`),
          prob,
          spRows: n('arch.mem2_depth'),
          accRows: n('arch.mem1_depth'),
          autoCycles: n('target.gemmini_auto_cycle'),
          mappedCycles: n('target.gemmini_cycle'),
          mapping: r['mapping.mapping'],
          autoTiling: r['dse.auto_tiling'],
          area: n('target.area'),
          energy: n('target.energy'),
        });
      });
    }
  }
  return rows;
}

/**
 * The base spec with a row's scratchpad and accumulator sizes; `roomy` > 1 simulates the memories
 * that many times larger, the hardware's sizes kept for the loop unrollers' addresses
 * (`hardwareCapacityBytes`), so that tiles too large for them are timed at the addresses they used.
 */
export function specForRow(base: Spec, row: FiresimRow, roomy = 1): Spec {
  const m = base.memories;
  const memory = (memory: Spec['memories'][string], rows: number) => ({
    ...memory,
    capacityBytes: roomy * rows * memory.rowBytes,
    ...(roomy > 1 ? { hardwareCapacityBytes: rows * memory.rowBytes } : {}),
  });
  return parseSpec(
    {
      ...base,
      name: `${base.name}-sp${row.spRows}-acc${row.accRows}${roomy > 1 ? `-x${roomy}` : ''}`,
      memories: {
        ...m,
        scratchpad: memory(m.scratchpad, row.spRows),
        accumulator: memory(m.accumulator, row.accRows),
      },
    },
    `firesim row ${row.network}-${row.index}`,
  );
}

/** A target per distinct configuration (targets bind their spec once). */
export function targetsForRows(base: Spec, rows: readonly FiresimRow[]) {
  const cache = new Map<string, ReturnType<typeof targetFromSpec>>();
  return (row: FiresimRow, roomy = 1) => {
    const key = `${row.spRows}/${row.accRows}x${roomy}`;
    let t = cache.get(key);
    if (t === undefined) {
      t = targetFromSpec(specForRow(base, row, roomy), `firesim ${key}`);
      cache.set(key, t);
    }
    return t;
  };
}
