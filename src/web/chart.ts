/**
 * The approval-time chart: weekly medians for standard and expert reviews as inline SVG, with
 * the seed's targets as dashed lines. No script and no external asset: it renders anywhere.
 */
import { formatHours, TARGETS, type WeeklyApprovalPoint } from '../audit/success-metrics.js';
import { html, type SafeHtml } from './html.js';

const WIDTH = 1000;
const HEIGHT = 240;
const PAD = { left: 44, right: 36, top: 34, bottom: 30 };
const LEGEND_GAP = 300;
const HOUR_MS = 3_600_000;
const STEP_MS = 12 * HOUR_MS;

const SERIES = [
  { key: 'standardMedianMs', label: 'Standard (peer review)', color: '#2563eb', targetMs: TARGETS.standardApprovalBelowMs },
  { key: 'expertMedianMs', label: 'Expert', color: '#9333ea', targetMs: TARGETS.expertApprovalBelowMs },
] as const;

export function approvalChart(weekly: readonly WeeklyApprovalPoint[]): SafeHtml {
  const values = weekly.flatMap((w) => [w.standardMedianMs, w.expertMedianMs]).filter((v): v is number => v !== null);
  // Room for the 48 h target line and the highest median, in whole 12-hour steps.
  const maxMs = Math.ceil(Math.max(TARGETS.expertApprovalBelowMs, ...values) / STEP_MS) * STEP_MS + STEP_MS;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (weekly.length <= 1 ? plotW / 2 : (i * plotW) / (weekly.length - 1));
  const y = (ms: number) => PAD.top + plotH - (ms / maxMs) * plotH;
  const gridEvery = maxMs > 96 * HOUR_MS ? 2 * STEP_MS : STEP_MS;
  const grid = Array.from({ length: Math.floor(maxMs / gridEvery) + 1 }, (_, i) => i * gridEvery);

  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Median approval time per week">
  ${grid.map((ms) => html`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(ms)}" y2="${y(ms)}" class="grid"/>
  <text x="${PAD.left - 6}" y="${y(ms) + 4}" class="axis" text-anchor="end">${ms / HOUR_MS}h</text>`)}
  ${weekly.map((w, i) => html`<text x="${x(i)}" y="${HEIGHT - 10}" class="axis" text-anchor="middle">${formatDay(w.weekStart)}</text>`)}
  ${SERIES.map((s) => html`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(s.targetMs)}" y2="${y(s.targetMs)}" stroke="${s.color}" class="target"/>`)}
  ${SERIES.map((s) => {
    const points = weekly.map((w, i) => ({ i, ms: w[s.key] }));
    return html`<path d="${linePath(points, x, y)}" fill="none" stroke="${s.color}" stroke-width="2.5" stroke-linejoin="round"/>
  ${points.map((p) => p.ms !== null && html`<circle cx="${x(p.i)}" cy="${y(p.ms)}" r="4" fill="${s.color}"><title>${s.label}: ${formatHours(p.ms)}</title></circle>`)}`;
  })}
  ${SERIES.map((s, i) => html`<rect x="${PAD.left + 8 + i * LEGEND_GAP}" y="8" width="12" height="12" rx="3" fill="${s.color}"/>
  <text x="${PAD.left + 26 + i * LEGEND_GAP}" y="18" class="legend">${s.label} · target ${formatHours(s.targetMs)}</text>`)}
</svg>`;
}

/** "3 Mar" under each week. */
function formatDay(ms: number): string {
  return new Date(ms).toLocaleDateString('en-GB', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** A line through the weeks that have a median; a week without one breaks the line. */
function linePath(points: ReadonlyArray<{ i: number; ms: number | null }>, x: (i: number) => number, y: (ms: number) => number): string {
  let path = '';
  let drawing = false;
  for (const p of points) {
    if (p.ms === null) {
      drawing = false;
      continue;
    }
    path += `${drawing ? 'L' : 'M'}${x(p.i).toFixed(1)} ${y(p.ms).toFixed(1)} `;
    drawing = true;
  }
  return path.trim();
}
