/**
 * The bypass area's part of the publish step (src/pipeline/publish.ts), after every evaluation:
 * each emergency or test-environment bypass is audited once, and open maintenance windows approve
 * in their name (audited, the PR told once, the window's summary scheduled).
 */
import type { Queue } from 'bullmq';
import type { GitHubClient } from '../github/client.js';
import type { Evaluation, Evidence, Plan } from '../policy/types.js';
import { auditBypasses, recordOnce, type GateRef } from './audit-evaluation.js';
import type { BypassDeps } from './deps.js';
import { approvalEntries, onWindowApproval, windowApprovals } from './maintenance.js';

export interface BypassWiring extends BypassDeps {
  /** The maintenance queue (MAINTENANCE_QUEUE); without it window approvals are audited but nobody is told. */
  queue?: Queue;
}

export async function publishBypasses(bypass: BypassWiring, github: GitHubClient, gate: GateRef, evaluated: { plan: Plan; evaluation: Evaluation; evidence: Evidence }): Promise<void> {
  await auditBypasses(bypass, evaluated.evaluation, gate, evaluated.evidence);
  for (const approval of windowApprovals(evaluated.plan, evaluated.evaluation, bypass.now())) {
    if (bypass.queue) await onWindowApproval({ ...bypass, queue: bypass.queue, github }, gate, approval);
    else await recordOnce(bypass, approvalEntries(approval, gate, bypass.now()));
  }
}
