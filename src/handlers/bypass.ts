/**
 * The handlers' side of bypasses (src/bypass): the emergency label's refusals are answered, a
 * merge is checked for compliance and, after an emergency bypass, gets its post-implementation
 * review; `/ack` on a merged PR closes its compliance violation.
 */
import { answerLabelRefusal } from '../bypass/emergency.js';
import type { BypassDeps } from '../bypass/deps.js';
import { mergedPrFromPayload, onPullRequestMerged, type ClosedPayload } from '../bypass/merged.js';
import type { ResolvedConfig } from '../config/types.js';
import { levelsOf, roleMentionsOf } from '../escalation/ladder.js';
import { closeViolation, COMPLIANCE_ITEM, COMPLIANCE_LEVEL, markViolationOpen } from '../bypass/compliance.js';
import { approvalItem } from '../policy/approval-item.js';
import { mayApprove } from '../policy/authorize.js';
import type { DirectEscalation, EscalationPort, EscalationTarget } from '../escalation/types.js';
import type { PrAddress } from '../github/address.js';
import type { OwnCheckReader } from '../github/checks.js';
import type { GitHubClient } from '../github/client.js';
import type { Readers } from '../github/readers.js';
import type { EvaluatedOutcome } from '../pipeline/pipeline.js';

/** After `pull_request.labeled`/`unlabeled` of the emergency label was evaluated: a refused addition is answered. */
export async function answerEmergencyLabel(bypass: BypassDeps, github: GitHubClient, address: PrAddress, outcome: EvaluatedOutcome, label: string): Promise<void> {
  if (label.toLowerCase() !== outcome.config.bypass.emergency.label) return;
  await answerLabelRefusal({ ...bypass, github }, {
    pr: { ...address, headSha: outcome.pull.headSha },
    label: outcome.config.bypass.emergency.label,
    plan: outcome.plan,
    configVersion: outcome.configVersion,
  }, outcome.labelEvents);
}

/** Binds the repository's ladder to the engine's escalateTo, for compliance (which knows only the target). */
export function complianceEscalation(bypass: BypassDeps, escalation: DirectEscalation | undefined, config: ResolvedConfig, now: number) {
  return {
    async escalateTo(target: EscalationTarget, level: number, by: string, reason: string): Promise<unknown> {
      if (!escalation) return undefined;
      await markViolationOpen(bypass.once, target, { reason, roleMentions: roleMentionsOf(config) });
      const levels = levelsOf(config);
      // No SLA of its own: the deadline is the end of the ladder, as for a failing build.
      const deadline = now + levels.reduce((sum, l) => sum + l.timeoutMs, 0);
      return escalation.escalateTo({ ...target, since: now, deadline, escalateAt: now, levels, notify: config.notify }, level, by, reason);
    },
  };
}

/** `pull_request.closed` with `merged: true`: compliance, then the post-implementation review. */
export async function onMerged(
  bypass: BypassDeps,
  escalation: DirectEscalation | undefined,
  github: GitHubClient,
  checks: OwnCheckReader,
  payload: ClosedPayload,
  loaded: { config: ResolvedConfig; version: string },
): Promise<void> {
  const pr = mergedPrFromPayload(payload, loaded.version);
  if (!pr) return;
  await onPullRequestMerged({ ...bypass, github, checks, escalation: complianceEscalation(bypass, escalation, loaded.config, bypass.now()) }, pr, {
    postReview: loaded.config.bypass.emergency.postReview,
  });
}

/**
 * `/ack` on a merged pull request: closes its open compliance violation when the commenter is in
 * the level-3 roles (the technical lead) and not the author. Returns the reply to post.
 */
export async function acknowledgeViolation(
  bypass: BypassDeps,
  escalation: EscalationPort | undefined,
  github: GitHubClient,
  pr: PrAddress,
  pull: { author: string; headSha: string },
  config: ResolvedConfig,
  commenter: { login: string; isBot: boolean },
  readers: Pick<Readers, 'people'>,
): Promise<{ accepted: boolean; reply: string }> {
  const roles = config.escalation.find((l) => l.level === COMPLIANCE_LEVEL)?.notifyRoles ?? [];
  const item = approvalItem(COMPLIANCE_ITEM, { roles, members: roles.flatMap((role) => config.roles[role] ?? []) });
  const actor = await readers.people.facts(github, pr, commenter.login, commenter.isBot, item.approvers.members);
  const permit = mayApprove(actor, item, pull.author);
  if (!permit.ok) return { accepted: false, reply: `\`/ack\` refused: ${permit.reason}.` };
  if (!(await closeViolation(bypass.once, pr))) return { accepted: false, reply: '`/ack` refused: this pull request is closed and has no open compliance violation.' };
  await escalation?.cancel({ ...pr, item: COMPLIANCE_ITEM }, `compliance violation acknowledged by @${actor.login}`);
  await bypass.audit.record({
    at: bypass.now(),
    installationId: pr.installationId,
    repo: `${pr.owner}/${pr.repo}`,
    pr: pr.number,
    headSha: pull.headSha,
    actor: actor.login,
    action: 'acknowledged',
    checkpoint: COMPLIANCE_ITEM,
    reason: 'compliance violation reviewed',
  });
  return { accepted: true, reply: 'compliance violation acknowledged: its escalation is closed.' };
}
