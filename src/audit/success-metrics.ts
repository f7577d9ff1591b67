/**
 * The seed's quantitative success metrics ("Success Metrics" in shared/seed), computed from the
 * audit log alone: a pure function of entries, a window and `now`, so the dashboard, the JSON API
 * and `hitl report` show the same figures.
 *
 * Windows: a sample belongs to the window when it *ends* inside [since, now] (an approval, a
 * resolution, a decision, a merge). Its start may lie before `since`, so callers pass entries
 * from before the window too (loadSuccessMetrics reads an extra LOOKBACK_MS).
 *
 * Percentiles use the nearest-rank method: the p-th percentile of n sorted samples is the one at
 * rank ceil(p/100 × n), so every figure is a real observed duration and easy to check by hand.
 */
import { formatDuration, parseDuration } from '../config/duration.js';
import type { AuditAction, AuditEntry, AuditReader } from './types.js';

const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;
/** How far before the window entries are read, so that items opened earlier still pair up. */
const LOOKBACK_MS = 30 * 24 * HOUR_MS;

/** The seed's targets. Durations are compared at the 90th percentile: nine reviews in ten. */
export const TARGETS = {
  complianceAbove: 0.95,
  standardApprovalBelowMs: 24 * HOUR_MS,
  expertApprovalBelowMs: 48 * HOUR_MS,
  level3ResolutionBelowMs: 2 * HOUR_MS,
  level4ResolutionBelowMs: 4 * HOUR_MS,
  bypassBelow: 0.05,
} as const;

export type MetricStatus = 'met' | 'missed' | 'no_data';

export type RatioMetric =
  | { status: 'no_data'; numerator: 0; denominator: 0; target: number }
  | { status: 'met' | 'missed'; value: number; numerator: number; denominator: number; target: number };

export type DurationMetric =
  | { status: 'no_data'; samples: 0; targetMs: number }
  | { status: 'met' | 'missed'; p50Ms: number; p90Ms: number; samples: number; targetMs: number };

export interface WeeklyApprovalPoint {
  /** Start of the 7-day bucket (ms); buckets end at `now`, so the last one is the current week. */
  weekStart: number;
  standardMedianMs: number | null;
  expertMedianMs: number | null;
}

export interface SuccessMetrics {
  since: number;
  until: number;
  compliance: RatioMetric;
  approvalTime: { standard: DurationMetric; expert: DurationMetric };
  escalationResolution: { level3: DurationMetric; level4: DurationMetric };
  bypassUsage: RatioMetric;
  weekly: WeeklyApprovalPoint[];
}

export interface MetricsWindow {
  since: number;
  now: number;
  /** How many weeks the approval-time chart covers (default 8). */
  weeks?: number;
}

/**
 * Decisions: verdicts a person or a policy gave on a change. Holds and escalations are not
 * decisions (they pause or chase one), and gate_evaluated is the app re-reading the state.
 */
const DECISION_ACTIONS: ReadonlySet<AuditAction> = new Set<AuditAction>([
  'approved',
  'rejected',
  'auto_approved',
  'bypassed',
  'deployment_approved',
  'deployment_rejected',
  'rollback_approved',
  'rollback_rejected',
]);

/** The bypass kind of a `bypassed` entry; one without a known kind counts as an emergency (fail closed). */
export function bypassKind(entry: AuditEntry): 'emergency' | 'maintenance_window' | 'test_environment' {
  const kind = entry.details?.kind;
  return kind === 'maintenance_window' || kind === 'test_environment' ? kind : 'emergency';
}

/** One gate item (checkpoint or workflow review) of one pull request. */
export function itemKey(entry: AuditEntry): string | undefined {
  return entry.pr === undefined || entry.checkpoint === undefined ? undefined : `${entry.repo}#${entry.pr}#${entry.checkpoint}`;
}

/** The peer review is the seed's "standard review"; every other checkpoint or review is expert. */
export function isStandardReview(checkpoint: string): boolean {
  return checkpoint === 'peer_review';
}

export function computeSuccessMetrics(entries: readonly AuditEntry[], window: MetricsWindow): SuccessMetrics {
  const sorted = [...entries].sort((a, b) => a.at - b.at);
  const inWindow = (at: number) => at >= window.since && at <= window.now;
  const approvals = approvalSamples(sorted);
  const resolutions = resolutionSamples(sorted);
  const approvalsIn = approvals.filter((s) => inWindow(s.end));
  const resolutionsIn = resolutions.filter((s) => inWindow(s.end));
  const decisions = sorted.filter((e) => inWindow(e.at) && DECISION_ACTIONS.has(e.action));
  const emergencies = decisions.filter((e) => e.action === 'bypassed' && bypassKind(e) === 'emergency');
  return {
    since: window.since,
    until: window.now,
    compliance: compliance(sorted.filter((e) => inWindow(e.at))),
    approvalTime: {
      standard: durationMetric(approvalsIn.filter((s) => s.standard), TARGETS.standardApprovalBelowMs),
      expert: durationMetric(approvalsIn.filter((s) => !s.standard), TARGETS.expertApprovalBelowMs),
    },
    escalationResolution: {
      level3: durationMetric(resolutionsIn.filter((s) => s.level === 3), TARGETS.level3ResolutionBelowMs),
      level4: durationMetric(resolutionsIn.filter((s) => s.level === 4), TARGETS.level4ResolutionBelowMs),
    },
    bypassUsage: ratioMetric(emergencies.length, decisions.length, TARGETS.bypassBelow, 'below'),
    weekly: weeklyApprovalMedians(approvals, window.now, window.weeks ?? 8),
  };
}

/** Reads what the window needs (plus LOOKBACK_MS for items opened earlier) and computes the metrics. */
export async function loadSuccessMetrics(audit: AuditReader, window: MetricsWindow): Promise<SuccessMetrics> {
  const chartStart = window.now - (window.weeks ?? 8) * WEEK_MS;
  const entries = await audit.query({ since: Math.min(window.since, chartStart) - LOOKBACK_MS, until: window.now });
  return computeSuccessMetrics(entries, window);
}

interface Sample {
  start: number;
  end: number;
}

/**
 * Approval time: from `checkpoint_opened` to the first `approved` or `auto_approved` of the same
 * repository, pull request and checkpoint. A second opening while the item is open keeps the
 * first; an approval with no open item (already approved, or opened before the data) is ignored.
 */
function approvalSamples(sorted: readonly AuditEntry[]): Array<Sample & { standard: boolean }> {
  const open = new Map<string, number>();
  const samples: Array<Sample & { standard: boolean }> = [];
  for (const entry of sorted) {
    const key = itemKey(entry);
    if (key === undefined) continue;
    if (entry.action === 'checkpoint_opened' && !open.has(key)) open.set(key, entry.at);
    const start = open.get(key);
    if ((entry.action === 'approved' || entry.action === 'auto_approved') && start !== undefined) {
      samples.push({ start, end: entry.at, standard: isStandardReview(entry.checkpoint!) });
      open.delete(key);
    }
  }
  return samples;
}

/**
 * Escalation resolution time at level L: from the first `escalated` at level L of an item to its
 * `escalation_resolved`. An item that climbed on to level 4 still counts at level 3, with the
 * whole time it took: level 3 did not resolve it within its target.
 */
function resolutionSamples(sorted: readonly AuditEntry[]): Array<Sample & { level: number }> {
  const reached = new Map<string, Map<number, number>>();
  const samples: Array<Sample & { level: number }> = [];
  for (const entry of sorted) {
    const key = itemKey(entry);
    if (key === undefined) continue;
    const levels = reached.get(key) ?? new Map<number, number>();
    const level = entry.details?.level;
    if (entry.action === 'escalated' && typeof level === 'number' && !levels.has(level)) {
      reached.set(key, levels.set(level, entry.at));
    }
    if (entry.action === 'escalation_resolved') {
      for (const [lvl, start] of levels) samples.push({ start, end: entry.at, level: lvl });
      reached.delete(key);
    }
  }
  return samples;
}

/**
 * Checkpoint compliance: of the pull requests merged in the window, the share merged with `hitl`
 * green. A merge is a `merged` entry (hitl was green) or a `compliance_violation` (merged around
 * the gate); a gate that passed on a pull request nobody merged is not a merge and counts nothing.
 */
function compliance(windowed: readonly AuditEntry[]): RatioMetric {
  const mergedPrs = new Set<string>();
  const violated = new Set<string>();
  for (const entry of windowed) {
    if (entry.pr === undefined || (entry.action !== 'merged' && entry.action !== 'compliance_violation')) continue;
    const change = `${entry.repo}#${entry.pr}`;
    mergedPrs.add(change);
    if (entry.action === 'compliance_violation') violated.add(change);
  }
  return ratioMetric(mergedPrs.size - violated.size, mergedPrs.size, TARGETS.complianceAbove, 'above');
}

function ratioMetric(numerator: number, denominator: number, target: number, direction: 'above' | 'below'): RatioMetric {
  if (denominator === 0) return { status: 'no_data', numerator: 0, denominator: 0, target };
  const value = numerator / denominator;
  const met = direction === 'above' ? value > target : value < target;
  return { status: met ? 'met' : 'missed', value, numerator, denominator, target };
}

function durationMetric(samples: readonly Sample[], targetMs: number): DurationMetric {
  const durations = samples.map((s) => s.end - s.start).sort((a, b) => a - b);
  if (durations.length === 0) return { status: 'no_data', samples: 0, targetMs };
  const p90Ms = percentile(durations, 90);
  return { status: p90Ms < targetMs ? 'met' : 'missed', p50Ms: percentile(durations, 50), p90Ms, samples: durations.length, targetMs };
}

/** Nearest rank on an ascending, non-empty list. */
function percentile(ascending: readonly number[], p: number): number {
  return ascending[Math.max(0, Math.ceil((p / 100) * ascending.length) - 1)]!;
}

function weeklyApprovalMedians(samples: ReadonlyArray<Sample & { standard: boolean }>, now: number, weeks: number): WeeklyApprovalPoint[] {
  return Array.from({ length: weeks }, (_, i) => {
    const weekStart = now - (weeks - i) * WEEK_MS;
    // The last bucket includes `now` itself; the others are half-open, so no sample counts twice.
    const inWeek = samples.filter((s) => s.end >= weekStart && (s.end < weekStart + WEEK_MS || (i === weeks - 1 && s.end === now)));
    const median = (standard: boolean) => {
      const durations = inWeek.filter((s) => s.standard === standard).map((s) => s.end - s.start).sort((a, b) => a - b);
      return durations.length === 0 ? null : percentile(durations, 50);
    };
    return { weekStart, standardMedianMs: median(true), expertMedianMs: median(false) };
  });
}

/** One line of the metrics table, already worded: the dashboard and the weekly report print these. */
export interface MetricRow {
  metric: string;
  /** The figure compared with the target. */
  value: string;
  /** What it was computed from. */
  detail: string;
  target: string;
  status: MetricStatus;
}

export function metricRows(m: SuccessMetrics): MetricRow[] {
  return [
    ratioRow('Checkpoint compliance', m.compliance, '>', { unit: 'merged PRs', counted: 'had hitl green at merge' }),
    durationRow('Approval time, standard (peer review)', m.approvalTime.standard, APPROVED_ITEMS),
    durationRow('Approval time, expert', m.approvalTime.expert, APPROVED_ITEMS),
    durationRow('Escalation resolution, level 3', m.escalationResolution.level3, { one: 'resolved escalation', many: 'resolved escalations' }),
    durationRow('Escalation resolution, level 4', m.escalationResolution.level4, { one: 'resolved escalation', many: 'resolved escalations' }),
    ratioRow('Emergency bypass usage', m.bypassUsage, '<', { unit: 'decisions', counted: 'were emergency bypasses' }),
  ];
}

function percent(ratio: number): string {
  return `${(Math.round(ratio * 1000) / 10).toString()}%`;
}

/** What a ratio counts, in words: "5 of 7 merged PRs had hitl green at merge". */
function ratioRow(metric: string, r: RatioMetric, op: '>' | '<', words: { unit: string; counted: string }): MetricRow {
  const target = `${op} ${percent(r.target)}`;
  if (r.status === 'no_data') return { metric, value: 'no data', detail: `no ${words.unit} in the window`, target, status: r.status };
  return { metric, value: percent(r.value), detail: `${r.numerator} of ${r.denominator} ${words.unit} ${words.counted}`, target, status: r.status };
}

/** Approval time is measured on items that were approved: one still pending or rejected has no duration yet. */
const APPROVED_ITEMS = { one: 'approved item', many: 'approved items', note: ' (pending not counted)' };

/** Times for people: UTC, to the minute, the same for every reader. */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Hours with one decimal, so a figure and its target read in the same unit ("30.5h" vs "24h"). */
export function formatHours(ms: number): string {
  return ms < HOUR_MS ? formatDuration(ms) : `${Math.round((ms / HOUR_MS) * 10) / 10}h`;
}

function durationRow(metric: string, d: DurationMetric, words: { one: string; many: string; note?: string }): MetricRow {
  const target = `p90 < ${formatHours(d.targetMs)}`;
  if (d.status === 'no_data') return { metric, value: 'no data', detail: `no ${words.many} in the window`, target, status: d.status };
  const detail = `p50 ${formatHours(d.p50Ms)} · ${d.samples} ${d.samples === 1 ? words.one : words.many}${words.note ?? ''}`;
  return { metric, value: `p90 ${formatHours(d.p90Ms)}`, detail, target, status: d.status };
}

const MAX_WINDOW_MS = 366 * 24 * HOUR_MS;

/** The length of a metrics window as users write it (`30d`, `2w`, `90_days`): at most a year. */
export function parseWindowLength(text: string): { ok: true; ms: number } | { ok: false; error: string } {
  const parsed = parseDuration(text);
  if (!parsed.ok) return parsed;
  if (parsed.ms <= 0 || parsed.ms > MAX_WINDOW_MS) return { ok: false, error: `"${text}" is not a window between 1s and 366d` };
  return parsed;
}
