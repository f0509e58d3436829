import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressReporter } from '../../src/cli/progress.js';

const stderr = process.stderr as { isTTY?: boolean; columns?: number };
const saved = { isTTY: stderr.isTTY, columns: stderr.columns };

/** What a reporter draws for one update on a terminal of `columns` columns. */
function drawn(columns: number, label: string): string {
  stderr.isTTY = true;
  stderr.columns = columns;
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    written.push(String(s));
    return true;
  });
  progressReporter(false)(3, 4, label);
  spy.mockRestore();
  return written.join('');
}

afterEach(() => {
  stderr.isTTY = saved.isTTY;
  stderr.columns = saved.columns;
});

describe('progressReporter', () => {
  it('draws the whole label, also on a terminal that reports 0 columns', () => {
    const bar = `[${'#'.repeat(18)}${'.'.repeat(6)}] 3/4 candidates (the budget)`;
    expect(drawn(0, 'candidates (the budget)')).toBe(`\r${bar}\x1b[K`);
    expect(drawn(120, 'candidates (the budget)')).toBe(`\r${bar}\x1b[K`);
    // Narrower than the line: cut to the width less one column.
    expect(drawn(20, 'candidates (the budget)')).toBe(`\r${bar.slice(0, 19)}\x1b[K`);
  });

  it('draws nothing with --json or off a terminal', () => {
    stderr.isTTY = false;
    const spy = vi.spyOn(process.stderr, 'write');
    progressReporter(false)(1, 2, 'x');
    stderr.isTTY = true;
    progressReporter(true)(1, 2, 'x');
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});
