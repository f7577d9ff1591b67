/**
 * A pull request merged while the `hitl` check was not green went around the gate (an admin
 * merge, or branch protection without the required check): a compliance violation. It is
 * recorded, said on the pull request, and escalated.
 */
import type { EscalationTarget, GateAnswer } from '../escalation/types.js';
import type { OnceMarkers } from './once.js';
import { entryBase, prKey } from './audit-evaluation.js';
import type { PrAddress } from '../github/address.js';
import type { OwnCheckReader } from '../github/checks.js';
import { complianceOf, type Compliance } from '../policy/compliance.js';
import { HITL_CHECK } from '../policy/types.js';
import type { GitHubClient } from '../github/client.js';
import { comment } from '../github/comments.js';
import type { BypassDeps } from './deps.js';
import type { MergedPr } from './post-review.js';

export const COMPLIANCE_ITEM = 'compliance';

/** The level a compliance violation goes to at once: the technical lead (product.md §6, issue 5). */
export const COMPLIANCE_LEVEL = 3;

/**
 * What compliance needs of escalation: put an item straight at a level, creating it when nothing
 * was pending (the wiring binds the repository's ladder; see EscalationEngine.escalateTo).
 */
export interface ComplianceEscalation {
  escalateTo(target: EscalationTarget, level: number, by: string, reason: string): Promise<unknown>;
}

/** What compliance reads and writes on GitHub: our own check runs (never a look-alike `hitl`) and a comment. */
export interface ComplianceGitHub {
  github: GitHubClient;
  checks: OwnCheckReader;
}

export function violationComment(pr: MergedPr, reason: string): string {
  const who = pr.mergedBy ? ` by @${pr.mergedBy}` : '';
  return [
    `🚨 **Compliance violation**: this pull request was merged${who} around the HITL gate: ${reason}.`,
    '',
    'It is recorded in the audit log and escalated to the technical lead (level 3). Please run the skipped',
    'review now, and make `hitl` a required check that admins cannot bypass in the branch protection.',
  ].join('\n');
}

/** For `pull_request.closed` with `merged: true`: reads the `hitl` check of the merged head and acts once per PR. */
export async function checkCompliance(
  deps: BypassDeps & ComplianceGitHub & { escalation: ComplianceEscalation },
  pr: MergedPr,
): Promise<Compliance> {
  const result = complianceOf((await deps.checks.ownCheckRuns(deps.github, pr, pr.headSha)).filter((run) => run.name === HITL_CHECK));
  if (result.state === 'compliant') {
    // Compliance is the share of merges that went through the gate, so every merge is recorded, once.
    if (await deps.once.claim(`merged:${prKey(pr)}`)) {
      await deps.audit.record({ ...entryBase(pr, deps.now()), actor: pr.mergedBy ?? 'unknown', action: 'merged', details: { mergedAt: pr.mergedAt, conclusion: result.conclusion } });
    }
    return result;
  }
  if (!(await deps.once.claim(`compliance:${prKey(pr)}`))) return result;
  await deps.audit.record({
    ...entryBase(pr, deps.now()),
    actor: pr.mergedBy ?? 'unknown',
    action: 'compliance_violation',
    reason: result.reason,
    details: { mergedAt: pr.mergedAt },
  });
  await comment(deps.github, pr, pr.number, violationComment(pr, result.reason));
  const target: EscalationTarget = { installationId: pr.installationId, owner: pr.owner, repo: pr.repo, number: pr.number, item: COMPLIANCE_ITEM };
  await deps.escalation.escalateTo(target, COMPLIANCE_LEVEL, 'hitl', `compliance violation: ${result.reason}`);
  return result;
}

/**
 * A violation's escalation item stays pending until it is acknowledged: a member of the level-3
 * roles (the technical lead) comments `/ack` on the merged pull request. Until then the engine's
 * check-back (complianceGateAnswer) says pending, so the item climbs and reminds like any other.
 * The open violation is one Redis value per pull request, with what the escalation must mention.
 */
export interface OpenViolation {
  reason: string;
  /** Mentions per level (roleMentionsOf the config in force at the merge). */
  roleMentions: Record<number, string[]>;
}

const openKey = (pr: PrAddress) => `compliance-open:${prKey(pr)}`;

export async function markViolationOpen(once: OnceMarkers, pr: PrAddress, violation: OpenViolation): Promise<void> {
  await once.put(openKey(pr), JSON.stringify(violation));
}

/** Closes the violation; the open one, or undefined when none was open (nothing to acknowledge). */
export async function closeViolation(once: OnceMarkers, pr: PrAddress): Promise<OpenViolation | undefined> {
  const open = await once.take(openKey(pr));
  return open === null ? undefined : (JSON.parse(open) as OpenViolation);
}

/** The GatePort answer for a compliance item; undefined for any other item (the caller asks the PR gate). */
export async function complianceGateAnswer(once: OnceMarkers, target: EscalationTarget): Promise<GateAnswer | undefined> {
  if (target.item !== COMPLIANCE_ITEM) return undefined;
  const open = await once.get(openKey(target));
  if (open === null) return { pending: false };
  const violation = JSON.parse(open) as OpenViolation;
  return {
    pending: true,
    diagnostics: {
      author: 'hitl',
      pendingApprovers: violation.roleMentions[COMPLIANCE_LEVEL] ?? [],
      roleMentions: violation.roleMentions,
      missing: [`a review of the merge that went around the gate: ${violation.reason}`],
      commands: ['/ack (by the technical lead, once the skipped review is done)'],
      headSha: '',
    },
  };
}
