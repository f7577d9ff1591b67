/**
 * A fixed audit log whose success metrics are worked out by hand in test/audit/success-metrics.test.ts;
 * the dashboard and report tests show the same figures.
 */
import type { AuditEntry } from '../../src/audit/types.js';

export const H = 3_600_000;
export const D = 24 * H;
/** Monday 31 March 2025, 00:00 UTC. */
export const NOW = Date.UTC(2025, 2, 31);
export const SINCE = NOW - 30 * D;

export function entry(fields: Partial<AuditEntry> & Pick<AuditEntry, 'at' | 'action'>): AuditEntry {
  return { installationId: 1, repo: 'acme/web', actor: 'hitl', ...fields };
}

function item(repo: string, pr: number, checkpoint: string) {
  return {
    opened: (at: number) => entry({ at, repo, pr, checkpoint, action: 'checkpoint_opened', workflow: checkpoint === 'peer_review' ? 'peer' : 'expert' }),
    approved: (at: number, actor = 'bob') => entry({ at, repo, pr, checkpoint, actor, action: 'approved' }),
    escalated: (at: number, level: number) => entry({ at, repo, pr, checkpoint, action: 'escalated', details: { level } }),
    resolved: (at: number, level: number) => entry({ at, repo, pr, checkpoint, action: 'escalation_resolved', details: { level } }),
  };
}

function pass(repo: string, pr: number, at: number): AuditEntry {
  return entry({ at, repo, pr, action: 'gate_evaluated', details: { verdict: 'pass' } });
}

function merged(repo: string, pr: number, at: number): AuditEntry {
  return entry({ at, repo, pr, actor: 'carol', action: 'merged', details: { conclusion: 'success' } });
}

export function fixtureAuditLog(): AuditEntry[] {
  const api1 = item('acme/api', 1, 'peer_review');
  const api1sec = item('acme/api', 1, 'security_review');
  const api2 = item('acme/api', 2, 'peer_review');
  const web3 = item('acme/web', 3, 'peer_review');
  const web4 = item('acme/web', 4, 'peer_review');
  const api5 = item('acme/api', 5, 'peer_review');
  const api7 = item('acme/api', 7, 'peer_review');
  const api8 = item('acme/api', 8, 'expert_review');
  const web9 = item('acme/web', 9, 'breaking_change');
  const web10 = item('acme/web', 10, 'expert_review');
  const web11 = item('acme/web', 11, 'security_review');
  const api12 = item('acme/api', 12, 'performance_impact');
  return [
    // Approval times.
    api1.opened(NOW - 10 * D), api1.approved(NOW - 10 * D + 2 * H, 'carol'),
    api1sec.opened(NOW - 10 * D), api1sec.approved(NOW - 10 * D + 20 * H, 'sam'),
    api2.opened(NOW - 9 * D), api2.approved(NOW - 9 * D + 5 * H),
    web3.opened(NOW - 8 * D), entry({ at: NOW - 8 * D + 30 * H, repo: 'acme/web', pr: 3, checkpoint: 'peer_review', action: 'auto_approved', reason: 'saturday-maintenance' }),
    web4.opened(NOW - 31 * D), web4.approved(NOW - 29 * D),
    api5.opened(NOW - 7 * D),
    item('acme/api', 6, 'peer_review').approved(NOW - 7 * D),
    api7.opened(SINCE - 40 * D), api7.approved(SINCE - 39 * D),
    api8.opened(NOW - 3 * D), api8.approved(NOW - 3 * D + H, 'dana'),
    api8.opened(NOW - 2 * D), api8.approved(NOW - 2 * D + 3 * H, 'dana'),
    web9.opened(NOW - 5 * D), web9.opened(NOW - 5 * D + 4 * H), web9.approved(NOW - 5 * D + 10 * H, 'erin'),
    // Escalations.
    api5.escalated(NOW - 6 * D - H, 1), api5.escalated(NOW - 6 * D, 2), api5.escalated(NOW - 6 * D + H, 3),
    api5.resolved(NOW - 6 * D + 2.5 * H, 3),
    web10.escalated(NOW - 4 * D, 3), web10.escalated(NOW - 4 * D + 2 * H, 4), web10.resolved(NOW - 4 * D + 5 * H, 4),
    web11.escalated(NOW - 2 * D, 3), web11.resolved(NOW - 2 * D + 0.5 * H, 3),
    api12.escalated(NOW - D, 3),
    // Gate outcomes and merges.
    pass('acme/api', 1, NOW - 10 * D + 20 * H), pass('acme/api', 1, NOW - 9 * D),
    pass('acme/api', 2, NOW - 9 * D + 5 * H), entry({ at: NOW - 9 * D + 4 * H, repo: 'acme/api', pr: 2, actor: 'mallory', action: 'compliance_violation', reason: 'merged while hitl was pending' }),
    pass('acme/api', 8, NOW - 2 * D + 3 * H), pass('acme/web', 3, NOW - 8 * D + 30 * H), pass('acme/web', 4, NOW - 29 * D),
    pass('acme/web', 9, NOW - 5 * D + 10 * H),
    merged('acme/api', 1, NOW - 9 * D + H), merged('acme/api', 8, NOW - 2 * D + 4 * H), merged('acme/web', 3, NOW - 8 * D + 31 * H),
    merged('acme/web', 4, NOW - 29 * D + H), merged('acme/web', 9, NOW - 5 * D + 11 * H),
    // Passed its gate, never merged: not a merge, so compliance does not count it.
    pass('acme/web', 18, NOW - 3 * D),
    entry({ at: NOW - 12 * D, repo: 'acme/web', pr: 13, actor: 'mallory', action: 'compliance_violation', reason: 'admin merge' }),
    entry({ at: SINCE - D, repo: 'acme/web', pr: 14, actor: 'mallory', action: 'compliance_violation' }),
    entry({ at: NOW - 7 * D, repo: 'acme/api', pr: 5, action: 'gate_evaluated', details: { verdict: 'pending' } }),
    // Other decisions.
    entry({ at: NOW - 11 * D, repo: 'acme/web', pr: 15, actor: 'sam', action: 'rejected', checkpoint: 'security_review', reason: 'secrets in <script>' }),
    entry({ at: NOW - 11 * D, repo: 'acme/web', pr: 16, actor: 'olive', action: 'bypassed', reason: 'prod down', details: { kind: 'emergency' } }),
    entry({ at: NOW - 11 * D, repo: 'acme/web', pr: 17, action: 'bypassed', details: { kind: 'maintenance_window' } }),
    entry({ at: NOW - 11 * D, repo: 'acme/web', pr: 17, actor: 'olive', action: 'held' }),
    entry({ at: NOW - 11 * D, repo: 'acme/web', actor: 'olive', action: 'deployment_approved', reason: 'production' }),
  ];
}
