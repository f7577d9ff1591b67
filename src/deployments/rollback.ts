/**
 * The rollback decision checkpoint for automated rollback systems: a `repository_dispatch` of
 * type `hitl.rollback` opens an issue that carries the checkpoint; `/approve` or
 * `/reject <reason>` in that issue by the checkpoint's roles decides it, and the decision is
 * sent back as `hitl.rollback.approved` / `hitl.rollback.rejected` so the automation goes on.
 * (Revert pull requests and the `rollback` label switch the same checkpoint on through the PR
 * gate's `automated_rollback` trigger: see isRevertPullRequest in policy/facts.ts.)
 */
import { z } from 'zod';
import type { AuditEntry, AuditSink } from '../audit/types.js';
import type { EscalationPort, EscalationTarget, GateAnswer } from '../escalation/types.js';
import { levelsOf, mentionsOf } from '../escalation/ladder.js';
import type { Clock } from '../util/clock.js';
import type { RepoRef } from '../github/address.js';
import type { GitHubClient } from '../github/client.js';
import { comment } from '../github/comments.js';
import { dispatch } from '../github/dispatches.js';
import { createIssue, updateIssue } from '../github/issues.js';
import type { Readers } from '../github/readers.js';
import { addressed } from './text.js';
import { InstallationSchema, parseIssueComment, parseWith, repoRefOf, RepositorySchema, type IssueCommentEvent } from './payloads.js';
import {
  decisionPayload,
  dispatchIdOf,
  ROLLBACK_APPROVED_DISPATCH,
  ROLLBACK_CHECKPOINT,
  ROLLBACK_DISPATCH,
  ROLLBACK_LABEL,
  ROLLBACK_REJECTED_DISPATCH,
  rollbackCheckpointOf,
  rollbackIssue,
  RollbackRequestSchema,
  type RollbackRequest,
} from './rollback-checkpoint.js';
import { judgeRollbackCommand, type RollbackCommand } from '../policy/rollback.js';
import type { RollbackRecord, RollbackRecords } from './store.js';

/** GitHub assigns at most 10 people to an issue. */
const MAX_ASSIGNEES = 10;

export interface RollbackDeps {
  readers: Pick<Readers, 'config' | 'people'>;
  github: GitHubClient;
  audit: AuditSink;
  records: RollbackRecords;
  escalation: EscalationPort;
  clock: Clock;
}

const DispatchSchema = z.looseObject({
  action: z.string(),
  client_payload: z.unknown(),
  repository: RepositorySchema,
  installation: InstallationSchema,
  sender: z.looseObject({ login: z.string() }),
});

export type RollbackDispatchOutcome =
  | { kind: 'ignored'; reason: string }
  | { kind: 'duplicate'; dispatchId: string }
  /** The request could not be taken: the automation was told `hitl.rollback.rejected` with the error. */
  | { kind: 'invalid'; dispatchId: string; error: string }
  | { kind: 'opened'; dispatchId: string; issueNumber: number };

interface Place {
  at: RepoRef;
  repoName: string;
  installationId: number;
}

async function audit(deps: RollbackDeps, place: Place, entry: Omit<AuditEntry, 'at' | 'installationId' | 'repo'>): Promise<void> {
  await deps.audit.record({ at: deps.clock(), installationId: place.installationId, repo: place.repoName, checkpoint: ROLLBACK_CHECKPOINT, ...entry });
}

/** Tells the automation that its request cannot be taken, so it never waits for an issue that will not come. */
async function refuseRequest(deps: RollbackDeps, place: Place, dispatchId: string, error: string, configVersion?: string): Promise<RollbackDispatchOutcome> {
  await dispatch(deps.github, place.at, ROLLBACK_REJECTED_DISPATCH, { dispatch_id: dispatchId, decision: 'rejected', decided_by: 'hitl', reason: error });
  await audit(deps, place, { actor: 'hitl', action: 'rollback_rejected', reason: error, configVersion, details: { dispatch_id: dispatchId } });
  return { kind: 'invalid', dispatchId, error };
}

/**
 * Entry point for `repository_dispatch`. Call it with the payload as received and the delivery
 * id (`X-GitHub-Delivery`, the idempotency key when the request carries no `dispatch_id`).
 * Other dispatch types (including this app's own answers) are ignored.
 */
export async function handleRollbackDispatch(payload: unknown, deliveryId: string, deps: RollbackDeps): Promise<RollbackDispatchOutcome> {
  const parsed = parseWith(DispatchSchema, 'repository_dispatch payload', payload);
  if (!parsed.ok) return { kind: 'invalid', dispatchId: deliveryId, error: parsed.error };
  const event = parsed.value;
  if (event.action !== ROLLBACK_DISPATCH) return { kind: 'ignored', reason: `dispatch type ${event.action}` };
  const place: Place = { at: repoRefOf(event.repository), repoName: event.repository.full_name, installationId: event.installation.id };

  const dispatchId = dispatchIdOf(event.client_payload, deliveryId);
  if (!(await deps.records.claimDispatch(place.repoName, dispatchId))) return { kind: 'duplicate', dispatchId };

  const request = parseWith(RollbackRequestSchema, `invalid ${ROLLBACK_DISPATCH} client_payload`, event.client_payload);
  if (!request.ok) return refuseRequest(deps, place, dispatchId, request.error);
  const loaded = await deps.readers.config.repository(deps.github, place.at, event.repository.default_branch);
  if (!loaded.ok) return refuseRequest(deps, place, dispatchId, loaded.error, loaded.version);
  const policy = loaded.config.checkpoints.find((c) => c.name === ROLLBACK_CHECKPOINT);
  if (!policy) return refuseRequest(deps, place, dispatchId, `the config defines no ${ROLLBACK_CHECKPOINT} checkpoint`, loaded.version);

  const checkpoint = rollbackCheckpointOf(policy);
  const mentions = mentionsOf(checkpoint.members);
  const { title, body } = rollbackIssue({ request: request.value, dispatchId, requester: event.sender.login, checkpoint, mentions, timeoutMs: policy.timeoutMs });
  const assignees = checkpoint.members.flatMap((m) => (m.kind === 'user' ? [m.login] : [])).slice(0, MAX_ASSIGNEES);
  let issue: { number: number; html_url: string };
  try {
    issue = await createIssue(deps.github, place.at, { title, body, labels: [ROLLBACK_LABEL], ...(assignees.length > 0 ? { assignees } : {}) });
  } catch (error) {
    await deps.records.releaseDispatch(place.repoName, dispatchId); // nothing was opened: a redelivery may try again
    throw error;
  }

  const now = deps.clock();
  const record: RollbackRecord<RollbackRequest> = {
    dispatchId,
    issueNumber: issue.number,
    issueUrl: issue.html_url,
    request: request.value,
    requester: event.sender.login,
    checkpoint,
    openedAt: now,
    mentions,
  };
  await deps.records.save(place.repoName, record);
  await deps.escalation.ensure({
    installationId: place.installationId,
    ...place.at,
    number: issue.number,
    item: ROLLBACK_CHECKPOINT,
    since: now,
    deadline: now + policy.timeoutMs,
    escalateAt: now + policy.escalateAfterMs,
    levels: levelsOf(loaded.config),
    notify: loaded.config.notify,
  });
  await audit(deps, place, { pr: issue.number, headSha: request.value.to_sha, actor: 'hitl', action: 'checkpoint_opened', reason: title, configVersion: loaded.version, details: { dispatch_id: dispatchId } });
  return { kind: 'opened', dispatchId, issueNumber: issue.number };
}

export type RollbackCommandOutcome =
  | { kind: 'invalid'; error: string }
  /** The comment is not on an open rollback issue: the caller handles it as any other comment. */
  | { kind: 'not_rollback' }
  | { kind: 'already_decided' }
  | { kind: 'refused'; reason: string }
  | { kind: 'waiting'; approvals: number; needed: number }
  | { kind: 'decided'; state: 'approved' | 'rejected' };

async function reply(deps: RollbackDeps, place: Place, issueNumber: number, body: string): Promise<void> {
  await comment(deps.github, place.at, issueNumber, body);
}

async function decide(
  deps: RollbackDeps,
  place: Place,
  record: RollbackRecord<RollbackRequest>,
  state: 'approved' | 'rejected',
  by: string,
  reason?: string,
): Promise<RollbackCommandOutcome> {
  if (!(await deps.records.claimDecision(place.repoName, record.issueNumber, state))) return { kind: 'already_decided' };
  // The automation waits for this first; the comment and the closing follow.
  await dispatch(deps.github, place.at, state === 'approved' ? ROLLBACK_APPROVED_DISPATCH : ROLLBACK_REJECTED_DISPATCH, decisionPayload(record, state, by, reason));
  const said = state === 'approved' ? `Approved by @${by}: the rollback goes on` : `Rejected by @${by}: ${reason ?? ''}`;
  await reply(deps, place, record.issueNumber, `${said}. HITL sent \`${state === 'approved' ? ROLLBACK_APPROVED_DISPATCH : ROLLBACK_REJECTED_DISPATCH}\` to the automation.`);
  await updateIssue(deps.github, place.at, record.issueNumber, { state: 'closed', state_reason: state === 'approved' ? 'completed' : 'not_planned' });
  await deps.escalation.cancel({ installationId: place.installationId, ...place.at, number: record.issueNumber, item: ROLLBACK_CHECKPOINT }, `rollback ${state} by ${by}`);
  await audit(deps, place, {
    pr: record.issueNumber,
    headSha: record.request.to_sha,
    actor: by,
    action: state === 'approved' ? 'rollback_approved' : 'rollback_rejected',
    reason,
    details: { dispatch_id: record.dispatchId, service: record.request.service, environment: record.request.environment },
  });
  return { kind: 'decided', state };
}

/**
 * Entry point for `/approve [rollback_decision]` and `/reject [rollback_decision] <reason>` in
 * a comment on an issue (issue_comment created). Returns `not_rollback` for any issue that is
 * not an open rollback checkpoint, so the caller can route every issue comment here first.
 */
export async function handleRollbackCommand(payload: unknown, command: RollbackCommand, deps: RollbackDeps): Promise<RollbackCommandOutcome> {
  const parsed = parseIssueComment(payload);
  if (!parsed.ok) return { kind: 'invalid', error: parsed.error };
  const event: IssueCommentEvent = parsed.value;
  if (event.issue.pull_request !== undefined) return { kind: 'not_rollback' };
  const place: Place = { at: repoRefOf(event.repository), repoName: event.repository.full_name, installationId: event.installation.id };
  const record = await deps.records.byIssue<RollbackRequest>(place.repoName, event.issue.number);
  if (!record) return { kind: 'not_rollback' };
  if (await deps.records.isDecided(place.repoName, record.issueNumber)) return { kind: 'already_decided' };

  const login = event.comment.user.login;
  const actor = await deps.readers.people.facts(deps.github, place.at, login, event.comment.user.type === 'Bot', record.checkpoint.members);
  const verdict = judgeRollbackCommand(record.checkpoint, record.requester, actor, command, event.issue.body ?? '');
  switch (verdict.kind) {
    case 'refused':
      await reply(deps, place, record.issueNumber, addressed(login, verdict.reason));
      await audit(deps, place, { pr: record.issueNumber, actor: login, action: 'command_refused', reason: verdict.reason });
      return { kind: 'refused', reason: verdict.reason };
    case 'reject':
      return decide(deps, place, record, 'rejected', login, verdict.reason);
    case 'approve': {
      const approvals = await deps.records.addApproval(place.repoName, record.issueNumber, login);
      const needed = record.checkpoint.approvals;
      if (approvals >= needed) return decide(deps, place, record, 'approved', login);
      await reply(deps, place, record.issueNumber, `Approval by @${login} recorded: ${approvals} of ${needed}.`);
      return { kind: 'waiting', approvals, needed };
    }
  }
}

/**
 * The escalation engine's check-back (GatePort.check) for a rollback issue: undefined when the
 * target is not one, so the caller falls through to the pull request gate.
 */
export async function rollbackGateAnswer(records: RollbackRecords, target: EscalationTarget): Promise<GateAnswer | undefined> {
  if (target.item !== ROLLBACK_CHECKPOINT) return undefined;
  const repoName = `${target.owner}/${target.repo}`;
  const record = await records.byIssue<RollbackRequest>(repoName, target.number);
  if (!record) return undefined;
  if (await records.isDecided(repoName, target.number)) return { pending: false };
  return {
    pending: true,
    diagnostics: {
      author: record.requester,
      pendingApprovers: record.mentions,
      roleMentions: {},
      missing: [`a decision by ${record.checkpoint.roles.join(' or ')}`],
      commands: ['/approve', '/reject <reason>'],
      headSha: record.request.to_sha,
    },
  };
}
