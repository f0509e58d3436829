import { chartWidth, legendGap, renderSvg } from '../report/chart_svg.js';
import { escapeHtml as esc } from '../report/escape.js';
import { formatBytes, formatCount, formatPercent, formatRatio } from '../report/format.js';
import { accentColor, gridColor, mutedColor, schedulerColors } from '../report/palette.js';
import { htmlPage } from '../report/page.js';
import type { ExploreRun } from './explore.js';
import type { PointResult } from './point_result.js';

/**
 * explore.html: one self-contained page (inline CSS, charts drawn to inline SVG at build time with
 * ECharts, no script, nothing fetched): the Pareto plots, the best point per model against the base
 * target, and the table of every point.
 */

function valuesText(p: PointResult): string {
  if (p.index < 0) return 'base target';
  return Object.entries(p.values)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

/** A scatter of the points' geomean cycles against `x`; the front's points joined and emphasised. */
function paretoChart(
  run: ExploreRun,
  x: { readonly name: string; readonly of: (p: PointResult) => number },
): string | null {
  const ok = run.points.filter((p) => p.status === 'ok' && p.cycles !== null);
  if (ok.length === 0) return null;
  const front = new Set(run.pareto.front);
  const dot = (p: PointResult) => ({ value: [x.of(p), p.cycles as number], name: `#${p.index}` });
  const frontPoints = ok.filter((p) => front.has(p.index)).sort((a, b) => x.of(a) - x.of(b));
  const base = run.base.cycles === null ? [] : [dot(run.base)];
  return renderSvg(
    {
      legend: { top: 0, itemGap: legendGap, textStyle: { color: mutedColor } },
      grid: { left: 96, right: 40, top: 40, bottom: 52 },
      xAxis: {
        type: 'value',
        name: x.name,
        nameLocation: 'middle',
        nameGap: 30,
        scale: true,
        splitLine: { lineStyle: { color: gridColor } },
      },
      yAxis: {
        type: 'value',
        name: 'cycles (geomean over models)',
        scale: true,
        splitLine: { lineStyle: { color: gridColor } },
      },
      series: [
        {
          name: 'points',
          type: 'scatter' as const,
          symbolSize: 8,
          itemStyle: { color: schedulerColors[0], opacity: 0.55 },
          data: ok.filter((p) => !front.has(p.index)).map(dot),
        },
        {
          name: 'Pareto front',
          type: 'line' as const,
          symbolSize: 10,
          itemStyle: { color: schedulerColors[1] },
          label: { show: true, position: 'top' as const, formatter: '{b}' },
          data: frontPoints.map(dot),
        },
        {
          name: 'base target',
          type: 'scatter' as const,
          symbol: 'diamond',
          symbolSize: 14,
          itemStyle: { color: accentColor },
          data: base,
        },
      ],
    },
    { width: chartWidth / 2, height: 440 },
  );
}

function bestTable(run: ExploreRun): string {
  const cell = (
    b: { index: number; cycles: number; sramBytes: number; gain: number | null } | null,
  ) =>
    b === null
      ? '<td colspan="3" class="muted">none</td>'
      : `<td class="num">#${b.index}</td><td class="num">${formatCount(b.cycles)} ` +
        `(${formatBytes(b.sramBytes)})</td><td class="num">${b.gain === null ? '—' : formatRatio(b.gain)}</td>`;
  const rows = run.pareto.models.map(
    (m) =>
      `<tr><td>${esc(m.model)}</td><td class="num">${m.baseCycles === null ? '—' : formatCount(m.baseCycles)}</td>` +
      `${cell(m.best)}${cell(m.bestWithinBaseSram)}</tr>`,
  );
  return (
    '<div class="table-wrap"><table class="layers"><thead><tr><th>model</th><th class="num">base cycles</th>' +
    '<th class="num">fastest point</th><th class="num">cycles (SRAM)</th><th class="num">gain</th>' +
    '<th class="num">fastest at ≤ base SRAM</th><th class="num">cycles (SRAM)</th><th class="num">gain</th>' +
    `</tr></thead><tbody>${rows.join('')}</tbody></table></div>`
  );
}

function pointsTable(run: ExploreRun): string {
  const front = new Set(run.pareto.front);
  const header = [
    'point',
    'parameters',
    'status',
    'PEs',
    'SRAM',
    'area (fitted)',
    ...run.models.flatMap((m) => [`${m} cycles`, `${m} util.`]),
    'energy (fitted)',
    'scheduled by',
  ];
  const row = (p: PointResult): string => {
    const cells = [
      `<td class="num">${p.index < 0 ? 'base' : `#${p.index}`}${front.has(p.index) ? ' ★' : ''}</td>`,
      `<td>${esc(valuesText(p))}</td>`,
      `<td>${esc(p.status)}${p.reason === null ? '' : `<div class="muted">${esc(p.reason)}</div>`}</td>`,
      `<td class="num">${formatCount(p.pes)}</td>`,
      `<td class="num">${formatBytes(p.sramBytes)}</td>`,
      `<td class="num">${p.areaFitted.toFixed(3)}</td>`,
      ...run.models.flatMap((name) => {
        const m = p.models.find((x) => x.model === name);
        return m === undefined
          ? ['<td></td>', '<td></td>']
          : [
              `<td class="num">${formatCount(m.cycles)}</td>`,
              `<td class="num">${formatPercent(m.utilization)}</td>`,
            ];
      }),
      `<td class="num">${p.models.length === 0 ? '' : p.models.reduce((s, m) => s + m.energyFitted, 0).toFixed(1)}</td>`,
      p.status === 'invalid'
        ? '<td>—</td>'
        : `<td>${esc(`${p.pass.scheduler} (${p.pass.timing})`)}</td>`,
    ];
    return `<tr id="point-${p.index}">${cells.join('')}</tr>`;
  };
  return (
    '<div class="table-wrap"><table class="layers"><thead><tr>' +
    header.map((h) => `<th>${esc(h)}</th>`).join('') +
    `</tr></thead><tbody>${[run.base, ...run.points].map(row).join('\n')}</tbody></table></div>`
  );
}

function figure(id: string, svg: string | null, caption: string): string {
  if (svg === null) return `<p class="muted" id="${id}">No point completed: nothing to plot.</p>`;
  return `<figure id="${id}">${svg}<figcaption>${caption}</figcaption></figure>`;
}

export function renderExploreHtml(run: ExploreRun, title: string): string {
  const ok = run.points.filter((p) => p.status === 'ok').length;
  const charts = [
    figure(
      'pareto-sram',
      paretoChart(run, { name: 'on-chip bytes', of: (p) => p.sramBytes }),
      'Each point’s cycles (geometric mean over the models) against its on-chip memory; the line ' +
        'joins the Pareto front over the sweep’s objectives, ◆ is the base target.',
    ),
    figure(
      'pareto-area',
      paretoChart(run, { name: 'area (fitted to Accelergy)', of: (p) => p.areaFitted }),
      'The same points against the area estimate fitted to the Accelergy figures of the FireSim ' +
        'data (bench/fit-area-energy.ts): an estimate, not a layout.',
    ),
  ];
  const css =
    '.charts2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 12px; }';
  return htmlPage(
    `${title}: gemmforge explore`,
    `<h1>${esc(title)}</h1>
<p class="subtitle">base <b>${esc(run.base.spec.name)}</b> · models <b>${esc(run.models.join(', '))}</b> ·
<b>${ok}</b> of ${run.total} points completed${run.interrupted ? ' (interrupted: resume with --resume)' : ''} ·
objectives ${esc(run.pareto.objectives.join(', '))}</p>
<section id="charts"><h2>Pareto fronts</h2>
<div class="charts2">${charts.join('\n')}</div>
</section>
<section id="best"><h2>Best point per model against the base target</h2>
${bestTable(run)}
</section>
<section id="points"><h2>Points</h2>
<p class="muted">★ on the Pareto front. Area and energy are fitted to Accelergy figures
(bench/results/area-energy-fit.md), in the units of that data.</p>
${pointsTable(run)}
</section>`,
    css,
  );
}
