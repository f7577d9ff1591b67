/**
 * HITL's Prometheus metrics (product.md §8). Each app instance gets its own Registry, so tests
 * and several apps in one process never share counters. Label values are bounded: checkpoint
 * names outside the known set become "other" (a repository's .hitl.yml must not be able to grow
 * the series count), and no label carries a user, PR or installation id.
 *
 * Feed decision metrics from ONE place: either call the facade from the gate and escalation
 * code, or pass every audit entry to observeAudit, not both (they would count twice).
 */
import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BUILT_IN } from '../config/defaults.js';
import { bypassKind, isStandardReview, itemKey } from '../audit/success-metrics.js';
import type { AuditEntry } from '../audit/types.js';
import type { BypassKind } from '../config/types.js';
import type { Workflow } from '../policy/types.js';

export type CheckpointOutcome = 'approved' | 'rejected' | 'auto_approved' | 'bypassed';

const KNOWN_CHECKPOINTS: ReadonlySet<string> = new Set([
  ...Object.keys(BUILT_IN.checkpoints ?? {}),
  'peer_review',
  'expert_review',
]);

const HOUR = 3600;
/** From minutes to a week: where review waits actually fall, with the seed's 24 h and 48 h as edges. */
const APPROVAL_BUCKETS = [300, 900, 1800, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 12 * HOUR, 24 * HOUR, 36 * HOUR, 48 * HOUR, 72 * HOUR, 168 * HOUR];
/** Webhook handling must finish well inside GitHub's 10 s delivery timeout. */
const WEBHOOK_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 9, 10];
/** Open checkpoints remembered for the approval histogram when fed from the audit stream. */
const MAX_OPEN_ITEMS = 10_000;

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop); on by default. */
  defaultMetrics?: boolean;
  /** Monotonic seconds, for timing webhooks; injected by tests. */
  nowSeconds?: () => number;
}

export interface HitlMetrics {
  readonly registry: Registry;
  checkpointResolved(checkpoint: string, outcome: CheckpointOutcome): void;
  approvalTime(workflow: Workflow, seconds: number): void;
  /** Levels 1–4 are labelled as such, the reminders after level 4 as "reminder"; other numbers are ignored. */
  escalated(level: number): void;
  bypassed(kind: BypassKind): void;
  complianceViolation(): void;
  webhookHandled(event: string, seconds: number): void;
  /** Runs a webhook handler and records how long it took, whether it succeeded or threw. */
  timeWebhook<T>(event: string, handler: () => Promise<T>): Promise<T>;
  githubRequest(method: string): void;
  githubRateLimit(resource: string, remaining: number): void;
  /** Updates the decision metrics from one audit entry (see the note at the top of this file). */
  observeAudit(entry: AuditEntry): void;
}

export function createMetrics(options: MetricsOptions = {}): HitlMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const nowSeconds = options.nowSeconds ?? (() => performance.now() / 1000);
  const registers = [registry];

  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Counter({ name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, label: L, buckets: number[]) =>
    new Histogram({ name, help, labelNames: [label], buckets, registers });

  const checkpoints = counter('hitl_checkpoints_total', 'Gate items (checkpoints and workflow reviews) resolved, by checkpoint and outcome.', ['checkpoint', 'outcome']);
  const approvals = histogram('hitl_approval_duration_seconds', 'Time from a gate item becoming pending to its approval, by workflow.', 'workflow', APPROVAL_BUCKETS);
  const escalations = counter('hitl_escalations_total', 'Escalation steps taken, by level.', ['level']);
  const bypasses = counter('hitl_bypasses_total', 'Bypasses granted, by kind.', ['kind']);
  const violations = counter('hitl_compliance_violations_total', 'Merges that skipped the gate.');
  const webhooks = histogram('hitl_webhook_duration_seconds', 'Time spent handling a GitHub webhook delivery, by event.', 'event', WEBHOOK_BUCKETS);
  const requests = counter('hitl_github_requests_total', 'GitHub API requests made, by method class (read: GET/HEAD, write: the rest).', ['method_class']);
  const rateLimit = new Gauge({
    name: 'hitl_github_rate_limit_remaining',
    help: 'Requests left in the current GitHub rate-limit window, as last reported, by resource.',
    labelNames: ['resource'],
    registers,
  });

  const openSince = new Map<string, number>();

  const metrics: HitlMetrics = {
    registry,
    checkpointResolved: (checkpoint, outcome) => checkpoints.inc({ checkpoint: checkpointLabel(checkpoint), outcome }),
    approvalTime: (workflow, seconds) => approvals.observe({ workflow }, Math.max(0, seconds)),
    escalated(level) {
      if (Number.isInteger(level) && level >= 1) escalations.inc({ level: level > 4 ? 'reminder' : String(level) });
    },
    bypassed: (kind) => bypasses.inc({ kind }),
    complianceViolation: () => violations.inc(),
    webhookHandled: (event, seconds) => webhooks.observe({ event: eventLabel(event) }, Math.max(0, seconds)),
    async timeWebhook(event, handler) {
      const start = nowSeconds();
      try {
        return await handler();
      } finally {
        metrics.webhookHandled(event, nowSeconds() - start);
      }
    },
    githubRequest: (method) => requests.inc({ method_class: /^(GET|HEAD)$/i.test(method) ? 'read' : 'write' }),
    githubRateLimit: (resource, remaining) => rateLimit.set({ resource: eventLabel(resource) }, remaining),
    observeAudit(entry) {
      const key = itemKey(entry);
      switch (entry.action) {
        case 'checkpoint_opened':
          if (key !== undefined && !openSince.has(key)) rememberOpen(openSince, key, entry.at);
          return;
        case 'approved':
        case 'auto_approved':
          if (key !== undefined && openSince.has(key)) {
            metrics.approvalTime(entry.workflow ?? (isStandardReview(entry.checkpoint!) ? 'peer' : 'expert'), (entry.at - openSince.get(key)!) / 1000);
            openSince.delete(key);
          }
          if (entry.checkpoint !== undefined) metrics.checkpointResolved(entry.checkpoint, entry.action);
          return;
        case 'rejected':
          if (entry.checkpoint !== undefined) metrics.checkpointResolved(entry.checkpoint, 'rejected');
          return;
        case 'bypassed':
          metrics.bypassed(bypassKind(entry));
          if (entry.checkpoint !== undefined) metrics.checkpointResolved(entry.checkpoint, 'bypassed');
          return;
        case 'escalated':
          if (typeof entry.details?.level === 'number') metrics.escalated(entry.details.level);
          return;
        case 'compliance_violation':
          metrics.complianceViolation();
          return;
        default:
          return;
      }
    },
  };
  return metrics;
}

function rememberOpen(openSince: Map<string, number>, key: string, at: number): void {
  // Items that are never approved (closed PRs) must not grow the map forever: drop the oldest.
  if (openSince.size >= MAX_OPEN_ITEMS) openSince.delete(openSince.keys().next().value!);
  openSince.set(key, at);
}

function checkpointLabel(checkpoint: string): string {
  return KNOWN_CHECKPOINTS.has(checkpoint) ? checkpoint : 'other';
}

/** GitHub event and resource names are short snake_case words; anything else is not one. */
function eventLabel(name: string): string {
  return /^[a-z_]{1,40}$/.test(name) ? name : 'other';
}
