import type { RunLayer, RunSummary } from '../results/run_summary.js';

/** The cycles of some layers added (untimed ones count 0). */
export const cycleSum = (layers: readonly RunLayer[]): number =>
  layers.reduce((n, l) => n + (l.cycles ?? 0), 0);

/**
 * The totals under a run's table: accelerator layers, host nodes (with the plan's layout
 * conversions and padding copies among them) and the total, with the host's share.
 */
export function cycleFooter(s: RunSummary): string[] {
  const acc = s.layers.filter((l) => l.placement === 'accelerator');
  const host = s.layers.filter((l) => l.placement === 'host');
  const macs = acc.reduce((n, l) => n + l.macs, 0);
  const conversions = host.filter((l) => l.op === 'LayoutConversion');
  const copies = host.filter((l) => l.op === 'PadCopy');
  const moves =
    `${conversions.length} layout conversion${conversions.length === 1 ? '' : 's'} and ` +
    `${copies.length} padding cop${copies.length === 1 ? 'y' : 'ies'} among them`;
  const lines = [`accelerator: ${acc.length} layers, ${s.acceleratorCycles} cycles, ${macs} MACs`];
  if (s.hostCycles === null) {
    lines.push(`host: ${host.length} nodes (not timed: the spec describes no host; ${moves})`);
  } else {
    const moved = cycleSum([...conversions, ...copies]);
    lines.push(`host: ${host.length} nodes, ${s.hostCycles} cycles (${moves}: ${moved} cycles)`);
  }
  const share =
    s.hostCycles === null || s.totalCycles === 0
      ? ''
      : `, ${(100 * (s.hostCycles / s.totalCycles)).toFixed(1)}% on the host`;
  lines.push(
    `total: ${s.totalCycles} cycles, ${(s.seconds * 1e3).toFixed(3)} ms at the target's clock${share}`,
  );
  return lines;
}
