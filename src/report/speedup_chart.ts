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
import { schedulerComparison } from './comparison.js';
import { formatRatio } from './format.js';
import { inkColor, mutedColor, schedulerColors } from './palette.js';
import type { RunSummary } from '../results/run_summary.js';

/** Height of one layer's group of bars, and of the chart's axes and legend, in pixels. */
const rowHeight = 34;
const frameHeight = 90;

/**
 * Speedup of each scheduler over the reference scheduler, per layer where several were run (the
 * reference is at 1×). Null when no layer compares schedulers.
 */
export function speedupChart(summary: RunSummary): string | null {
  const rows = summary.layers.flatMap((layer, index) => {
    const comparison = schedulerComparison(layer);
    return comparison === null ? [] : [{ layer, index, comparison }];
  });
  if (rows.length === 0) return null;
  const references = [...new Set(rows.map((r) => r.comparison.reference))];
  const schedulers = [
    ...new Set(
      rows.flatMap((r) =>
        r.comparison.rows.map((c) => c.scheduler).filter((s) => s !== r.comparison.reference),
      ),
    ),
  ];
  const over = references.length === 1 ? references[0] : 'the first scheduler run';
  return renderSvg(
    {
      legend: { top: 0, itemGap: legendGap, textStyle: { color: mutedColor } },
      grid: { left: nameAxisWidth, right: 48, top: 40, bottom: 44 },
      xAxis: { ...valueAxis(`speedup over ${over}`, formatRatio), min: 0 },
      yAxis: rowAxis(rows.map((r) => layerLabel(r.index, r.layer.name))),
      series: schedulers.map((scheduler, i) => ({
        name: scheduler,
        type: 'bar' as const,
        barMaxWidth: 14,
        itemStyle: { color: schedulerColors[i % schedulerColors.length] },
        label: {
          show: true,
          position: 'right' as const,
          color: inkColor,
          formatter: (p: LabelParams) => formatRatio(p.value as number),
        },
        data: rows.map(
          (r) => r.comparison.rows.find((c) => c.scheduler === scheduler)?.speedup ?? null,
        ),
        markLine:
          i === 0
            ? {
                symbol: 'none',
                silent: true,
                lineStyle: { color: mutedColor, type: 'dashed' as const },
                label: { formatter: over, color: mutedColor },
                data: [{ xAxis: 1 }],
              }
            : undefined,
      })),
    },
    { width: chartWidth, height: frameHeight + rowHeight * rows.length },
  );
}
