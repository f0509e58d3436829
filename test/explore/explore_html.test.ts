import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ExploreRun } from '../../src/explore/explore.js';
import { renderExploreHtml } from '../../src/explore/explore_html.js';
import type { LayerOutcome } from '../../src/explore/layer_job.js';
import type { ModelLayers } from '../../src/explore/models.js';
import { paretoSummary } from '../../src/explore/pareto.js';
import { pointResult } from '../../src/explore/point_result.js';
import { sweepPoints } from '../../src/explore/points.js';
import { parseSweep } from '../../src/explore/sweep.js';
import { targetByName } from '../../src/targets/index.js';
import { parseGemm } from '../../src/workload/parse.js';

/** A run of six points (one refused) with made-up cycles: what the page shows, not what it costs. */
function fixtureRun(): ExploreRun {
  const sweep = parseSweep(
    {
      base: 'gemmini',
      models: [{ network: 'resnet50', layers: 1 }],
      parameters: {
        'memories.scratchpad.capacityBytes': [1000, 131072, 262144],
        'dram.bytesPerCycle': [8, 16],
      },
    },
    'fixture.json',
    '/',
  );
  const base = targetByName('gemmini').spec;
  const models: ModelLayers[] = ['m1', 'm2'].map((name) => ({
    name,
    layers: [{ name: 'l', count: 1, workload: parseGemm('64,64,64'), scale: 1 }],
  }));
  const pass = { scheduler: 'cosa', timing: 'simulated' } as const;
  const outcome = (cycles: number): LayerOutcome => ({
    ok: true,
    cycles,
    macs: 262144,
    mapping: {} as never,
    fallback: null,
    limitHit: null,
    seconds: 0,
  });
  const points = sweepPoints(sweep, base).map((p) =>
    pointResult(p, models, pass, (m) => outcome(1e6 / (p.sramBytes / 65536 + p.index + m))),
  );
  const baseInput = {
    index: -1,
    values: {},
    spec: base,
    sramBytes: 327680,
    pes: 256,
    invalid: null,
  };
  const baseResult = pointResult(baseInput, models, pass, () => outcome(200000));
  return {
    base: baseResult,
    points,
    total: points.length,
    models: ['m1', 'm2'],
    pareto: paretoSummary(points, baseResult, sweep.objectives),
    jobs: { computed: 10, cached: 0, requests: 12 },
    interrupted: false,
  };
}

describe('explore.html', () => {
  const run = fixtureRun();
  const html = renderExploreHtml(run, 'fixture.json');

  it('has both Pareto plots, the best-point table and a row per point and the base', () => {
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html).toContain('id="pareto-sram"');
    expect(html).toContain('id="pareto-area"');
    expect(html.match(/<tr id="point-/g)).toHaveLength(run.points.length + 1);
    expect(html).toContain('invalid');
    expect(html).toContain('fitted');
    expect(html).not.toMatch(/<script|(src|href)="https?:/);
  });
});

/** Debian's chromium (`make chromium` installs it), found on the PATH. */
const chromiumPath = (process.env.PATH ?? '')
  .split(delimiter)
  .map((dir) => join(dir, 'chromium'))
  .find((path) => existsSync(path));
if (chromiumPath === undefined) {
  console.warn('notice: chromium is not installed; the browser test of explore.html is skipped');
}

describe.skipIf(chromiumPath === undefined)('explore.html in headless Chromium', () => {
  it('draws both plots and the tables, fetches nothing', async () => {
    const artifacts = join(import.meta.dirname, '..', '..', 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    const file = join(artifacts, 'explore.html');
    const run = fixtureRun();
    writeFileSync(file, renderExploreHtml(run, 'fixture.json'));
    const browser = await chromium.launch({ executablePath: chromiumPath });
    try {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      for (const id of ['pareto-sram', 'pareto-area']) {
        const box = await page.locator(`#${id} svg`).boundingBox();
        expect(box!.width).toBeGreaterThan(400);
        expect(box!.height).toBeGreaterThan(200);
        expect(await page.locator(`#${id} svg path`).count()).toBeGreaterThan(5);
      }
      const rows = await page.$$eval('#points tbody tr', (trs) => trs.length);
      expect(rows).toBe(run.points.length + 1);
      const best = await page.$$eval('#best tbody tr td:first-child', (tds) =>
        tds.map((td) => td.textContent),
      );
      expect(best).toEqual(['m1', 'm2']);
      expect(requests.every((url) => url.startsWith('file:'))).toBe(true);
      const shot = join(artifacts, 'explore.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(20_000);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
