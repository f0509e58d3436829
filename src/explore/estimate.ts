import type { Spec } from '../spec/spec.js';
import type { Workload } from '../workload/workload.js';
import { macs, minimalTraffic, totalBytes } from '../workload/shape.js';

/**
 * An area and energy estimate for a design point, FITTED (not modelled) to the Accelergy figures of
 * the FireSim data set in bench/data/ (`target.area` per buffer configuration, `target.energy` per
 * layer; 148 rows) by bench/fit-area-energy.ts, which names the files it reads;
 * bench/results/area-energy-fit.md has the coefficients, the fit and its residuals. Values
 * are in the units of those columns. The data's arrays are all 16×16, so the array's share of the
 * area (the fit's intercept) is scaled by the PE count here: an assumption the data cannot check.
 */
export const fittedCoefficients = {
  /** Area intercept (the 16×16 array and everything but the memories). */
  areaBase: 0.22110730931313682,
  /** PEs the intercept was fitted at. */
  areaBasePes: 256,
  /** Area per byte of memories that hold inputs or weights. */
  areaPerInputWeightByte: 0.0000027202485417062497,
  /** Area per byte of memories that hold outputs. */
  areaPerOutputByte: 0.0000055447122464825235,
  /** Energy per MAC. */
  energyPerMac: 0.000001467985569162629,
  /** Energy per MAC per MiB on chip (larger memories cost more per access). */
  energyPerMacPerMiB: 0.0000018758867053019618,
  /** Energy per byte of the layer's minimal DRAM traffic. */
  energyPerDramByte: 0.0001134638402922917,
} as const;

/** The fitted area of a spec. */
export function fittedArea(spec: Spec): number {
  const c = fittedCoefficients;
  let area = (c.areaBase * spec.array.rows * spec.array.cols) / c.areaBasePes;
  for (const m of Object.values(spec.memories)) {
    const perByte = m.holds.includes('output') ? c.areaPerOutputByte : c.areaPerInputWeightByte;
    area += perByte * m.capacityBytes;
  }
  return area;
}

/** The fitted energy of one layer on a spec with `sramBytes` on chip. */
export function fittedLayerEnergy(w: Workload, sramBytes: number): number {
  const c = fittedCoefficients;
  const m = macs(w);
  return (
    c.energyPerMac * m +
    (c.energyPerMacPerMiB * m * sramBytes) / 2 ** 20 +
    c.energyPerDramByte * totalBytes(minimalTraffic(w))
  );
}
