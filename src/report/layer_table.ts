import type { LayerReport } from '../results/layer_report.js';
import type { Spec } from '../spec/spec.js';
import { schedulerComparison } from './comparison.js';
import { escapeHtml } from './escape.js';
import { formatBytes, formatCount, formatPercent, formatRatio } from './format.js';
import { limitingFactor } from './limits.js';
import { layerRoofline } from './roofline.js';
import {
  scheduleRuns,
  searchStop,
  type RunLayer,
  type RunSummary,
} from '../results/run_summary.js';

/** Columns of the layer table; the per-schedule ones are spanned by a host layer's reason. */
const columns = [
  { title: '#', num: true },
  { title: 'Layer', num: false },
  { title: 'Cycles', num: true },
  { title: 'Util.', num: true },
  { title: 'MACs', num: true },
  { title: 'Mapping (tiles in DRAM loop order)', num: false },
  { title: 'On-chip memory', num: false },
  { title: 'DRAM read / written', num: true },
  { title: 'What limits it (roofline bound)', num: false },
  { title: 'Schedulers', num: false },
] as const;
const scheduleColumns = columns.length - columns.findIndex((c) => c.title.startsWith('Mapping'));

const td = (html: string, cls = ''): string =>
  `<td${cls === '' ? '' : ` class="${cls}"`}>${html}</td>`;
const dash = '<span class="muted">—</span>';
const esc = escapeHtml;

function mappingCell(d: LayerReport): string {
  const m = d.mapping;
  const dims = m.order;
  const head = dims.map((dim) => `<th>${esc(dim)}</th>`).join('');
  const tiles = dims.map(
    (dim) => `<td>${m.tile[dim] === undefined ? '–' : formatCount(m.tile[dim])}</td>`,
  );
  const trips = dims.map((dim) => `<td>${formatCount(d.trips[dim] ?? 1)}</td>`);
  const buffered = Object.entries(m.doubleBuffer)
    .filter(([, on]) => on)
    .map(([t]) => t);
  const resident = Object.entries(m.resident).filter(([, ds]) => ds.length > 0);
  const lines = [
    `<table class="tiles"><tr><th class="row"></th>${head}</tr>` +
      `<tr><th class="row">tile</th>${tiles.join('')}</tr>` +
      `<tr><th class="row">trips</th>${trips.join('')}</tr></table>`,
    `<div class="facts">order <b>${esc(dims.join(' '))}</b> (outer → inner)</div>`,
    `<div class="facts">array rows ← <b>${esc(m.spatial.rows)}</b>, columns ← ` +
      `<b>${esc(m.spatial.cols)}</b></div>`,
    `<div class="facts"><b>${esc(m.dataflow)}</b></div>`,
    `<div class="facts">double-buffered: <b>${buffered.length > 0 ? esc(buffered.join(', ')) : 'none'}</b></div>`,
  ];
  if (resident.length > 0) {
    const text = resident.map(([t, ds]) => `${t} over ${ds.join(', ')}`).join('; ');
    lines.push(`<div class="facts">resident: <b>${esc(text)}</b></div>`);
  }
  if (d.fallback !== null) {
    lines.push(`<div class="facts">fallback: ${esc(d.fallback.reason)}</div>`);
  }
  return td(lines.join(''));
}

function occupancyCell(d: LayerReport, spec: Spec): string {
  // Memories that hold tensors (not, say, a program memory), and any the layer used.
  const tensorMemories = Object.entries(spec.memories)
    .filter(([, m]) => m.holds.length > 0)
    .map(([name]) => name);
  const names = [...new Set([...tensorMemories, ...Object.keys(d.occupancy)])];
  const rows = names.map((name) => {
    const o = d.occupancy[name] ?? { bytes: 0, fraction: 0 };
    const width = `${(100 * Math.min(1, o.fraction)).toFixed(1)}%`;
    return (
      `<div class="occ-row"><div class="occ-label"><span>${esc(name)}</span>` +
      `<span class="num">${formatBytes(o.bytes)} · ${formatPercent(o.fraction)}</span></div>` +
      `<div class="bar${o.fraction > 1 ? ' over' : ''}"><span style="width:${width}"></span></div></div>`
    );
  });
  return td(rows.join(''), 'occ');
}

function dramCell(d: LayerReport, runs: number): string {
  const { read, write } = d.dramBytes;
  const each = runs > 1 ? ' per run' : '';
  return td(
    `${formatBytes(read)}<div class="facts">${formatCount(read)} B read${each}</div>` +
      `<div class="dram-written">${formatBytes(write)}</div>` +
      `<div class="facts">${formatCount(write)} B written${each}</div>`,
    'num',
  );
}

/** The roofline bound and what the simulation says limits the layer. */
function limitCell(d: LayerReport, spec: Spec): string {
  const roof = layerRoofline(d, spec);
  const reached = d.simulatedCycles > 0 ? d.rooflineCycles / d.simulatedCycles : 0;
  const limit = limitingFactor(d, spec);
  return td(
    `<span class="badge limit-${limit.kind}">${limit.kind}</span>` +
      `<span class="roof">roofline with the minimal traffic: ` +
      `<b class="num">${formatCount(d.rooflineCycles)}</b> cycles, ` +
      `${roof.bound === 'compute' ? 'compute' : 'bandwidth'}-bound; ` +
      `${formatPercent(reached)} reached</span>` +
      `<p>${esc(limit.explanation)}</p>`,
    'limit',
  );
}

/** Said of a scheduler whose search stopped early on the layer (at its budget or a limit). */
const stoppedNote = (limit: LayerReport['limitHit'] | undefined): string =>
  `<div class="facts">stopped at ${searchStop(limit).what}: the best found</div>`;

function schedulersCell(layer: RunLayer, d: LayerReport): string {
  const comparison = schedulerComparison(layer);
  if (comparison === null) {
    return td(
      `${esc(d.scheduler)}<div class="facts">${formatCount(d.mappingsTried)} mapping` +
        `${d.mappingsTried === 1 ? '' : 's'} tried</div>` +
        (d.searchComplete ? '' : stoppedNote(d.limitHit)),
    );
  }
  const stopped = new Map(
    layer.schedulers.filter((s) => s.complete === false).map((s) => [s.scheduler, s.limitHit]),
  );
  const rows = comparison.rows.map(
    (r) =>
      `<tr${r.scheduler === d.scheduler ? ' class="chosen"' : ''}><td>${esc(r.scheduler)}` +
      `${stopped.has(r.scheduler) ? stoppedNote(stopped.get(r.scheduler)) : ''}</td>` +
      `<td class="num">${formatCount(r.cycles)}</td><td class="num">${formatRatio(r.speedup)}</td></tr>`,
  );
  return td(
    `<table class="sched">${rows.join('')}</table>` +
      `<div class="note">speedup over ${esc(comparison.reference)}; the chosen one in bold</div>`,
  );
}

/** The cost model's prediction, and the runs of the schedule when the layer repeats it. */
function cyclesFacts(layer: RunLayer, d: LayerReport): string {
  const runs = scheduleRuns(layer);
  const each = runs > 1 ? ' each' : '';
  return (
    (runs > 1
      ? `<div class="facts">${formatCount(runs)} runs of ${formatCount(d.simulatedCycles)}</div>`
      : '') + `<div class="facts">predicted ${formatCount(d.predictedCycles)}${each}</div>`
  );
}

function layerRow(layer: RunLayer, index: number, summary: RunSummary): string {
  const share =
    layer.cycles !== null && summary.totalCycles > 0 ? layer.cycles / summary.totalCycles : null;
  const d = layer.detail;
  const cells = [
    td(String(index + 1), 'num muted'),
    td(
      `<div class="layer-name">${esc(layer.name)}</div><div class="op">${esc(layer.op)} ` +
        `<span class="badge ${layer.placement}">${layer.placement}</span></div>`,
    ),
    td(
      layer.cycles === null
        ? dash
        : formatCount(layer.cycles) +
            (share === null ? '' : `<div class="facts">${formatPercent(share)} of total</div>`) +
            (d === null ? '' : cyclesFacts(layer, d)),
      'num',
    ),
    td(layer.utilization === null ? dash : formatPercent(layer.utilization), 'num'),
    td(formatCount(layer.macs), 'num'),
  ];
  if (d === null) {
    const text = layer.reason ?? 'no schedule recorded for this layer';
    cells.push(`<td colspan="${scheduleColumns}" class="reason">${esc(text)}</td>`);
  } else {
    cells.push(
      mappingCell(d),
      occupancyCell(d, summary.spec),
      dramCell(d, scheduleRuns(layer)),
      limitCell(d, summary.spec),
      schedulersCell(layer, d),
    );
  }
  return `<tr class="layer ${layer.placement}" data-layer="${esc(layer.name)}">${cells.join('')}</tr>`;
}

/** The layer table: one row per layer of the run, in model order, with a sticky header. */
export function layerTable(summary: RunSummary): string {
  const head = columns
    .map((c) => `<th${c.num ? ' class="num"' : ''} scope="col">${esc(c.title)}</th>`)
    .join('');
  const body = summary.layers.map((layer, i) => layerRow(layer, i, summary)).join('\n');
  return (
    `<div class="table-wrap"><table class="layers" id="layers">` +
    `<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`
  );
}
