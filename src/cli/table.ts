/** Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const numeric = header.map(
    (_, c) => rows.length > 0 && rows.every((r) => /^[-\d.,%×x ]+$/.test(r[c] ?? '')),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** 262144 → "256 KiB". */
export function formatBytes(bytes: number): string {
  const unit = (n: number, name: string): string => `${+(bytes / n).toFixed(1)} ${name}`;
  if (bytes >= 1 << 20) return unit(1 << 20, 'MiB');
  if (bytes >= 1024) return unit(1024, 'KiB');
  return `${bytes} B`;
}

/** 1e9 → "1 GHz". */
export function formatHz(hz: number): string {
  if (hz >= 1e9) return `${+(hz / 1e9).toFixed(3)} GHz`;
  if (hz >= 1e6) return `${+(hz / 1e6).toFixed(3)} MHz`;
  return `${hz} Hz`;
}
