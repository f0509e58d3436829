import type { DefaultLabelFormatterCallbackParams as LabelParams } from 'echarts';
import {
  chartWidth,
  layerLabel,
  legendGap,
  nameAxisWidth,
  rowAxis,
  valueAxis,
  renderSvg,
} from './chart_svg.js';
import { formatCount } from './format.js';
import { inkColor, mutedColor, unitColors } from './palette.js';
import { scheduleRuns, type RunSummary } from '../results/run_summary.js';

/** Height of one layer's bar and of the chart's axes and legend, in pixels. */
const rowHeight = 26;
const frameHeight = 90;

/**
 * Cycles per accelerator layer (all runs of its schedule): the busy time of the load, execute
 * (compute) and store units stacked, and the layer's total cycles as a marker. The units run concurrently, so the stack can
 * pass the marker; where it stops short, the units waited. Null without accelerator layers.
 */
export function cyclesChart(summary: RunSummary): string | null {
  const rows = summary.layers.flatMap((layer, index) =>
    layer.detail === null
      ? []
      : [{ layer, index, detail: layer.detail, runs: scheduleRuns(layer) }],
  );
  if (rows.length === 0) return null;
  const bar = (name: string, color: string, values: number[]) => ({
    name,
    type: 'bar' as const,
    stack: 'busy',
    barMaxWidth: 16,
    itemStyle: { color },
    data: values,
  });
  return renderSvg(
    {
      legend: { top: 0, itemGap: legendGap, textStyle: { color: mutedColor } },
      grid: { left: nameAxisWidth, right: 80, top: 40, bottom: 44 },
      xAxis: valueAxis('cycles', formatCount),
      yAxis: rowAxis(rows.map((r) => layerLabel(r.index, r.layer.name))),
      series: [
        bar(
          'load busy',
          unitColors.load,
          rows.map((r) => r.detail.busyCycles.load),
        ),
        bar(
          'compute busy',
          unitColors.execute,
          rows.map((r) => r.detail.busyCycles.execute),
        ),
        bar(
          'store busy',
          unitColors.store,
          rows.map((r) => r.detail.busyCycles.store),
        ),
        {
          name: 'total cycles',
          type: 'scatter',
          symbol: 'diamond',
          symbolSize: 11,
          z: 5,
          itemStyle: { color: inkColor },
          label: {
            show: true,
            position: 'right',
            color: inkColor,
            backgroundColor: 'rgba(255, 255, 255, 0.85)',
            padding: [1, 3],
            formatter: (p: LabelParams) => formatCount((p.value as number[])[0]),
          },
          data: rows.map((r, i) => [r.layer.cycles ?? r.runs * r.detail.simulatedCycles, i]),
        },
      ],
    },
    { width: chartWidth, height: frameHeight + rowHeight * rows.length },
  );
}
