/**
 * Query strings of the dashboard and its API, checked: a bad filter is a clear message shown
 * next to the form (or a 400 from the API), never an exception and never silently dropped.
 */
import { parseDuration } from '../config/duration.js';
import { parseWindowLength } from '../audit/success-metrics.js';
import type { AuditAction } from '../audit/types.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Every audit action with the words the dashboard shows for it (a Record, so none is forgotten). */
export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  gate_evaluated: 'gate evaluated',
  checkpoint_opened: 'checkpoint opened',
  approved: 'approved',
  approval_dropped: 'approval dropped',
  rejected: 'rejected',
  held: 'held',
  unheld: 'unheld',
  bypassed: 'bypassed',
  unbypassed: 'bypass withdrawn',
  auto_approved: 'auto-approved',
  command_refused: 'command refused',
  escalated: 'escalated',
  acknowledged: 'acknowledged',
  escalation_resolved: 'escalation resolved',
  sla_breached: 'SLA breached',
  config_error: 'config error',
  merged: 'merged',
  compliance_violation: 'compliance violation',
  post_review_opened: 'post-review opened',
  deployment_approved: 'deployment approved',
  deployment_rejected: 'deployment rejected',
  rollback_approved: 'rollback approved',
  rollback_rejected: 'rollback rejected',
};

function isAuditAction(text: string): text is AuditAction {
  return Object.hasOwn(AUDIT_ACTION_LABELS, text);
}

export interface AuditFilter {
  repo?: string;
  actor?: string;
  action?: AuditAction;
  since: number;
  until?: number;
  limit: number;
}

const DEFAULT_AUDIT_DAYS = 30;
const DAY_MS = 86_400_000;
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 200;
const REPO = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[\w.-]{1,100}$/;
const LOGIN = /^[\w.[\]-]{1,100}$/;
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/;

/** A point in time: a date or date-time read as UTC (what `<input type="datetime-local">` sends), or a duration ago. */
function parseTime(field: string, text: string, now: number): Parsed<number> {
  const date = DATE.test(text) ? Date.parse(`${text.length === 10 ? `${text}T00:00` : text}Z`) : NaN;
  if (!Number.isNaN(date)) return { ok: true, value: date };
  const ago = parseDuration(text);
  if (ago.ok) return { ok: true, value: now - ago.ms };
  return { ok: false, error: `${field}: "${text}" is not a time; write 2025-03-01, 2025-03-01T09:30 (UTC) or a duration such as 7d` };
}

/** Reads the audit filters; empty fields mean "any", and the time range defaults to the last 30 days. */
export function parseAuditFilter(params: URLSearchParams, now: number): Parsed<AuditFilter> {
  const field = (name: string) => params.get(name)?.trim() || undefined;
  const filter: AuditFilter = { since: now - DEFAULT_AUDIT_DAYS * DAY_MS, limit: DEFAULT_LIMIT };
  const repo = field('repo');
  if (repo !== undefined && !REPO.test(repo)) return { ok: false, error: `repo: "${repo}" is not owner/name` };
  const actor = field('actor');
  if (actor !== undefined && !LOGIN.test(actor)) return { ok: false, error: `actor: "${actor}" is not a GitHub login` };
  const action = field('action');
  if (action !== undefined && !isAuditAction(action)) return { ok: false, error: `action: "${action}" is not an audit action` };
  for (const name of ['since', 'until'] as const) {
    const text = field(name);
    if (text === undefined) continue;
    const time = parseTime(name, text, now);
    if (!time.ok) return time;
    filter[name] = time.value;
  }
  const limit = field('limit');
  if (limit !== undefined) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) return { ok: false, error: `limit: "${limit}" is not a whole number from 1 to ${MAX_LIMIT}` };
    filter.limit = n;
  }
  return { ok: true, value: { ...filter, repo, actor, action } };
}

export interface WindowChoice {
  /** As the user wrote it, e.g. "30d". */
  label: string;
  since: number;
  weeks: number;
}

/**
 * The success-metrics window (default 30d) and the chart's length (`weeks`, 2–26). The API calls
 * the window `since`; the page calls it `window`, since its audit filter has a `since` of its own.
 */
export function parseWindowChoice(params: URLSearchParams, now: number, field: 'since' | 'window'): Parsed<WindowChoice> {
  const label = params.get(field)?.trim() || '30d';
  const length = parseWindowLength(label);
  if (!length.ok) return { ok: false, error: `${field}: ${length.error}` };
  const weeksText = params.get('weeks')?.trim() || '8';
  const weeks = Number(weeksText);
  if (!Number.isInteger(weeks) || weeks < 2 || weeks > 26) return { ok: false, error: `weeks: "${weeksText}" is not a whole number from 2 to 26` };
  return { ok: true, value: { label, since: now - length.ms, weeks } };
}
