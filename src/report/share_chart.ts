import type { DefaultLabelFormatterCallbackParams as LabelParams } from 'echarts';
import { chartWidth, nameAxisWidth, renderSvg, rowAxis, valueAxis } from './chart_svg.js';
import { formatCount, formatPercent } from './format.js';
import { accentColor, hostColor, inkColor } from './palette.js';
import type { RunSummary } from '../results/run_summary.js';

const rowHeight = 30;
const frameHeight = 70;

/** One bar: the accelerator's layers, or one op of the host's (`label` counts the nodes). */
export type ShareRow = { readonly label: string; readonly cycles: number; readonly host: boolean };

/**
 * Where a run's cycles go, accelerator against host: the accelerator's layers in one row, then
 * the host's cycles by op (layout conversions and padding copies are ops of their own), largest
 * first. Empty when the host was not timed.
 */
export function shareRows(summary: RunSummary): ShareRow[] {
  if (summary.hostCycles === null) return [];
  const byOp = new Map<string, { cycles: number; nodes: number }>();
  for (const l of summary.layers.filter((x) => x.placement === 'host')) {
    const entry = byOp.get(l.op) ?? { cycles: 0, nodes: 0 };
    byOp.set(l.op, { cycles: entry.cycles + (l.cycles ?? 0), nodes: entry.nodes + 1 });
  }
  const accelerated = summary.layers.filter((l) => l.placement === 'accelerator').length;
  const host = [...byOp]
    .map(([op, e]) => ({ label: `${op} (host) ×${e.nodes}`, cycles: e.cycles, host: true }))
    .sort((a, b) => b.cycles - a.cycles || a.label.localeCompare(b.label));
  return [
    { label: `accelerator layers ×${accelerated}`, cycles: summary.acceleratorCycles, host: false },
    ...host,
  ];
}

/** The rows of `shareRows` as bars labelled with their share of the total; null when untimed. */
export function shareChart(summary: RunSummary): string | null {
  const rows = shareRows(summary);
  if (rows.length === 0) return null;
  const total = summary.totalCycles;
  return renderSvg(
    {
      grid: { left: nameAxisWidth, right: 170, top: 10, bottom: 44 },
      xAxis: valueAxis('cycles', formatCount),
      yAxis: rowAxis(rows.map((r) => r.label)),
      series: [
        {
          type: 'bar',
          barMaxWidth: 18,
          data: rows.map((r) => ({
            value: r.cycles,
            itemStyle: { color: r.host ? hostColor : accentColor },
          })),
          label: {
            show: true,
            position: 'right',
            color: inkColor,
            formatter: (p: LabelParams) => {
              const v = p.value as number;
              return `${formatCount(v)} (${total > 0 ? formatPercent(v / total) : '—'})`;
            },
          },
        },
      ],
    },
    { width: chartWidth, height: frameHeight + rowHeight * rows.length },
  );
}
