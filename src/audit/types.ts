/**
 * One audit entry per decision (product.md §4, §6): who, what, when, why, where, and the
 * config version in force. The durable store is a Redis stream (audit/redis-store.ts).
 */
import type { Workflow } from '../policy/types.js';

export type AuditAction =
  | 'gate_evaluated' // a verdict was posted (details.verdict: pass | pending | fail)
  | 'checkpoint_opened' // a gate item became pending (approval time is measured from here)
  | 'approved'
  | 'approval_dropped' // a push made an approval stale (details.approver, details.approved_sha, details.changed)
  | 'rejected'
  | 'held'
  | 'unheld'
  | 'bypassed' // details.kind: emergency | maintenance_window | test_environment
  | 'unbypassed'
  | 'auto_approved' // automatic workflow, or a maintenance window in its name
  | 'command_refused'
  | 'escalated' // details.level
  | 'acknowledged'
  | 'escalation_resolved' // details.level: the highest level reached before resolution
  | 'sla_breached'
  | 'config_error'
  | 'merged' // a pull request merged with `hitl` green (details.conclusion); one merged around the gate is a compliance_violation
  | 'compliance_violation'
  | 'post_review_opened'
  | 'deployment_approved'
  | 'deployment_rejected'
  | 'rollback_approved'
  | 'rollback_rejected';

export interface AuditEntry {
  /** Assigned by the store (the stream id); absent on entries not yet written. */
  id?: string;
  at: number;
  installationId: number;
  /** "owner/name" */
  repo: string;
  pr?: number;
  headSha?: string;
  /** GitHub login, or "hitl" for the app's own decisions. */
  actor: string;
  action: AuditAction;
  /** Checkpoint or workflow review name. */
  checkpoint?: string;
  workflow?: Workflow;
  reason?: string;
  /** The blob SHA(s) of the .hitl.yml in force, or "built-in". */
  configVersion?: string;
  details?: Record<string, string | number | boolean>;
}

export interface AuditSink {
  record(entry: AuditEntry): Promise<void>;
}

export interface AuditQuery {
  since?: number;
  until?: number;
  repo?: string;
  actor?: string;
  action?: AuditAction;
  limit?: number;
}

export interface AuditReader {
  query(query: AuditQuery): Promise<AuditEntry[]>;
}

/** Keeps entries in memory: for tests of code that only needs somewhere to write. */
export class MemoryAuditSink implements AuditSink, AuditReader {
  readonly entries: AuditEntry[] = [];
  async record(entry: AuditEntry): Promise<void> {
    this.entries.push({ ...entry, id: `${entry.at}-${this.entries.length}` });
  }
  async query(query: AuditQuery): Promise<AuditEntry[]> {
    return this.entries
      .filter((e) => (query.since === undefined || e.at >= query.since) && (query.until === undefined || e.at <= query.until))
      .filter((e) => (query.repo === undefined || e.repo === query.repo) && (query.actor === undefined || e.actor === query.actor))
      .filter((e) => query.action === undefined || e.action === query.action)
      .slice(0, query.limit ?? Infinity);
  }
}
