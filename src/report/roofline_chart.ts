import type { DefaultLabelFormatterCallbackParams as LabelParams } from 'echarts';
import { chartWidth, layerLabel, legendGap, renderSvg } from './chart_svg.js';
import { formatNumber } from './format.js';
import { limitingFactor, limitKinds } from './limits.js';
import { gridColor, inkColor, limitColors, mutedColor } from './palette.js';
import { layerRoofline, peakMacsPerCycle } from './roofline.js';
import type { RunSummary } from '../results/run_summary.js';

const chartHeight = 460;
/** How far the axes reach beyond the data and the roof's knee, as a factor on a log scale. */
const margin = 2;

const pow10Below = (x: number): number => 10 ** Math.floor(Math.log10(x));
const pow10Above = (x: number): number => 10 ** Math.ceil(Math.log10(x));

/**
 * The roofline of the target (log-log): MACs per cycle the array can do (the flat compute roof) and
 * that the DRAM bandwidth can feed at a given operational intensity (the slope), with each
 * accelerator layer at the intensity of the traffic its schedule moved and the MACs per cycle it
 * achieved, coloured by what limits it. Null without accelerator layers that moved data.
 */
export function rooflineChart(summary: RunSummary): string | null {
  const spec = summary.spec;
  const points = summary.layers.flatMap((layer, index) => {
    if (layer.detail === null) return [];
    const roof = layerRoofline(layer.detail, spec);
    if (roof.intensity <= 0 || roof.achievedMacsPerCycle <= 0) return [];
    const kind = limitingFactor(layer.detail, spec).kind;
    return [{ index, name: layer.name, roof, kind }];
  });
  if (points.length === 0) return null;
  const peak = peakMacsPerCycle(spec);
  const slope = spec.dram.bytesPerCycle;
  const knee = peak / slope;
  const intensities = points.map((p) => p.roof.intensity);
  const xMin = pow10Below(Math.min(knee, ...intensities) / margin);
  const xMax = pow10Above(Math.max(knee, ...intensities) * margin);
  const achieved = points.map((p) => p.roof.achievedMacsPerCycle);
  const yMin = pow10Below(Math.min(slope * xMin, ...achieved));
  const yMax = pow10Above(peak * margin);
  const logAxis = (name: string, min: number, max: number) => ({
    type: 'log' as const,
    name,
    nameLocation: 'middle' as const,
    nameGap: 30,
    min,
    max,
    axisLabel: { formatter: (v: number) => formatNumber(v), color: mutedColor },
    splitLine: { lineStyle: { color: gridColor } },
  });
  const kinds = limitKinds.filter((k) => points.some((p) => p.kind === k));
  return renderSvg(
    {
      legend: { top: 0, itemGap: legendGap, textStyle: { color: mutedColor } },
      grid: { left: 80, right: 40, top: 44, bottom: 56 },
      xAxis: logAxis('operational intensity (MACs per DRAM byte moved)', xMin, xMax),
      yAxis: { ...logAxis('achieved MACs per cycle', yMin, yMax), nameGap: 44 },
      series: [
        {
          name: `roof: ${peak} MACs/cycle, ${slope} B/cycle`,
          type: 'line',
          showSymbol: false,
          lineStyle: { color: inkColor, width: 2 },
          itemStyle: { color: inkColor },
          data: [
            [xMin, slope * xMin],
            [knee, peak],
            [xMax, peak],
          ],
        },
        ...kinds.map((kind) => ({
          name: `${kind}-limited`,
          type: 'scatter' as const,
          symbolSize: 10,
          itemStyle: { color: limitColors[kind], borderColor: '#fff', borderWidth: 1 },
          label: {
            show: true,
            position: 'right' as const,
            color: inkColor,
            formatter: (p: LabelParams) => p.name.split(' ')[0],
          },
          // Layers of the same shape sit on one point: labels that would overlap move apart
          // vertically, and any that still overlap are left out (the table names every layer).
          labelLayout: { moveOverlap: 'shiftY' as const, hideOverlap: true },
          data: points
            .filter((p) => p.kind === kind)
            .map((p) => ({
              name: layerLabel(p.index, p.name),
              value: [p.roof.intensity, p.roof.achievedMacsPerCycle],
            })),
        })),
      ],
    },
    { width: chartWidth, height: chartHeight },
  );
}
