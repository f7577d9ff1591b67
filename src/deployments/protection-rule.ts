/**
 * The custom deployment protection rule (product.md §7): answers `deployment_protection_rule`
 * (requested) through GitHub's review endpoint, and answers a deployment that waits for a
 * human when `/approve deploy` or `/reject deploy <reason>` arrives on its pull request.
 *
 * A deployment that needs a human is left unanswered (GitHub keeps it waiting, up to 30 days)
 * instead of being rejected with instructions: GitHub takes one review per rule and run, so a
 * rejection could never be turned into an approval without re-running the workflow.
 */
import { z } from 'zod';
import type { AuditEntry, AuditSink } from '../audit/types.js';
import type { ResolvedConfig } from '../config/types.js';
import { mayApprove } from '../policy/authorize.js';
import type { Clock } from '../util/clock.js';
import { approvalItem } from '../policy/approval-item.js';
import { asAnswer, decideBeforeEvidence, decideDeployment, deploymentPolicy, DEPLOY_COMMAND_TARGET, prGateOf, type DeploymentAnswer, type PrGate } from '../policy/deployment.js';
import type { FreezeWindow } from '../policy/freeze.js';
import { HITL_CHECK } from '../policy/types.js';
import { mentionsOf } from '../escalation/ladder.js';
import type { RepoRef } from '../github/address.js';
import type { GitHubClient } from '../github/client.js';
import { comment } from '../github/comments.js';
import type { RepositoryConfig } from '../github/config.js';
import { reviewDeployment } from '../github/deployments.js';
import type { CommitPull } from '../github/pulls.js';
import type { Readers } from '../github/readers.js';
import { addressed } from './text.js';
import { InstallationSchema, parseIssueComment, parseWith, repoRefOf, RepositorySchema, type IssueCommentEvent } from './payloads.js';
import type { PendingDeployment, PendingDeployments } from './store.js';

/** The review comment is shown on the waiting workflow run: a reason, not a report. */
const MAX_REVIEW_COMMENT = 1000;

export interface DeploymentDeps {
  readers: Pick<Readers, 'config' | 'pulls' | 'people' | 'checks'>;
  github: GitHubClient;
  audit: AuditSink;
  pending: PendingDeployments;
  clock: Clock;
  /** The config's freeze windows; until `deployments.freeze` is in the schema this is injected. */
  freezeWindows?: (config: ResolvedConfig) => FreezeWindow[];
}

const PullRequestSchema = z.looseObject({
  number: z.number().int().positive(),
  head: z.looseObject({ sha: z.string() }),
  merge_commit_sha: z.string().nullish(),
});

const ProtectionRuleSchema = z.looseObject({
  action: z.string(),
  environment: z.string().min(1),
  deployment_callback_url: z.url(),
  deployment: z.looseObject({ id: z.number().int(), sha: z.string().min(7) }),
  pull_requests: z.array(PullRequestSchema).optional(),
  repository: RepositorySchema,
  installation: InstallationSchema,
});

export type DeploymentOutcome =
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; error: string }
  | { kind: 'answered'; state: 'approved' | 'rejected'; comment: string }
  | { kind: 'awaiting_approval'; pr: number; asked: boolean };

/** The workflow run id from `…/actions/runs/{run_id}/deployment_protection_rule`. */
export function runIdFromCallbackUrl(url: string): number | undefined {
  const match = /\/actions\/runs\/(\d+)\/deployment_protection_rule\/?$/.exec(url);
  const id = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

interface Answer {
  at: RepoRef;
  repoName: string;
  installationId: number;
  runId: number;
  environment: string;
  sha: string;
  pr?: number;
  actor: string;
  configVersion: string;
  details?: AuditEntry['details'];
}

async function answer(deps: DeploymentDeps, target: Answer, decision: DeploymentAnswer): Promise<Extract<DeploymentOutcome, { kind: 'answered' }>> {
  const comment = decision.comment.slice(0, MAX_REVIEW_COMMENT);
  await reviewDeployment(deps.github, target.at, target.runId, target.environment, decision.state, comment);
  await deps.audit.record({
    at: deps.clock(),
    installationId: target.installationId,
    repo: target.repoName,
    pr: target.pr,
    headSha: target.sha,
    actor: target.actor,
    action: decision.state === 'approved' ? 'deployment_approved' : 'deployment_rejected',
    checkpoint: DEPLOY_COMMAND_TARGET,
    reason: comment,
    configVersion: target.configVersion,
    details: { environment: target.environment, run_id: target.runId, ...target.details },
  });
  return { kind: 'answered', state: decision.state, comment };
}

type ShippedPr = CommitPull;

/** The pull requests the deployed commit ships: those GitHub put in the payload and those the commit belongs to. */
async function shippedPullRequests(deps: DeploymentDeps, at: RepoRef, sha: string, fromPayload: readonly ShippedPr[]): Promise<ShippedPr[]> {
  const all = new Map<number, ShippedPr>();
  for (const pr of [...fromPayload, ...(await deps.readers.pulls.ofCommit(deps.github, at, sha))]) {
    if (!all.has(pr.number)) all.set(pr.number, pr);
  }
  return [...all.values()];
}

async function hitlGateOf(deps: DeploymentDeps, at: RepoRef, pr: ShippedPr): Promise<PrGate> {
  // Our own runs only (readers.checks): a look-alike `hitl` from another app or a workflow never counts.
  const runs = await deps.readers.checks.ownCheckRuns(deps.github, at, pr.headSha);
  const latest = runs.filter((run) => run.name === HITL_CHECK).sort((a, b) => b.id - a.id)[0];
  return prGateOf(pr.number, latest && { status: latest.status, conclusion: latest.conclusion, title: latest.title });
}

/** The pull request to ask for a human approval: the one merged as the deployed commit, else the first. */
function primaryPr(prs: readonly ShippedPr[], sha: string): ShippedPr | undefined {
  return prs.find((pr) => pr.mergeCommitSha === sha) ?? prs[0];
}

function approvalRequest(environment: string, sha: string, config: ResolvedConfig): string {
  const approvers = config.deployments.requireApproval;
  const mentions = mentionsOf(approvers.members);
  return [
    `### HITL: deployment to \`${environment}\` waits for a human approval`,
    '',
    `Commit ${sha.slice(0, 7)} passed the hitl gate. Before it reaches \`${environment}\`, one of ${approvers.roles.join(' or ')}${mentions.length > 0 ? ` (${mentions.join(', ')})` : ''} decides:`,
    '',
    '- `/approve deploy` lets the deployment go on',
    '- `/reject deploy <reason>` stops it',
  ].join('\n');
}

/**
 * Entry point for `deployment_protection_rule` (action `requested`). Call it with the payload
 * as received and the installation's Octokit. It answers GitHub, or leaves the deployment
 * waiting and asks for `/approve deploy` on the pull request.
 */
export async function handleDeploymentProtectionRule(payload: unknown, deps: DeploymentDeps): Promise<DeploymentOutcome> {
  const parsed = parseWith(ProtectionRuleSchema, 'deployment_protection_rule payload', payload);
  if (!parsed.ok) return { kind: 'invalid', error: parsed.error };
  const event = parsed.value;
  if (event.action !== 'requested') return { kind: 'ignored', reason: `action ${event.action}` };
  const runId = runIdFromCallbackUrl(event.deployment_callback_url);
  if (runId === undefined) return { kind: 'invalid', error: `deployment_callback_url ${event.deployment_callback_url} names no workflow run` };

  const at = repoRefOf(event.repository);
  const sha = event.deployment.sha;
  const loaded = await deps.readers.config.repository(deps.github, at, event.repository.default_branch);
  const target: Answer = {
    at,
    repoName: event.repository.full_name,
    installationId: event.installation.id,
    runId,
    environment: event.environment,
    sha,
    actor: 'hitl',
    configVersion: loaded.version,
    details: { deployment_id: event.deployment.id },
  };
  if (!loaded.ok) return answer(deps, target, { state: 'rejected', comment: `HITL: ${loaded.error}` });

  const now = deps.clock();
  const policy = deploymentPolicy(loaded.config, deps.freezeWindows?.(loaded.config) ?? []);
  const early = decideBeforeEvidence(event.environment, policy, now);
  if (early) return answer(deps, target, early);

  const fromPayload = (event.pull_requests ?? []).map((p) => ({ number: p.number, headSha: p.head.sha, mergeCommitSha: p.merge_commit_sha }));
  const prs = await shippedPullRequests(deps, at, sha, fromPayload);
  const gates = await Promise.all(prs.map((pr) => hitlGateOf(deps, at, pr)));
  const decision = decideDeployment({ environment: event.environment, sha, prs: gates }, policy, now);
  const primary = primaryPr(prs, sha);
  if (decision.state !== 'awaiting_approval' || !primary) return answer(deps, { ...target, pr: primary?.number }, asAnswer(decision));

  const waiting: PendingDeployment = { runId, environment: event.environment, sha, deploymentId: event.deployment.id, prs: gates, requestedAt: now };
  const isNew = await deps.pending.add(event.repository.full_name, primary.number, waiting);
  if (isNew) {
    await comment(deps.github, at, primary.number, approvalRequest(event.environment, sha, loaded.config));
    await deps.audit.record({
      at: now,
      installationId: event.installation.id,
      repo: event.repository.full_name,
      pr: primary.number,
      headSha: sha,
      actor: 'hitl',
      action: 'checkpoint_opened',
      checkpoint: DEPLOY_COMMAND_TARGET,
      reason: decision.comment,
      configVersion: loaded.version,
      details: { environment: event.environment, run_id: runId, deployment_id: event.deployment.id },
    });
  }
  return { kind: 'awaiting_approval', pr: primary.number, asked: isNew };
}

export type DeployCommand = { kind: 'approve' } | { kind: 'reject'; reason: string };

export type DeployCommandOutcome =
  | { kind: 'invalid'; error: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'answered'; answers: Array<{ environment: string; runId: number; state: 'approved' | 'rejected'; comment: string }> };

async function refuse(deps: DeploymentDeps, at: RepoRef, event: IssueCommentEvent, reason: string, configVersion?: string): Promise<DeployCommandOutcome> {
  await comment(deps.github, at, event.issue.number, addressed(event.comment.user.login, reason));
  await deps.audit.record({
    at: deps.clock(),
    installationId: event.installation.id,
    repo: event.repository.full_name,
    pr: event.issue.number,
    actor: event.comment.user.login,
    action: 'command_refused',
    checkpoint: DEPLOY_COMMAND_TARGET,
    reason,
    configVersion,
  });
  return { kind: 'refused', reason };
}

/**
 * Entry point for `/approve deploy` and `/reject deploy <reason>` in a pull request comment
 * (issue_comment created). Answers every deployment of that pull request that waits for a
 * human, when the commenter belongs to `deployments.require_approval` and is not the author.
 */
export async function handleDeployCommand(payload: unknown, command: DeployCommand, deps: DeploymentDeps): Promise<DeployCommandOutcome> {
  const parsed = parseIssueComment(payload);
  if (!parsed.ok) return { kind: 'invalid', error: parsed.error };
  const event = parsed.value;
  const at = repoRefOf(event.repository);
  const waiting = await deps.pending.list(event.repository.full_name, event.issue.number);
  if (waiting.length === 0) return refuse(deps, at, event, 'no deployment of this pull request is waiting for approval');

  // The config in force now: a freeze opened since the request, or a changed role, applies.
  const loaded: RepositoryConfig = await deps.readers.config.repository(deps.github, at, event.repository.default_branch);
  if (!loaded.ok) return refuse(deps, at, event, `${loaded.error}; fix it, then approve again`, loaded.version);
  const item = approvalItem(DEPLOY_COMMAND_TARGET, loaded.config.deployments.requireApproval);
  const actor = await deps.readers.people.facts(deps.github, at, event.comment.user.login, event.comment.user.type === 'Bot', item.approvers.members);
  const permit = mayApprove(actor, item, event.issue.user.login);
  if (!permit.ok) return refuse(deps, at, event, permit.reason, loaded.version);

  const policy = deploymentPolicy(loaded.config, deps.freezeWindows?.(loaded.config) ?? []);
  const answers: Extract<DeployCommandOutcome, { kind: 'answered' }>['answers'] = [];
  for (const deployment of waiting) {
    if (!(await deps.pending.take(event.repository.full_name, event.issue.number, deployment))) continue;
    const decision: DeploymentAnswer =
      command.kind === 'reject'
        ? { state: 'rejected', comment: `HITL: rejected by @${actor.login}: ${command.reason}` }
        : asAnswer(decideDeployment({ ...deployment, humanApproval: { by: actor.login } }, policy, deps.clock()));
    const target: Answer = {
      at,
      repoName: event.repository.full_name,
      installationId: event.installation.id,
      runId: deployment.runId,
      environment: deployment.environment,
      sha: deployment.sha,
      pr: event.issue.number,
      actor: actor.login,
      configVersion: loaded.version,
      details: deployment.deploymentId === undefined ? undefined : { deployment_id: deployment.deploymentId },
    };
    try {
      const outcome = await answer(deps, target, decision);
      answers.push({ environment: deployment.environment, runId: deployment.runId, state: outcome.state, comment: outcome.comment });
    } catch (error) {
      await deps.pending.add(event.repository.full_name, event.issue.number, deployment); // still waiting: try again later
      throw error;
    }
  }
  return { kind: 'answered', answers };
}
