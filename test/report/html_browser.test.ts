import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/html.js';
import type { RunSummary } from '../../src/results/run_summary.js';
import { realisticRunSummary } from './fixture.js';

/** Debian's chromium (`make chromium` installs it), found on the PATH. */
const chromiumPath = (process.env.PATH ?? '')
  .split(delimiter)
  .map((dir) => join(dir, 'chromium'))
  .find((path) => existsSync(path));
if (chromiumPath === undefined) {
  console.warn(
    'notice: chromium is not installed (`make chromium` installs it); ' +
      'the browser test of the HTML report is skipped',
  );
}

const artifacts = join(import.meta.dirname, '..', '..', 'test-artifacts');
const reportFile = join(artifacts, 'report.html');
const screenshotFile = join(artifacts, 'report.png');

describe.skipIf(chromiumPath === undefined)('the HTML report in headless Chromium', () => {
  let summary: RunSummary;
  let browser: Browser;

  beforeAll(async () => {
    summary = realisticRunSummary();
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(reportFile, renderReport(summary));
    browser = await chromium.launch({ executablePath: chromiumPath });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows one row per layer with numbers, draws the charts, fetches nothing', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(reportFile).href, { waitUntil: 'load' });

    const rows = await page.$$eval('#layers > tbody > tr.layer', (trs) =>
      trs.map((tr) => ({
        host: tr.classList.contains('host'),
        cells: [...tr.querySelectorAll(':scope > td')].map((td) => td.textContent ?? ''),
      })),
    );
    expect(rows).toHaveLength(summary.layers.length);
    const grouped = /^\d{1,3}(,\d{3})*/;
    rows.forEach((row, i) => {
      const layer = summary.layers[i];
      expect(row.host).toBe(layer.placement === 'host');
      expect(row.cells[0]).toBe(String(i + 1));
      expect(row.cells[1]).toContain(layer.name);
      // MACs, grouped in thousands.
      expect(row.cells[4]).toBe(layer.macs.toLocaleString('en-US'));
      if (layer.placement === 'accelerator') {
        expect(row.cells[2]).toMatch(grouped);
        expect(row.cells[2]).toContain(layer.cycles!.toLocaleString('en-US'));
        expect(row.cells[3]).toMatch(/^\d+\.\d%$/);
        expect(row.cells[7]).toMatch(/\d+(\.\d)? (B|KiB|MiB)/);
      } else {
        // A host layer's estimated cycles, then its share of the total.
        expect(row.cells[2]).toMatch(/% of total$/);
        expect(row.cells[2].startsWith((layer.cycles as number).toLocaleString('en-US'))).toBe(
          true,
        );
        expect(row.cells[5]).toBe(layer.reason);
      }
    });

    const sticky = await page.$eval('#layers > thead th', (th) => getComputedStyle(th).position);
    expect(sticky).toBe('sticky');

    for (const id of ['chart-share', 'chart-cycles', 'chart-roofline', 'chart-speedup']) {
      const chart = page.locator(`#${id} svg`);
      expect(await chart.count()).toBe(1);
      const box = await chart.boundingBox();
      expect(box!.width).toBeGreaterThan(600);
      expect(box!.height).toBeGreaterThan(150);
      expect(await page.locator(`#${id} svg path`).count()).toBeGreaterThan(10);
      expect(await page.locator(`#${id} svg text`).count()).toBeGreaterThan(5);
    }
    const rooflineLabels = await page.$$eval('#chart-roofline svg text', (ts) =>
      ts.map((t) => t.textContent),
    );
    expect(rooflineLabels).toContain('#5');

    expect(requests.every((url) => url.startsWith('file:'))).toBe(true);
    await page.screenshot({ path: screenshotFile, fullPage: true });
    expect(statSync(screenshotFile).size).toBeGreaterThan(50_000);
    await page.close();
  });
});
