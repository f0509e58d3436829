import { createRequire } from 'node:module';
import type * as Echarts from 'echarts';
import { gridColor, inkColor, mutedColor, reportFont } from './palette.js';

/**
 * ECharts' one-file build (its package's `require` entry): it loads several times faster than the
 * tree of ES modules behind its `import` entry, and has the same API.
 */
const echarts = createRequire(import.meta.url)('echarts') as typeof Echarts;

export type ChartOption = Echarts.EChartsOption;

export interface ChartSize {
  readonly width: number;
  readonly height: number;
}

/**
 * An ECharts option rendered to an SVG string in Node (server-side rendering, no DOM, no
 * animation): the chart is drawn at build time and the report needs no script to show it.
 */
export function renderSvg(option: ChartOption, size: ChartSize): string {
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: size.width,
    height: size.height,
  });
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: reportFont, color: inkColor },
    ...option,
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

/** Room left of a chart's plot for layer names, and the width a name is truncated to. */
export const nameAxisWidth = 280;
export const nameLabelWidth = 260;

/** Space between legend entries: generous, as text is measured without the browser's fonts. */
export const legendGap = 28;

/** How charts name a layer: its row number in the layer table, then its name. */
export function layerLabel(index: number, name: string): string {
  return `#${index + 1} ${name}`;
}

/** The report's width for charts, in CSS pixels (they scale down with the page). */
export const chartWidth = 1400;

/** A bar chart's value axis: named in the middle below, labels written by `format`, light grid. */
export function valueAxis(name: string, format: (v: number) => string) {
  return {
    type: 'value' as const,
    name,
    nameLocation: 'middle' as const,
    nameGap: 28,
    axisLabel: { formatter: format, color: mutedColor },
    splitLine: { lineStyle: { color: gridColor } },
  };
}

/** A bar chart's rows, top to bottom, their names cut to `nameLabelWidth`. */
export function rowAxis(names: readonly string[]) {
  return {
    type: 'category' as const,
    inverse: true,
    data: [...names],
    axisLabel: { width: nameLabelWidth, overflow: 'truncate' as const, color: inkColor },
  };
}
