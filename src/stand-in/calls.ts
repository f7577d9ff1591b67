/**
 * The call log and GitHub's secondary write limits. Every request the stand-in receives becomes a
 * CallRecord; writes of one installation closer than a second apart and content creations beyond
 * 80 in a minute are recorded as violations (and, when enforced, answered with a secondary rate limit).
 * Content creations count when they arrive: GitHub counts attempts, and concurrent ones must see each other.
 */
import type { CallKind } from './router.js';

export type RecordedKind = CallKind | 'unknown';

export interface CallRecord {
  seq: number;
  /** Stand-in clock, ms. */
  at: number;
  installationId: number | null;
  method: string;
  /** Path without the `/api/v3` prefix and query, e.g. `/repos/acme/web/check-runs/12`. */
  path: string;
  /** Octokit-style endpoint name (`checks.update`), or `unknown`. */
  route: string;
  kind: RecordedKind;
  contentCreating: boolean;
  status: number;
  /** Set when the answer was an injected fault or an enforced limit rather than the endpoint's own. */
  fault?: string;
}

export type Violation =
  | { kind: 'write-spacing'; installationId: number; at: number; route: string; gapMs: number }
  | { kind: 'content-creation-rate'; installationId: number; at: number; route: string; inLastMinute: number };

export interface CallStats {
  total: number;
  reads: number;
  writes: number;
  auth: number;
  unknown: number;
  contentCreations: number;
  /** 304 answers: GitHub does not charge them against the rate limit. */
  notModified: number;
  faults: number;
  byRoute: Record<string, number>;
}

export interface CallFilter {
  installationId?: number | null;
  since?: number;
  route?: string;
}

/** GitHub asks for at least a second between writes of one installation. */
export const MIN_WRITE_GAP_MS = 1000;
/** GitHub's content-creation secondary limit: 80 a minute. */
export const CONTENT_CREATIONS_PER_MINUTE = 80;
const MINUTE_MS = 60_000;

export class CallLog {
  private readonly records: CallRecord[] = [];
  private readonly found: Violation[] = [];
  private readonly lastWriteAt = new Map<number, number>();
  private readonly contentTimes = new Map<number, number[]>();
  private seq = 0;

  /**
   * Admits a call arriving at `at` against the write limits, before it is handled, so concurrent
   * writes see each other. Writes of one installation less than a second apart and content creations
   * beyond 80 in the last minute are violations. When enforcing, a violating call is refused (and
   * does not count as a write); otherwise it is let through and only recorded.
   */
  admit(call: Pick<CallRecord, 'installationId' | 'kind' | 'contentCreating' | 'route'>, at: number, enforce: boolean): { violations: Violation[]; retryAfterMs: number | null } {
    const { installationId, route } = call;
    if (installationId === null || call.kind !== 'write') return { violations: [], retryAfterMs: null };
    const violations: Violation[] = [];
    const last = this.lastWriteAt.get(installationId);
    if (last !== undefined && at - last < MIN_WRITE_GAP_MS) violations.push({ kind: 'write-spacing', installationId, at, route, gapMs: at - last });
    const recent = this.recentContent(installationId, at);
    if (call.contentCreating && recent.length >= CONTENT_CREATIONS_PER_MINUTE) violations.push({ kind: 'content-creation-rate', installationId, at, route, inLastMinute: recent.length });
    this.found.push(...violations);
    if (enforce && violations.length > 0) {
      const contentWait = recent.length >= CONTENT_CREATIONS_PER_MINUTE ? (recent[recent.length - CONTENT_CREATIONS_PER_MINUTE] ?? at) + MINUTE_MS - at : 0;
      return { violations, retryAfterMs: Math.max(MIN_WRITE_GAP_MS, contentWait) };
    }
    this.lastWriteAt.set(installationId, at);
    if (call.contentCreating) this.contentTimes.set(installationId, [...recent, at]);
    return { violations, retryAfterMs: null };
  }

  record(call: Omit<CallRecord, 'seq'>): CallRecord {
    const record = { ...call, seq: ++this.seq };
    this.records.push(record);
    return record;
  }

  calls(filter: CallFilter = {}): CallRecord[] {
    return this.records.filter(
      (call) =>
        (filter.installationId === undefined || call.installationId === filter.installationId) &&
        (filter.since === undefined || call.at >= filter.since) &&
        (filter.route === undefined || call.route === filter.route),
    );
  }

  stats(filter: CallFilter = {}): CallStats {
    const stats: CallStats = { total: 0, reads: 0, writes: 0, auth: 0, unknown: 0, contentCreations: 0, notModified: 0, faults: 0, byRoute: {} };
    for (const call of this.calls(filter)) {
      stats.total++;
      if (call.kind === 'read') stats.reads++;
      else if (call.kind === 'write') stats.writes++;
      else if (call.kind === 'auth') stats.auth++;
      else stats.unknown++;
      if (call.contentCreating) stats.contentCreations++;
      if (call.status === 304) stats.notModified++;
      if (call.fault) stats.faults++;
      stats.byRoute[call.route] = (stats.byRoute[call.route] ?? 0) + 1;
    }
    return stats;
  }

  violations(installationId?: number): Violation[] {
    return this.found.filter((violation) => installationId === undefined || violation.installationId === installationId);
  }

  /** Forget the calls and violations so far (between bench phases); the limit windows stay. */
  clear(): void {
    this.records.length = 0;
    this.found.length = 0;
  }

  private recentContent(installationId: number, at: number): number[] {
    return (this.contentTimes.get(installationId) ?? []).filter((time) => at - time < MINUTE_MS);
  }
}
