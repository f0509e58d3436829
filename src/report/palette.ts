import type { LimitKind } from './limits.js';

/** The report's colours and font, shared by its charts and its stylesheet. */
export const reportFont =
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
export const inkColor = '#1f2328';
export const mutedColor = '#59636e';
export const gridColor = '#e6e8eb';
export const accentColor = '#0969da';
/** Cycles spent on the host (the accelerator's are accentColor). */
export const hostColor = '#e45756';

/** Busy time of each timing unit. */
export const unitColors = { load: '#4c78a8', execute: '#f58518', store: '#54a24b' } as const;

/** What limits a layer. */
export const limitColors: Readonly<Record<LimitKind, string>> = {
  compute: '#f58518',
  'dram-bandwidth': '#4c78a8',
  'memory-capacity': '#b279a2',
  'instruction-issue': '#e45756',
  'dram-requests': '#72b7b2',
  'address-translation': '#9d755d',
  latency: '#79706e',
};

/** One colour per compared scheduler, in order. */
export const schedulerColors = ['#4c78a8', '#f58518', '#54a24b', '#b279a2', '#e45756'] as const;
