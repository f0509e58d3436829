import { beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/html.js';
import type { RunLayer, RunSummary } from '../../src/results/run_summary.js';
import { realisticRunSummary } from './fixture.js';

let summary: RunSummary;
let html: string;

beforeAll(() => {
  summary = realisticRunSummary();
  html = renderReport(summary);
}, 120_000);

const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

/** The summary with its memories renamed, everywhere a memory name appears. */
function renamedMemories(s: RunSummary, names: Readonly<Record<string, string>>): RunSummary {
  const rename = <T>(record: Readonly<Record<string, T>>): Record<string, T> =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [names[k] ?? k, v]));
  return {
    ...s,
    target: 'my-accel',
    spec: {
      ...s.spec,
      name: 'my-accel',
      description: 'an accelerator of my own',
      memories: rename(s.spec.memories),
    },
    layers: s.layers.map((l) =>
      l.detail === null
        ? l
        : {
            ...l,
            detail: { ...l.detail, target: 'my-accel', occupancy: rename(l.detail.occupancy) },
          },
    ),
  };
}

describe('renderReport', () => {
  it('says what the outputs were compared with', () => {
    const against =
      'onnxruntime on the float model m.onnx (before quantization), seeded random inputs';
    const r = summary.reference;
    if (r === null) throw new Error('the fixture has a reference');
    const told = renderReport({ ...summary, reference: { ...r, against } });
    expect(told).toContain(`<p class="muted">Compared with ${against}.</p>`);
    expect(html).toContain(
      '<p class="muted">Compared with a reference not recorded in this summary.</p>',
    );
  });

  it('shows top-1 agreement and accuracy against labels when the run has them', () => {
    const r = summary.reference;
    if (r === null) throw new Error('the fixture has a reference');
    expect(html).not.toContain('Top-1');
    const accuracy = {
      labels: 'digits <test>.npy',
      output: 'logits',
      rows: 100,
      correct: 97,
      referenceCorrect: 98,
    };
    const scored = renderReport({
      ...summary,
      reference: { ...r, top1: { agree: 99, rows: 100 } },
      accuracy,
    });
    expect(scored).toContain(
      '<div class="label">Top-1 agreement</div><div class="value">99/100</div>',
    );
    expect(scored).toContain(
      '<div class="label">Top-1 accuracy</div><div class="value">97/100</div>' +
        '<div class="note">against digits &lt;test&gt;.npy (output logits); the reference 98/100</div>',
    );
    const alone = renderReport({
      ...summary,
      reference: null,
      accuracy: { ...accuracy, referenceCorrect: null },
    });
    expect(alone).toContain('No reference comparison was run.');
    expect(alone).toContain(
      '<div class="note">against digits &lt;test&gt;.npy (output logits)</div>',
    );
  });

  it('marks a scheduler whose search stopped early, saying at which limit', () => {
    const note = 'stopped at its candidate budget: the best found';
    expect(html).not.toContain(note);
    const stopped = renderReport({
      ...summary,
      layers: summary.layers.map((l) =>
        l.name === '/features/0/Conv'
          ? {
              ...l,
              schedulers: l.schedulers.map((s) =>
                s.scheduler === 'exhaustive'
                  ? { ...s, complete: false, limitHit: 'candidates' as const }
                  : s,
              ),
            }
          : l,
      ),
    });
    expect(count(stopped, new RegExp(note, 'g'))).toBe(1);
    expect(stopped).toMatch(/<td>exhaustive<div class="facts">stopped at its candidate budget/);
  });

  it('one table row per layer, with numbers grouped in thousands', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(count(html, /<tr class="layer /g)).toBe(summary.layers.length);
    expect(count(html, /<tr class="layer accelerator"/g)).toBe(5);
    expect(count(html, /<tr class="layer host"/g)).toBe(3);
    // The 16×16×64→64 3×3 conv: 9,437,184 MACs.
    expect(html).toContain('9,437,184');
    expect(html).toContain(summary.layers[4].cycles!.toLocaleString('en-US'));
    for (const l of summary.layers.filter((l) => l.reason !== null))
      expect(html).toContain(l.reason);
  });

  it('draws the four charts as inline SVG', () => {
    expect(count(html, /<svg /g)).toBe(4);
    for (const id of ['chart-share', 'chart-cycles', 'chart-roofline', 'chart-speedup']) {
      expect(html).toMatch(new RegExp(`<figure id="${id}"><svg `));
    }
    expect(html).toContain('load busy');
    expect(html).toContain('roof: 256 MACs/cycle, 16 B/cycle');
    expect(html).toContain('speedup over baseline');
  });

  it('shows the host share: a card, and the share chart with accelerator and host bars', () => {
    const host = summary.hostCycles as number;
    // The fixture's host work priced by the gemmini preset: 768 quantized elements × 54 cycles,
    // 16,384 pooled elements × 6, 100 softmax elements × 80, at the accelerator's own clock.
    expect(host).toBe(768 * 54 + 16384 * 6 + 100 * 80);
    expect(summary.totalCycles).toBe(summary.acceleratorCycles + host);
    const share = `${((100 * host) / summary.totalCycles).toFixed(1)}% of the total (estimated)`;
    expect(html).toContain(share);
    expect(html).toContain('Host cycles');
    const chart = html.slice(html.indexOf('<figure id="chart-share">'));
    expect(chart).toContain('accelerator layers ×5');
    expect(chart).toContain('QuantizeLinear (host) ×1');
    expect(chart).toContain(
      `${(98304).toLocaleString('en-US')} (${((100 * 98304) / summary.totalCycles).toFixed(1)}%)`,
    );
    expect(html).toContain('host cycles are estimated from the spec’s host costs');
  });

  it('is self-contained: no script, no stylesheet link, nothing fetched', () => {
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import|src=/i);
    expect(html.replace(/url\(#[^)]*\)/g, '')).not.toMatch(/url\(/);
    // The only URLs are the SVG namespaces.
    expect(html.replace(/xmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, '')).not.toMatch(
      /https?:|\/\/[a-z]/i,
    );
    expect(html).not.toMatch(/href=/);
  });

  it('escapes the names it takes from the model', () => {
    const evil = '<img src=x onerror="alert(1)">&';
    const layers: RunLayer[] = summary.layers.map((l, i) =>
      i === 1 || i === 0 ? { ...l, name: evil, op: `<u>${l.op}</u>` } : l,
    );
    const out = renderReport({
      ...summary,
      model: '<script>alert(2)</script>',
      layers,
      warnings: ['<i>warned</i> & more'],
      outputs: [{ name: '"><svg onload=x>', shape: [1] }],
    });
    for (const raw of ['<img', '<script', '<u>', '<i>', '<svg onload']) {
      expect(out.includes(raw), raw).toBe(false);
    }
    expect(out).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;');
    expect(out).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(out).toContain('&lt;i&gt;warned&lt;/i&gt; &amp; more');
    expect(count(out, /<tr class="layer /g)).toBe(summary.layers.length);
  });

  it('takes memory names from the spec, never from an accelerator it knows', () => {
    const out = renderReport(
      renamedMemories(summary, { scratchpad: 'sram_a', accumulator: 'acc_b' }),
    );
    expect(count(out, /<span>sram_a<\/span>/g)).toBe(5);
    expect(count(out, /<span>acc_b<\/span>/g)).toBe(5);
    expect(out).not.toMatch(/scratchpad|accumulator/i);
    expect(out).not.toMatch(new RegExp(summary.target, 'i'));
  });

  it('a layer that runs its schedule several times: totals, and per-run details', () => {
    const layers = summary.layers.map((l, i) =>
      i === 4 ? { ...l, cycles: 3 * l.detail!.simulatedCycles, macs: 3 * l.macs } : l,
    );
    const out = renderReport({ ...summary, layers });
    const d = summary.layers[4].detail!;
    expect(out).toContain(`3 runs of ${d.simulatedCycles.toLocaleString('en-US')}`);
    expect(out).toContain(`${d.dramBytes.read.toLocaleString('en-US')} B read per run`);
    expect(out).toContain((3 * d.macs).toLocaleString('en-US'));
  });

  it('says so when no scheduler comparison or no accelerator layer is there to chart', () => {
    const single = renderReport({
      ...summary,
      layers: summary.layers.map((l) => ({ ...l, schedulers: [] })),
    });
    expect(count(single, /<svg /g)).toBe(3);
    expect(single).toContain('Only one scheduler was run per layer');
    const hostOnly = renderReport({
      ...summary,
      layers: summary.layers
        .filter((l) => l.placement === 'host')
        .map((l) => ({ ...l, cycles: null })),
      acceleratorCycles: 0,
      hostCycles: null,
      totalCycles: 0,
      seconds: 0,
      reference: null,
      warnings: [],
    });
    expect(count(hostOnly, /<svg /g)).toBe(0);
    expect(hostOnly).toContain('The host was not timed');
    expect(hostOnly).toContain('host layers are not timed');
    expect(hostOnly).toContain('No accelerator layers: nothing was timed.');
    expect(hostOnly).toContain('No reference comparison was run.');
    expect(count(hostOnly, /<tr class="layer host"/g)).toBe(3);
  });
});
