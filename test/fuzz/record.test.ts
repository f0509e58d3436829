import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addCounts, countsTable, partLine, readRecord, totalLine, type RunPart } from './record.js';

const oneRun = [
  '# Fuzzing the CLI',
  '',
  '2500 cases, seed 4, 2 at a time, each capped at 60 s (a case that reaches the cap runs again with 180 s before it counts as a hang): 35.7 min in all; the slowest case took 23.1 s.',
  '',
  '| case kind | cases | ok | refused | stack-trace | bad-exit | no-message | hang |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  '| lenet | 1500 | 500 | 1000 | 0 | 0 | 0 | 0 |',
  '| spec | 1000 | 300 | 700 | 0 | 0 | 0 | 0 |',
  '| **all** | 2500 | 800 | 1700 | 0 | 0 | 0 | 0 |',
].join('\n');

describe('the fuzz record', () => {
  it('reads a one-run record: seed, cases, the run and the counts per kind', () => {
    const r = readRecord(oneRun);
    expect(r?.seed).toBe(4);
    expect(r?.cases).toBe(2500);
    expect(r?.findings).toBe(0);
    expect(r?.parts).toEqual([
      { from: 0, to: 2500, parallel: 2, minutes: 35.7, slowestSeconds: 23.1 },
    ]);
    expect(r?.counts.get('lenet')).toEqual({
      ok: 500,
      refused: 1000,
      'stack-trace': 0,
      'bad-exit': 0,
      'no-message': 0,
      hang: 0,
    });
  });

  it('writes what it reads back: continued runs add their parts and counts', () => {
    const first = readRecord(oneRun)!;
    const more = new Map([['spec', { ...first.counts.get('spec')!, ok: 10, refused: 5, hang: 1 }]]);
    const counts = addCounts(first.counts, more);
    const parts: RunPart[] = [
      ...first.parts,
      { from: 2500, to: 2516, parallel: 1, minutes: 0.4, slowestSeconds: 61.5 },
    ];
    const text = [
      totalLine(2516, 4, 60, parts),
      ...parts.map(partLine),
      '',
      ...countsTable(counts),
    ].join('\n');
    const back = readRecord(text);
    expect(back?.cases).toBe(2516);
    expect(back?.parts).toEqual(parts);
    expect(back?.findings).toBe(1);
    expect(back?.counts.get('spec')?.ok).toBe(310);
    expect(text).toContain('| **all** | 2516 | 810 | 1705 | 0 | 0 | 0 | 1 |');
  });

  it('refuses text whose table does not add up to its cases', () => {
    expect(
      readRecord(oneRun.replace('| lenet | 1500 | 500 |', '| lenet | 1499 | 499 |')),
    ).toBeUndefined();
    expect(readRecord('# something else')).toBeUndefined();
  });

  it('reads the committed record', () => {
    const text = readFileSync(
      join(import.meta.dirname, '..', '..', 'bench', 'results', 'fuzz.md'),
      'utf8',
    );
    const r = readRecord(text);
    expect(r).toBeDefined();
    // Its findings, if any, are the ones it lists.
    expect(text).toContain(r?.findings === 0 ? 'No findings.' : `${r?.findings} findings:`);
    expect(r?.parts.at(-1)?.to).toBe(r?.cases);
  });
});
