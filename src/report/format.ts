/** How the report writes numbers: thousands separators, fixed decimals, binary byte units. */

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567.4 → "1,234,567". */
export function formatCount(n: number): string {
  return grouped.format(Math.round(n));
}

/** 0.9963 → "99.6%". */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(100 * fraction).toFixed(digits)}%`;
}

/** 1.25 → "1.25×". */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

const byteUnits = [
  { bytes: 1 << 30, name: 'GiB' },
  { bytes: 1 << 20, name: 'MiB' },
  { bytes: 1 << 10, name: 'KiB' },
] as const;

/** 2007040 → "1.9 MiB"; below 1 KiB, exact bytes. */
export function formatBytes(bytes: number): string {
  for (const unit of byteUnits) {
    if (bytes >= unit.bytes) return `${+(bytes / unit.bytes).toFixed(1)} ${unit.name}`;
  }
  return `${formatCount(bytes)} B`;
}

const timeUnits = [
  { seconds: 1, name: 's' },
  { seconds: 1e-3, name: 'ms' },
  { seconds: 1e-6, name: 'µs' },
] as const;

/** 0.0004535 → "453.5 µs". */
export function formatSeconds(seconds: number): string {
  for (const unit of timeUnits) {
    if (seconds >= unit.seconds) return `${(seconds / unit.seconds).toFixed(1)} ${unit.name}`;
  }
  return `${(seconds * 1e9).toFixed(0)} ns`;
}

/** A number with a few significant digits, for ratios and intensities: 0.0123, 4.56, 1,234. */
export function formatNumber(x: number): string {
  if (Math.abs(x) >= 1000) return formatCount(x);
  return `${+x.toPrecision(3)}`;
}
