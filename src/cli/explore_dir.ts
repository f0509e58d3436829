import { appendFileSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { ExploreRun } from '../explore/explore.js';
import type { PointResult } from '../explore/point_result.js';
import type { Sweep } from '../explore/sweep.js';
import { canonicalJson } from '../schedule/cache.js';
import { isDirectory, makeDirectory, writeOutputFile } from './output_files.js';

/**
 * The output directory of `gemmforge explore`: sweep.json (the sweep it holds, to resume only that
 * one), cache.jsonl (the layer jobs, appended as each finishes), points.jsonl (a line per finished
 * point, appended while running and rewritten in point order at the end), pareto.json and
 * explore.html (written at the end, and when interrupted). Whole files are replaced by rename, so
 * a stopped run leaves every file either old or new, and `--resume` continues from the cache.
 */
export interface ExploreDir {
  readonly dir: string;
  readonly cacheFile: string;
  appendPoint(p: PointResult): void;
  finish(run: ExploreRun, html: string): void;
}

function replaceFile(path: string, text: string): void {
  writeOutputFile(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** The sweep as sweep.json holds it: canonical JSON, so equal sweeps are equal text. */
function sweepText(sweep: Sweep): string {
  return JSON.stringify(JSON.parse(canonicalJson(sweep)), null, 2) + '\n';
}

export function openExploreDir(dir: string, sweep: Sweep, resume: boolean): ExploreDir {
  const sweepFile = join(dir, 'sweep.json');
  const text = sweepText(sweep);
  const nonEmpty = isDirectory(dir) && readdirSync(dir).length > 0;
  if (nonEmpty && !resume) {
    throw new InputError(
      `${dir} is not empty: use --resume to continue the sweep it holds, or another --out`,
    );
  }
  if (nonEmpty) {
    let held: string;
    try {
      held = readFileSync(sweepFile, 'utf8');
    } catch {
      throw new InputError(`--resume: ${dir} holds no sweep.json: it is not an explore directory`);
    }
    if (held !== text) {
      throw new InputError(`--resume: ${dir} holds a different sweep (its sweep.json differs)`);
    }
  } else {
    makeDirectory(dir, '--out');
    replaceFile(sweepFile, text);
  }
  const pointsFile = join(dir, 'points.jsonl');
  writeOutputFile(pointsFile, '');
  return {
    dir,
    cacheFile: join(dir, 'cache.jsonl'),
    appendPoint: (p) => appendFileSync(pointsFile, JSON.stringify(p) + '\n'),
    finish: (run, html) => {
      replaceFile(pointsFile, run.points.map((p) => JSON.stringify(p) + '\n').join(''));
      const pareto = { base: run.base, ...run.pareto, interrupted: run.interrupted };
      replaceFile(join(dir, 'pareto.json'), JSON.stringify(pareto, null, 2) + '\n');
      replaceFile(join(dir, 'explore.html'), html);
    },
  };
}
