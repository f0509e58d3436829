import { describe, expect, it } from 'vitest';
import { gemmforge } from './run_cli.js';

describe('gemmforge worker', () => {
  it('a bad or unreachable --queue exits 2 with one line, before anything waits on it', () => {
    const bad = gemmforge('worker', '--queue', 'http://localhost:6379');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(
      'gemmforge: --queue must be a URL redis://HOST:PORT (got "http://localhost:6379")\n',
    );
    // Port 1 on this machine: nothing listens there (or ioredis is missing: also exit 2).
    const none = gemmforge('worker', '--queue', 'redis://127.0.0.1:1');
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(
      /^gemmforge: (cannot reach Redis at redis:\/\/127\.0\.0\.1:1|--queue needs the ioredis package)/,
    );
    expect(none.stderr.split('\n')).toHaveLength(2);
  }, 60_000);
});
