/**
 * What the dashboard and its JSON API show, read from the ports (AuditReader, the pending-item
 * source) and shaped the same way for both, so the page and the API never disagree.
 */
import type { AuditEntry, AuditReader } from '../audit/types.js';
import type { PendingItem } from '../escalation/types.js';
import type { AuditFilter } from './query.js';

export interface PendingRow extends PendingItem {
  ageMs: number;
  /** Time left until the SLA deadline; negative once it has passed. */
  remainingMs: number;
}

/** Pending items, the nearest deadline first. */
export function pendingRows(items: readonly PendingItem[], now: number): PendingRow[] {
  return items
    .map((item) => ({ ...item, ageMs: Math.max(0, now - item.since), remainingMs: item.deadline - now }))
    .sort((a, b) => a.deadline - b.deadline);
}

/**
 * The newest `limit` entries that match. The reader is asked for the whole time range and the
 * page is cut here, because AuditQuery.limit keeps the oldest entries, not the newest.
 */
export async function auditPage(audit: AuditReader, filter: AuditFilter): Promise<{ entries: AuditEntry[]; total: number }> {
  const { limit, ...query } = filter;
  const matching = await audit.query(query);
  return { entries: [...matching].sort((a, b) => b.at - a.at).slice(0, limit), total: matching.length };
}
