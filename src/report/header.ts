import type { Spec } from '../spec/spec.js';
import { escapeHtml as esc } from './escape.js';
import { formatBytes, formatCount, formatNumber, formatPercent, formatSeconds } from './format.js';
import { peakMacsPerCycle } from './roofline.js';
import type { RunSummary } from '../results/run_summary.js';

const card = (label: string, value: string, note = ''): string =>
  `<div class="card"><div class="label">${label}</div><div class="value">${value}</div>` +
  (note === '' ? '' : `<div class="note">${note}</div>`) +
  `</div>`;

function totalsCards(s: RunSummary): string {
  const accelerated = s.layers.filter((l) => l.placement === 'accelerator');
  const conversions = s.layers.filter(
    (l) => l.op === 'LayoutConversion' || l.op === 'PadCopy',
  ).length;
  const acceleratedMacs = accelerated.reduce((sum, l) => sum + l.macs, 0);
  const allMacs = s.layers.reduce((sum, l) => sum + l.macs, 0);
  const peak = peakMacsPerCycle(s.spec) * s.acceleratorCycles;
  const clock = `${formatNumber(s.spec.clockHz / 1e6)} MHz`;
  return [
    card('Total cycles', formatCount(s.totalCycles), `${formatSeconds(s.seconds)} at ${clock}`),
    card(
      'Accelerator cycles',
      formatCount(s.acceleratorCycles),
      s.totalCycles > 0 ? `${formatPercent(s.acceleratorCycles / s.totalCycles)} of the total` : '',
    ),
    card(
      'Host cycles',
      s.hostCycles === null ? 'not timed' : formatCount(s.hostCycles),
      s.hostCycles === null
        ? 'the spec describes no host'
        : s.totalCycles > 0
          ? `${formatPercent(s.hostCycles / s.totalCycles)} of the total (estimated)`
          : '',
    ),
    card(
      'Layers',
      formatCount(s.layers.length),
      `${accelerated.length} on the accelerator, ${s.layers.length - accelerated.length} on the ` +
        `host (${conversions} layout conversions and padding copies among them)`,
    ),
    card(
      'MACs',
      formatCount(allMacs),
      allMacs > 0 ? `${formatPercent(acceleratedMacs / allMacs)} on the accelerator` : '',
    ),
    card(
      'Array utilization',
      peak > 0 ? formatPercent(acceleratedMacs / peak) : '—',
      'accelerated MACs / peak over accelerator cycles',
    ),
    card('Wall time', formatSeconds(s.wallSeconds), 'of this run, on the host'),
  ].join('');
}

/** The top-1 accuracy against labels (`--labels`), when the run had them. */
function accuracyCard(s: RunSummary): string {
  const a = s.accuracy;
  if (a === undefined || a === null) return '';
  const ref = a.referenceCorrect === null ? '' : `; the reference ${a.referenceCorrect}/${a.rows}`;
  return card(
    'Top-1 accuracy',
    `${a.correct}/${a.rows}`,
    `against ${esc(a.labels)} (output ${esc(a.output)})${ref}`,
  );
}

function referenceCards(s: RunSummary): string {
  const r = s.reference;
  if (r === null) {
    const accuracy = accuracyCard(s);
    return (
      '<p class="muted">No reference comparison was run.</p>' +
      (accuracy === '' ? '' : `<div class="cards">${accuracy}</div>`)
    );
  }
  return (
    `<p class="muted">Compared with ` +
    `${esc(r.against ?? 'a reference not recorded in this summary')}.</p>` +
    `<div class="cards">` +
    card('Cosine similarity', r.cosine.toFixed(5)) +
    card('Max abs error', formatNumber(r.maxAbsError)) +
    card('Within one step', formatPercent(r.withinOneStep, 2), 'of output elements') +
    card('SQNR', `${r.sqnrDb.toFixed(1)} dB`) +
    (r.top1 === undefined
      ? ''
      : card(
          'Top-1 agreement',
          `${r.top1.agree}/${r.top1.rows}`,
          "rows in the reference's class",
        )) +
    accuracyCard(s) +
    `</div>`
  );
}

function targetPanel(spec: Spec): string {
  const a = spec.array;
  const memories = Object.entries(spec.memories).map(
    ([name, m]) =>
      `<tr><th>${esc(name)}</th><td>${formatBytes(m.capacityBytes)} · ${m.banks} banks · ` +
      `${m.rowBytes} B rows · ${m.holds.length > 0 ? `holds ${esc(m.holds.join(', '))}` : 'holds no tensors'}` +
      `${m.doubleBuffer ? ' · double-bufferable' : ''}</td></tr>`,
  );
  return (
    `<div class="panel"><h3>Target</h3><table>` +
    `<tr><th>spec</th><td>${esc(spec.name)}: ${esc(spec.description)}</td></tr>` +
    `<tr><th>array</th><td>${a.rows}×${a.cols} · ${esc(a.dataflows.join(', '))} · ` +
    `${a.inputType}×${a.weightType}→${a.accType} · peak ${formatCount(peakMacsPerCycle(spec))} MACs/cycle</td></tr>` +
    memories.join('') +
    `<tr><th>DRAM</th><td>${formatNumber(spec.dram.bytesPerCycle)} B/cycle · ` +
    `${formatCount(spec.dram.latencyCycles)} cycles latency</td></tr>` +
    `<tr><th>issue</th><td>${formatNumber(spec.issueCyclesPerInstruction)} cycles per instruction</td></tr>` +
    `</table></div>`
  );
}

function outputsPanel(s: RunSummary): string {
  const rows = s.outputs.map(
    (o) => `<tr><th>${esc(o.name)}</th><td class="mono">[${o.shape.join(', ')}]</td></tr>`,
  );
  return (
    `<div class="panel"><h3>Outputs</h3>` +
    (rows.length === 0 ? '<p class="muted">none recorded</p>' : `<table>${rows.join('')}</table>`) +
    `<h3 style="margin-top:14px">Reference</h3>${referenceCards(s)}</div>`
  );
}

/** The top of the report: the run's identity, totals, reference figures, target and warnings. */
export function reportHeader(s: RunSummary): string {
  const warnings =
    s.warnings.length === 0
      ? ''
      : `<div class="warnings"><b>${s.warnings.length} warning${s.warnings.length === 1 ? '' : 's'}</b>` +
        `<ul>${s.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></div>`;
  return (
    `<header><h1>${esc(s.model)}</h1>` +
    `<p class="subtitle">on <b>${esc(s.target)}</b> · scheduler <b>${esc(s.scheduler)}</b></p>` +
    `<div class="cards">${totalsCards(s)}</div>` +
    `<div class="panels">${targetPanel(s.spec)}${outputsPanel(s)}</div>${warnings}</header>`
  );
}
