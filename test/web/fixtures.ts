/** A seeded dashboard: the fixture audit log, five pending items across three repositories, a fixed clock. */
import { MemoryAuditSink } from '../../src/audit/types.js';
import type { PendingItem } from '../../src/escalation/types.js';
import { createDashboard, type DashboardOptions } from '../../src/web/dashboard.js';
import type { RouteHandler } from '../../src/web/http.js';
import { D, fixtureAuditLog, H, NOW } from '../metrics/audit-log.js';

export const TOKEN = 'test-dashboard-token-7f3a';

function pending(repo: string, number: number, item: string, fields: Omit<PendingItem, 'installationId' | 'owner' | 'repo' | 'number' | 'item' | 'nextAt' | 'slaBreached'>): PendingItem {
  const [owner, name] = repo.split('/') as [string, string];
  return { installationId: 1, owner, repo: name, number, item, nextAt: fields.escalateAt, slaBreached: fields.deadline < NOW, ...fields };
}

export const PENDING: PendingItem[] = [
  pending('acme/api', 5, 'peer_review', { since: NOW - 7 * D, deadline: NOW - 6 * D, escalateAt: NOW - 6 * D - H, level: 3 }),
  pending('acme/api', 12, 'performance_impact', { since: NOW - 2 * D, deadline: NOW - D, escalateAt: NOW - D, level: 3, acknowledgedBy: 'dana', acknowledgedUntil: NOW + H }),
  pending('acme/web', 22, 'peer_review', { since: NOW - 26 * H, deadline: NOW - 2 * H, escalateAt: NOW - 2 * H, level: 2 }),
  pending('acme/web', 21, 'security_review', { since: NOW - 3 * H, deadline: NOW + 21 * H, escalateAt: NOW + 21 * H, level: 0 }),
  pending('acme/mobile', 7, 'expert_review', { since: NOW - 30 * H, deadline: NOW + 18 * H, escalateAt: NOW + 18 * H, level: 0 }),
];

export async function seededDashboard(overrides: Partial<DashboardOptions> = {}): Promise<RouteHandler> {
  const audit = new MemoryAuditSink();
  for (const entry of fixtureAuditLog()) await audit.record(entry);
  return createDashboard({ token: TOKEN, audit, pending: async () => PENDING, clock: () => NOW, ...overrides });
}
