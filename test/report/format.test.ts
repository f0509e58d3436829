import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/report/escape.js';
import {
  formatBytes,
  formatCount,
  formatNumber,
  formatPercent,
  formatRatio,
  formatSeconds,
} from '../../src/report/format.js';

describe('report number formats', () => {
  it('counts with thousands separators, rounded', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1234567.4)).toBe('1,234,567');
    expect(formatCount(949.625)).toBe('950');
  });

  it('bytes in binary units, exact below 1 KiB', () => {
    expect(formatBytes(100)).toBe('100 B');
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(2007040)).toBe('1.9 MiB');
    expect(formatBytes(3 * 2 ** 30)).toBe('3 GiB');
  });

  it('times, percentages, ratios and small numbers', () => {
    expect(formatSeconds(0.0004535)).toBe('453.5 µs');
    expect(formatSeconds(0.0125)).toBe('12.5 ms');
    expect(formatSeconds(6.57)).toBe('6.6 s');
    expect(formatSeconds(2e-8)).toBe('20 ns');
    expect(formatPercent(0.9963)).toBe('99.6%');
    expect(formatPercent(0.998, 2)).toBe('99.80%');
    expect(formatRatio(8.2993)).toBe('8.30×');
    expect(formatNumber(0.0039)).toBe('0.0039');
    expect(formatNumber(4.6018)).toBe('4.6');
    expect(formatNumber(12345.6)).toBe('12,346');
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML metacharacters and nothing else', () => {
    expect(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;',
    );
    expect(escapeHtml('/features/0/Conv → 16×16')).toBe('/features/0/Conv → 16×16');
  });
});
