import { describe, expect, it } from 'vitest';
import type { LayerReport } from '../../../src/results/layer_report.js';
import { gemmforge } from '../../cli/run_cli.js';

describe('gemmforge on VTA', () => {
  it('schedule --target vta --conv … --verify --json: the same report fields as on any target', () => {
    const r = gemmforge(
      'schedule',
      '--target',
      'vta',
      '--scheduler',
      'baseline',
      '--conv',
      'N=1,H=8,W=8,C=16,K=32,R=3,S=3,pad=1',
      '--verify',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout) as LayerReport;
    expect(got.target).toBe('vta');
    expect(got.scheduler).toBe('baseline');
    // No vendor heuristic: the simple mapping, reported as a fallback.
    expect(got.fallback).toEqual({ reason: 'vta has no baseline heuristic; simple mapping used' });
    expect(got.macs).toBe(8 * 8 * 16 * 32 * 9);
    expect(Object.keys(got.occupancy).sort()).toEqual(['acc', 'inp', 'wgt']);
    expect(got.simulatedCycles).toBeGreaterThanOrEqual(got.rooflineCycles);
    expect(got.verified).toBe(true);
    expect(got.mismatches).toBe(0);
  });

  it('--scheduler exhaustive on vta-b32, bit-exact', () => {
    const r = gemmforge(
      'schedule',
      '--target',
      'vta-b32',
      '--scheduler',
      'exhaustive',
      '--gemm',
      '40,70,50',
      '--relu',
      '--verify',
      '--json',
    );
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout) as LayerReport;
    expect(got.target).toBe('vta-b32');
    expect(got.mapping.spatial).toEqual({ rows: 'K', cols: 'N' });
    expect(got.fallback).toBeNull();
    expect(got.verified).toBe(true);
  });

  it('targets lists the VTA presets', () => {
    const r = gemmforge('targets');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^vta +16×16 +WS +int8→int32 +/m);
    expect(r.stdout).toMatch(/^vta-b32 +32×32/m);
  });
});
