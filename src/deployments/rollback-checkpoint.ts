/**
 * The rollback decision checkpoint (seed: "Rollback Decision Checkpoints"), pure parts: what an
 * automated rollback system must send, the issue that carries the checkpoint, and the answer
 * sent back. Who may decide it is policy/rollback.ts; I/O lives in rollback.ts.
 */
import { z } from 'zod';
import type { CheckpointPolicy } from '../config/types.js';
import { criterionProse as prose, type RollbackCheckpoint } from '../policy/rollback.js';
import { inert } from './text.js';
import type { RollbackRecord } from './store.js';

export const ROLLBACK_CHECKPOINT = 'rollback_decision';
export const ROLLBACK_DISPATCH = 'hitl.rollback';
export const ROLLBACK_APPROVED_DISPATCH = 'hitl.rollback.approved';
export const ROLLBACK_REJECTED_DISPATCH = 'hitl.rollback.rejected';
export const ROLLBACK_LABEL = 'hitl:rollback';

const Sha = z.string().regex(/^[0-9a-f]{7,40}$/i, 'expected a commit SHA (7 to 40 hex digits)');
const DISPATCH_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The client_payload of a `hitl.rollback` dispatch. Unknown keys are dropped, not echoed. */
export const RollbackRequestSchema = z.object({
  service: z.string().trim().min(1).max(100),
  environment: z.string().trim().min(1).max(100),
  from_sha: Sha,
  to_sha: Sha,
  reason: z.string().trim().min(1).max(2000),
  requested_by: z.string().trim().min(1).max(100).optional(),
  /** The sender's own id for the request: a retried dispatch with the same id opens no second issue. */
  dispatch_id: z.string().regex(DISPATCH_ID, 'letters, digits, ".", "_", ":" and "-" only (at most 100)').optional(),
});
export type RollbackRequest = z.infer<typeof RollbackRequestSchema>;

/** The dispatch id of a request, even a malformed one; else the webhook delivery id. */
export function dispatchIdOf(clientPayload: unknown, deliveryId: string): string {
  const id = typeof clientPayload === 'object' && clientPayload !== null ? (clientPayload as { dispatch_id?: unknown }).dispatch_id : undefined;
  return typeof id === 'string' && DISPATCH_ID.test(id) ? id : deliveryId;
}

export function rollbackCheckpointOf(policy: CheckpointPolicy): RollbackCheckpoint {
  return { name: policy.name, roles: policy.approvers.roles, members: policy.approvers.members, approvals: policy.approvals, criteria: policy.criteria };
}

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
const duration = (ms: number) => (ms % 3_600_000 === 0 ? plural(ms / 3_600_000, 'hour') : plural(Math.round(ms / 60_000), 'minute'));

export interface RollbackIssueInput {
  request: RollbackRequest;
  dispatchId: string;
  requester: string;
  checkpoint: RollbackCheckpoint;
  mentions: readonly string[];
  timeoutMs: number;
}

export function rollbackIssue(input: RollbackIssueInput): { title: string; body: string } {
  const { request, checkpoint } = input;
  const who = input.mentions.length > 0 ? `${input.mentions.join(' ')}: one of ` : 'One of ';
  const title = `Rollback decision: ${inert(request.service, 60)} on ${inert(request.environment, 40)} (${request.from_sha.slice(0, 7)} → ${request.to_sha.slice(0, 7)})`;
  const body = [
    '## Rollback decision needed',
    '',
    `An automated rollback system asks to roll **${inert(request.service)}** on **${inert(request.environment)}** back. It waits for a human decision.`,
    '',
    '| | |',
    '|---|---|',
    `| Current commit | \`${request.from_sha}\` |`,
    `| Roll back to | \`${request.to_sha}\` |`,
    `| Reason | ${inert(request.reason, 1000)} |`,
    `| Requested by | ${inert(request.requested_by ?? input.requester, 100)} |`,
    `| Dispatch id | \`${input.dispatchId}\` |`,
    '',
    '### Criteria (tick each one before approving)',
    ...checkpoint.criteria.map((criterion) => `- [ ] ${prose(criterion)}`),
    '',
    '### Decision',
    `${who}${checkpoint.roles.join(' or ')} decides within ${duration(input.timeoutMs)}:`,
    `- \`/approve\` once every criterion is ticked: HITL sends \`${ROLLBACK_APPROVED_DISPATCH}\` back and the rollback goes on.`,
    `- \`/reject <reason>\`: HITL sends \`${ROLLBACK_REJECTED_DISPATCH}\` back and the rollback stops.`,
  ].join('\n');
  return { title, body };
}

/** The client_payload sent back: the decision, the issue, and the request echoed (10 top-level keys at most, GitHub's limit). */
export function decisionPayload(record: RollbackRecord<RollbackRequest>, state: 'approved' | 'rejected', by: string, reason?: string): Record<string, unknown> {
  return {
    dispatch_id: record.dispatchId,
    decision: state,
    decided_by: by,
    ...(reason === undefined ? {} : { reason }),
    issue_number: record.issueNumber,
    issue_url: record.issueUrl,
    request: record.request,
  };
}
