/**
 * A one-line progress bar on stderr, drawn only on a terminal and never with --json (pipes and
 * scripts see nothing). Returns the update function, with `done()` to clear the line.
 */
export function progressReporter(quiet: boolean): ((
  done: number,
  total: number,
  what: string,
) => void) & {
  done: () => void;
} {
  const live = !quiet && process.stderr.isTTY === true;
  let last = 0;
  const update = (done: number, total: number, what: string): void => {
    if (!live) return;
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    const width = 24;
    const filled = Math.round((width * done) / Math.max(1, total));
    // A terminal whose size is unknown reports 0 columns: then 80 (slicing to −1 lost a character).
    const reported = process.stderr.columns ?? 0;
    const cols = reported > 0 ? reported : 80;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${what}`;
    process.stderr.write(
      `\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length))}\x1b[K`,
    );
  };
  return Object.assign(update, {
    done: () => {
      if (live) process.stderr.write('\r\x1b[K');
    },
  });
}
