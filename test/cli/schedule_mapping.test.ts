import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerReport } from '../../src/driver/layer_report.js';
import { parseMappingText } from '../../src/mapping/mapping_json.js';
import type { LayerReport } from '../../src/results/layer_report.js';
import { simulatedCycles } from '../../src/runtime/run_layer.js';
import { schedule } from '../../src/schedule/schedulers.js';
import { builtinTargets } from '../../src/targets/index.js';
import { canonicalWorkload } from '../../src/workload/canonical.js';
import { parseConv, parseGemm } from '../../src/workload/parse.js';
import type { Workload } from '../../src/workload/workload.js';
import { gemmforge } from './run_cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gemmforge-mapping-'));
const noStack = /\n\s+at /;
/** A DOSA mapping of BERT's 768→768 layer (GEMM P=128, C=768, K=768) from its FireSim data. */
const bert = 'L3[WIO] K12 - L2[WI] N1 K16X - L1[O] K4 C48 P4 C16X - L0[W] P32';

describe('--mapping round-trips every mapping our schedulers produce (gemmini)', () => {
  const target = builtinTargets.gemmini;
  const shapes: readonly Workload[] = [
    parseGemm('64,256,128'),
    parseGemm('100,40,72'),
    parseConv('N=1,H=14,W=14,C=32,K=48,R=3,S=3,pad=1'),
    canonicalWorkload(parseConv('N=1,H=28,W=28,C=64,K=128,R=1,S=1')),
  ];
  for (const scheduler of ['baseline', 'cosa']) {
    for (const w of shapes) {
      it(`${scheduler} on ${w.name}: the JSON mapping fed back gives the same cycles`, () => {
        const options = { evaluate: simulatedCycles, seed: 0, timeLimitSeconds: 2 };
        const found = schedule(scheduler, w, target, options);
        const scheduled = layerReport(w, target, found, { verify: false, seed: 0 });
        const text = JSON.stringify(scheduled.mapping);
        const user = {
          ...found,
          scheduler: 'user',
          mapping: parseMappingText(text, 'mapping.json'),
        };
        const again = layerReport(w, target, user, {
          verify: false,
          seed: 0,
          mappingSource: 'user',
        });
        expect(scheduled.mappingSource).toBe('scheduler');
        expect(again.mappingSource).toBe('user');
        expect(again.mapping).toEqual(scheduled.mapping);
        expect(again.simulatedCycles).toBe(scheduled.simulatedCycles);
      });
    }
  }

  it('through the CLI: schedule --json, then --mapping FILE --verify', () => {
    const first = gemmforge('schedule', '--gemm', '100,40,72', '--scheduler', 'baseline', '--json');
    expect(first.status).toBe(0);
    const scheduled = JSON.parse(first.stdout) as LayerReport;
    expect(scheduled.mappingSource).toBe('scheduler');
    const file = join(dir, 'mapping.json');
    writeFileSync(file, JSON.stringify(scheduled.mapping, null, 2));
    const second = gemmforge(
      'schedule',
      '--gemm',
      '100,40,72',
      '--mapping',
      file,
      '--verify',
      '--json',
    );
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    const user = JSON.parse(second.stdout) as LayerReport;
    expect(user.mappingSource).toBe('user');
    expect(user.mapping).toEqual(scheduled.mapping);
    expect(user.simulatedCycles).toBe(scheduled.simulatedCycles);
    expect(user.verified).toBe(true);
  });
});

describe('schedule --mapping / --mapping-timeloop / --keep-conv', () => {
  it('a bad JSON mapping: exit 2 naming the field and the reason', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        dataflow: 'weight-stationary',
        spatial: { rows: 'K', cols: 'N' },
        tile: { M: 16, N: 16, K: 0 },
        order: ['M', 'N', 'K'],
        resident: { input: [], weight: [], output: [] },
        doubleBuffer: { input: false, weight: false, output: false },
      }),
    );
    const r = gemmforge('schedule', '--gemm', '16,16,16', '--mapping', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`gemmforge: ${file}: tile.K: must be a positive integer (got 0)\n`);
  });

  it('a mapping the target cannot run: exit 2 with the validator’s reason', () => {
    const r = gemmforge(
      'schedule',
      '--gemm',
      '128,768,768',
      '--mapping-timeloop',
      'L3[WIO] C2 K12 - L2[WI] N1 K16X - L1[O] K4 C24 P4 C16X - L0[W] P32',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('the reduction loop K is outside the output loop N');
    expect(r.stderr).not.toMatch(noStack);
  });

  it('--mapping-timeloop runs a DOSA mapping bit-exactly, reported as the user’s', () => {
    const r = gemmforge(
      'schedule',
      '--gemm',
      '128,768,768',
      '--mapping-timeloop',
      bert,
      '--verify',
      '--json',
    );
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout) as LayerReport;
    expect(got.mappingSource).toBe('user');
    expect(got.mapping.tile).toEqual({ M: 128, N: 64, K: 768 });
    expect(got.mapping.order).toEqual(['M', 'K', 'N']);
    expect(got.verified).toBe(true);
  });

  it('a 1×1 conv with a Timeloop mapping needs --keep-conv, and then runs as a conv', () => {
    const conv = 'N=1,H=28,W=28,C=64,K=64,R=1,S=1';
    const text = 'L3[WIO] Q7 - L2[WI] N1 K16X - L1[O] K4 Q4 C4 P14 C16X - L0[W] P2';
    const refused = gemmforge('schedule', '--conv', conv, '--mapping-timeloop', text);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /^gemmforge: --mapping-timeloop: this 1×1 stride-1 conv would run as a GEMM/,
    );
    const kept = gemmforge(
      'schedule',
      '--conv',
      conv,
      '--keep-conv',
      '--mapping-timeloop',
      text,
      '--verify',
      '--json',
    );
    expect(kept.status).toBe(0);
    const got = JSON.parse(kept.stdout) as LayerReport;
    expect(got.workload.kind).toBe('conv');
    expect(got.mapping.tile).toMatchObject({ K: 64, C: 64, P: 4, Q: 28 });
    expect(got.verified).toBe(true);
  });

  it('--keep-conv alone schedules the 1×1 conv as a conv', () => {
    const r = gemmforge(
      'schedule',
      '--conv',
      'N=1,H=8,W=8,C=16,K=16,R=1,S=1',
      '--keep-conv',
      '--scheduler',
      'baseline',
      '--json',
    );
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as LayerReport).workload.kind).toBe('conv');
  });

  it('a given mapping is not scheduled: --scheduler with it is an error', () => {
    const r = gemmforge(
      'schedule',
      '--gemm',
      '128,768,768',
      '--scheduler',
      'cosa',
      '--mapping-timeloop',
      bert,
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('gemmforge: a given mapping is not scheduled: drop --scheduler\n');
  });
});
