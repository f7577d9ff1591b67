/**
 * The dashboard's HTML: one page, rendered on the server from a view model, with inline CSS and
 * an inline SVG chart, so it works without any network access beyond the app itself.
 */
import { formatDuration } from '../config/duration.js';
import { formatUtc, metricRows, type MetricStatus, type SuccessMetrics } from '../audit/success-metrics.js';
import type { AuditEntry } from '../audit/types.js';
import { approvalChart } from './chart.js';
import { html, SafeHtml } from './html.js';
import { AUDIT_ACTION_LABELS, type Parsed } from './query.js';
import type { PendingRow } from './data.js';

const STYLE = `
:root { color-scheme: light; --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f5f6fa; --card: #fff;
  --ok: #166534; --ok-bg: #dcfce7; --bad: #991b1b; --bad-bg: #fee2e2; --none: #4b5563; --none-bg: #f3f4f6; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
header { background: #111827; color: #f9fafb; padding: 14px 28px; display: flex; align-items: center; gap: 16px; }
header h1 { font-size: 18px; margin: 0; font-weight: 650; letter-spacing: .2px; }
header .sub { color: #9ca3af; font-size: 13px; }
header form { margin-left: auto; }
header button { background: transparent; color: #d1d5db; border: 1px solid #374151; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 28px 48px; }
section { margin-top: 26px; }
h2 { font-size: 16px; margin: 0 0 10px; display: flex; align-items: baseline; gap: 10px; }
h2 .count { color: var(--muted); font-weight: 400; font-size: 13px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; box-shadow: 0 1px 2px rgba(0,0,0,.04); }
.metrics { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; }
@media (max-width: 820px) { .metrics { grid-template-columns: 1fr; } }
.metric { border-left: 4px solid var(--none-bg); }
.metric.met { border-left-color: #22c55e; } .metric.missed { border-left-color: #ef4444; }
.metric .name { color: var(--muted); font-size: 13px; }
.metric .value { font-size: 24px; font-weight: 650; margin: 2px 0; }
.metric .detail { font-size: 12.5px; color: var(--muted); }
.metric .foot { display: flex; justify-content: space-between; align-items: center; font-size: 12.5px; color: var(--muted); margin-top: 6px; padding-top: 6px; border-top: 1px solid var(--line); }
.badge { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.met { color: var(--ok); background: var(--ok-bg); } .badge.missed { color: var(--bad); background: var(--bad-bg); }
.badge.no_data, .badge.level0 { color: var(--none); background: var(--none-bg); }
.badge.level1 { color: #1e40af; background: #dbeafe; } .badge.level2 { color: #92400e; background: #fef3c7; }
.badge.level3 { color: #9a3412; background: #ffedd5; } .badge.level4 { color: var(--bad); background: var(--bad-bg); }
.chart { width: 100%; height: auto; display: block; }
.chart .grid { stroke: var(--line); } .chart .axis { fill: var(--muted); font-size: 11px; }
.chart .target { stroke-dasharray: 5 4; stroke-width: 1.2; opacity: .55; } .chart .legend { fill: var(--ink); font-size: 12px; }
table { width: 100%; border-collapse: collapse; font-size: 13.5px; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; padding: 8px 10px; border-bottom: 1px solid var(--line); }
td { padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
tr:last-child td { border-bottom: 0; }
tbody tr:hover { background: #fafafa; }
.muted { color: var(--muted); } .overdue { color: var(--bad); font-weight: 600; } .nowrap { white-space: nowrap; }
a { color: #2563eb; text-decoration: none; } a:hover { text-decoration: underline; }
.pill { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; background: #eef2ff; color: #3730a3; border-radius: 6px; padding: 1px 6px; white-space: nowrap; }
form.filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; margin-bottom: 12px; }
label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 3px; }
input, select { font: inherit; padding: 6px 8px; border: 1px solid #d1d5db; border-radius: 7px; background: #fff; color: var(--ink); min-width: 140px; }
button { font: inherit; padding: 6px 14px; border-radius: 7px; border: 1px solid #1d4ed8; background: #2563eb; color: #fff; cursor: pointer; }
.error { color: var(--bad); background: var(--bad-bg); border-radius: 8px; padding: 8px 12px; margin-bottom: 10px; }
.empty { color: var(--muted); padding: 10px 0; }
.login { max-width: 380px; margin: 12vh auto; }
.login form { display: flex; flex-direction: column; gap: 12px; }
`;

export function layout(title: string, body: SafeHtml, signedIn: boolean): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${new SafeHtml(STYLE)}</style></head>
<body><header><h1>HITL</h1><span class="sub">human checkpoints in pull requests and deployments</span>
${signedIn && html`<form method="post" action="/hitl/logout"><button type="submit">Sign out</button></form>`}</header>
${body}</body></html>`.value;
}

export function loginPage(message?: string): string {
  return layout(
    'HITL · sign in',
    html`<main><div class="card login"><h2>Sign in to the dashboard</h2>
<p class="muted">Enter the dashboard token the app was started with (HITL_DASHBOARD_TOKEN).</p>
${message !== undefined && html`<div class="error" role="alert">${message}</div>`}
<form method="post" action="/hitl/login"><label>Token<input type="password" name="token" autocomplete="current-password" required autofocus></label>
<button type="submit">Sign in</button></form></div></main>`,
    false,
  );
}

export interface DashboardView {
  now: number;
  githubUrl: string;
  windowLabel: string;
  metrics: Parsed<SuccessMetrics>;
  pending: Parsed<PendingRow[]>;
  auditForm: Record<'repo' | 'actor' | 'action' | 'since' | 'until', string>;
  audit: Parsed<{ entries: AuditEntry[]; total: number }>;
}

const STATUS_TEXT: Record<MetricStatus, string> = { met: '✓ Met', missed: '✗ Missed', no_data: 'No data' };

export function dashboardPage(view: DashboardView): string {
  return layout(
    'HITL · dashboard',
    html`<main>
<p class="muted">As of ${formatUtc(view.now)}</p>
${metricsSection(view)}
${pendingSection(view)}
${escalationsSection(view)}
${auditSection(view)}
</main>`,
    true,
  );
}

/** Keeps the other form's choices when one form is submitted. */
function hidden(fields: Record<string, string>): SafeHtml[] {
  return Object.entries(fields)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
}

function failed(result: { ok: false; error: string }): SafeHtml {
  return html`<div class="error" role="alert">${result.error}</div>`;
}

function metricsSection(view: DashboardView): SafeHtml {
  const windows = ['7d', '30d', '90d'].includes(view.windowLabel) ? ['7d', '30d', '90d'] : ['7d', '30d', '90d', view.windowLabel];
  const picker = html`<form method="get" action="/hitl" class="filters">
${hidden(view.auditForm)}<label>Window<select name="window">${windows.map((w) => html`<option value="${w}" ${w === view.windowLabel && 'selected'}>last ${w}</option>`)}</select></label>
<button type="submit">Show</button></form>`;
  if (!view.metrics.ok) return html`<section id="metrics"><h2>Success metrics</h2>${picker}${failed(view.metrics)}</section>`;
  const m = view.metrics.value;
  return html`<section id="metrics"><h2>Success metrics <span class="count">${formatUtc(m.since)} – ${formatUtc(m.until)}</span></h2>
${picker}
<div class="metrics">${metricRows(m).map(
    (row) => html`<div class="card metric ${row.status}" data-metric="${row.metric}">
<div class="name">${row.metric}</div><div class="value">${row.value}</div><div class="detail">${row.detail}</div>
<div class="foot"><span>target ${row.target}</span><span class="badge ${row.status}">${STATUS_TEXT[row.status]}</span></div></div>`,
  )}</div>
<div class="card" style="margin-top:12px"><h2>Median approval time per week</h2>${approvalChart(m.weekly)}</div>
</section>`;
}

function prLink(view: DashboardView, repo: string, number: number): SafeHtml {
  return html`<a href="${view.githubUrl}/${repo}/pull/${number}">${repo}#${number}</a>`;
}

function levelBadge(level: number): SafeHtml {
  return html`<span class="badge level${Math.min(level, 4)}">${level === 0 ? 'not escalated' : `level ${level}`}</span>`;
}

function acknowledged(row: PendingRow, now: number): SafeHtml | string {
  if (row.acknowledgedBy === undefined || (row.acknowledgedUntil !== undefined && row.acknowledgedUntil <= now)) return '';
  return html`${row.acknowledgedBy}${row.acknowledgedUntil !== undefined && html` <span class="muted">until ${formatUtc(row.acknowledgedUntil)}</span>`}`;
}

function pendingSection(view: DashboardView): SafeHtml {
  if (!view.pending.ok) return html`<section id="pending"><h2>Pending checkpoints</h2>${failed(view.pending)}</section>`;
  const rows = view.pending.value;
  return html`<section id="pending"><h2>Pending checkpoints <span class="count">${rows.length}</span></h2><div class="card">
${rows.length === 0
    ? html`<div class="empty">Nothing is waiting for a human.</div>`
    : html`<table><thead><tr><th>Pull request</th><th>Checkpoint</th><th>Waiting</th><th>SLA deadline</th><th>Escalation</th><th>Acknowledged</th></tr></thead><tbody>
${rows.map((row) => html`<tr><td>${prLink(view, `${row.owner}/${row.repo}`, row.number)}</td><td><span class="pill">${row.item}</span></td>
<td class="nowrap">${formatDuration(row.ageMs)}</td>
<td class="nowrap">${formatUtc(row.deadline)}<br>${row.remainingMs > 0 ? html`<span class="muted">in ${formatDuration(row.remainingMs)}</span>` : html`<span class="overdue">overdue ${formatDuration(-row.remainingMs)}</span>`}</td>
<td>${levelBadge(row.level)}${row.level === 0 && row.escalateAt > view.now && html`<br><span class="muted">starts in ${formatDuration(row.escalateAt - view.now)}</span>`}</td>
<td>${acknowledged(row, view.now)}</td></tr>`)}
</tbody></table>`}</div></section>`;
}

function escalationsSection(view: DashboardView): SafeHtml {
  if (!view.pending.ok) return html``;
  const rows = view.pending.value.filter((r) => r.level > 0).sort((a, b) => b.level - a.level || a.escalateAt - b.escalateAt);
  return html`<section id="escalations"><h2>Active escalations <span class="count">${rows.length}</span></h2><div class="card">
${rows.length === 0
    ? html`<div class="empty">No escalation is running.</div>`
    : html`<table><thead><tr><th>Level</th><th>Pull request</th><th>Checkpoint</th><th>Climbing since</th><th>Acknowledged</th></tr></thead><tbody>
${rows.map((row) => html`<tr><td>${levelBadge(row.level)}</td><td>${prLink(view, `${row.owner}/${row.repo}`, row.number)}</td><td><span class="pill">${row.item}</span></td>
<td class="nowrap">${formatUtc(row.escalateAt)} <span class="muted">(${formatDuration(view.now - row.escalateAt)} ago)</span></td><td>${acknowledged(row, view.now)}</td></tr>`)}
</tbody></table>`}</div></section>`;
}

function details(entry: AuditEntry): SafeHtml {
  const pairs = Object.entries(entry.details ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  return html`${entry.reason ?? ''}${entry.reason !== undefined && pairs.length > 0 && ' '}${pairs.length > 0 && html`<span class="muted">${pairs.join(' ')}</span>`}`;
}

function auditSection(view: DashboardView): SafeHtml {
  const f = view.auditForm;
  const form = html`<form method="get" action="/hitl#audit" class="filters" id="audit-filters">
${hidden({ window: view.windowLabel })}
<label>Repository<input name="repo" value="${f.repo}" placeholder="owner/name"></label>
<label>Actor<input name="actor" value="${f.actor}" placeholder="login"></label>
<label>Action<select name="action"><option value="">any action</option>${Object.entries(AUDIT_ACTION_LABELS).map(
    ([action, label]) => html`<option value="${action}" ${action === f.action && 'selected'}>${label}</option>`,
  )}</select></label>
<label>From (UTC)<input name="since" value="${f.since}" placeholder="2025-03-01 or 7d"></label>
<label>To (UTC)<input name="until" value="${f.until}" placeholder="now"></label>
<button type="submit">Filter</button> <a href="/hitl#audit">Clear</a></form>`;
  if (!view.audit.ok) return html`<section id="audit"><h2>Audit log</h2>${form}${failed(view.audit)}</section>`;
  const { entries, total } = view.audit.value;
  return html`<section id="audit"><h2>Audit log <span class="count">${entries.length < total ? `newest ${entries.length} of ${total}` : total} entries</span></h2>
${form}<div class="card">
${entries.length === 0
    ? html`<div class="empty">No entry matches these filters.</div>`
    : html`<table id="audit-log"><thead><tr><th>Time</th><th>Where</th><th>Actor</th><th>Action</th><th>Checkpoint</th><th>Reason and details</th></tr></thead><tbody>
${entries.map((e) => html`<tr><td class="nowrap">${formatUtc(e.at)}</td><td class="nowrap">${e.pr === undefined ? e.repo : prLink(view, e.repo, e.pr)}</td><td>${e.actor}</td>
<td><span class="pill">${AUDIT_ACTION_LABELS[e.action] ?? e.action}</span></td><td>${e.checkpoint ?? ''}</td><td>${details(e)}</td></tr>`)}
</tbody></table>`}</div></section>`;
}
