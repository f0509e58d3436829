import {
  accentColor,
  gridColor,
  inkColor,
  limitColors,
  mutedColor,
  reportFont,
} from './palette.js';
import { limitKinds } from './limits.js';

/** The report's stylesheet, inlined in its <style>: system fonts only, nothing fetched. */
export const reportCss = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font-family: ${reportFont}; font-size: 14px; line-height: 1.45; color: ${inkColor};
  background: #f6f8fa; }
main { max-width: 1880px; margin: 0 auto; padding: 28px 28px 48px; }
@media (max-width: 900px) { main { padding: 16px 12px 32px; } }
h1 { font-size: 26px; margin: 0 0 4px; font-weight: 650; letter-spacing: -0.01em; }
h2 { font-size: 18px; margin: 36px 0 12px; font-weight: 650; }
h3 { font-size: 13px; margin: 0 0 8px; font-weight: 600; color: ${mutedColor};
  text-transform: uppercase; letter-spacing: 0.04em; }
.subtitle { color: ${mutedColor}; margin: 0 0 20px; }
.subtitle b { color: ${inkColor}; font-weight: 600; }
.num, td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted { color: ${mutedColor}; }
code, .mono { font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace; font-size: 12.5px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid ${gridColor}; border-radius: 8px; padding: 12px 14px; }
.card .label { color: ${mutedColor}; font-size: 12px; }
.card .value { font-size: 21px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .note { color: ${mutedColor}; font-size: 12px; }
.panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px;
  margin-top: 12px; }
.panel { background: #fff; border: 1px solid ${gridColor}; border-radius: 8px; padding: 14px 16px; }
.panel table { border-collapse: collapse; width: 100%; }
.panel td, .panel th { padding: 2px 8px 2px 0; text-align: left; font-weight: normal; }
.panel th { color: ${mutedColor}; white-space: nowrap; }
.warnings { background: #fff8c5; border: 1px solid #d4a72c66; border-radius: 8px; padding: 10px 16px;
  margin-top: 12px; }
.warnings ul { margin: 4px 0 0; padding-left: 18px; }
figure { margin: 0 0 16px; background: #fff; border: 1px solid ${gridColor}; border-radius: 8px;
  padding: 14px 16px; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { color: ${mutedColor}; font-size: 12.5px; margin-top: 6px; }
/* A table wider than the window scrolls inside its box (the page itself never gets wider); the box
   is at most a window high, so the header row stays in sight while its rows scroll. */
.table-wrap { background: #fff; border: 1px solid ${gridColor}; border-radius: 8px; overflow: auto;
  max-width: 100%; max-height: 90vh; }
table.layers { border-collapse: separate; border-spacing: 0; width: 100%; }
table.layers > thead > tr > th { position: sticky; top: 0; z-index: 2; background: #f0f3f6;
  border-bottom: 1px solid #d0d7de; padding: 8px; text-align: left; font-size: 12px;
  font-weight: 600; color: ${mutedColor}; white-space: nowrap; }
table.layers > thead > tr > th.num { text-align: right; }
table.layers > tbody > tr > td { padding: 10px 8px; border-bottom: 1px solid ${gridColor};
  vertical-align: top; }
table.layers > tbody > tr:hover > td { background: #f8fafc; }
tr.host > td { background: #fbfbfc; }
.layer-name { font-weight: 600; overflow-wrap: anywhere; min-width: 150px; }
.op { color: ${mutedColor}; font-size: 12px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 11.5px;
  font-weight: 600; white-space: nowrap; border: 1px solid transparent; }
.badge.accelerator { background: #ddf4ff; color: ${accentColor}; border-color: #54aeff66; }
.badge.host { background: #eff1f3; color: ${mutedColor}; border-color: #d0d7de; }
${limitKinds.map((k) => `.badge.limit-${k} { color: #fff; background: ${limitColors[k]}; }`).join('\n')}
table.tiles { border-collapse: collapse; margin-bottom: 4px; }
table.tiles th, table.tiles td { padding: 0 6px; font-size: 12px; text-align: right;
  font-variant-numeric: tabular-nums; }
table.tiles th { color: ${mutedColor}; font-weight: 600; }
table.tiles th.row { text-align: left; font-weight: normal; padding-left: 0; }
.facts { font-size: 12px; color: ${mutedColor}; white-space: nowrap; }
.dram-written { margin-top: 6px; }
.facts b { color: ${inkColor}; font-weight: 600; }
.occ { min-width: 160px; }
.occ-row { font-size: 12px; margin-bottom: 4px; }
.occ-label { display: flex; justify-content: space-between; gap: 8px; }
.bar { height: 7px; background: #eaeef2; border-radius: 4px; overflow: hidden; margin-top: 2px; }
.bar > span { display: block; height: 100%; background: ${accentColor}; border-radius: 4px; }
.bar.over > span { background: ${limitColors['instruction-issue']}; }
.limit { min-width: 280px; max-width: 420px; font-size: 12.5px; }
.roof { margin-left: 6px; color: ${mutedColor}; font-size: 12px; }
.roof b { color: ${inkColor}; }
.limit p { margin: 4px 0 0; }
.note { font-size: 12px; color: ${mutedColor}; margin-top: 2px; }
.reason { color: ${mutedColor}; font-style: italic; }
table.sched { border-collapse: collapse; font-size: 12px; }
table.sched td { padding: 0 6px 0 0; }
table.sched tr.chosen td { font-weight: 600; }
footer { margin-top: 32px; color: ${mutedColor}; font-size: 12px; }
`;
