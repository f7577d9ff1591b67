/**
 * The publish step: writes what a decision (policy/decide.ts) calls for, each writer comparing
 * with what is already there (src/github), in a fixed order: the pusher and the accepted /reject
 * and /hold decisions (pipeline/decisions.ts), the escalation effects of this
 * event's commands, our check runs (the `hitl` check shows the climb as the engine has it after
 * them), the workflow label, review requests (and the re-requests after approvals a push
 * dropped, with their one comment), the escalation timers, the audit log, the stored
 * state, then the bypass area's audits.
 */
import type { AuditSink } from '../audit/types.js';
import type { ResolvedConfig } from '../config/types.js';
import { publishBypasses, type BypassWiring } from '../bypass/publish.js';
import { levelsOf } from '../escalation/ladder.js';
import type { EscalationPort, EscalationTarget, PendingItem, PendingReader } from '../escalation/types.js';
import { fullName, type PrAddress } from '../github/address.js';
import type { CheckOutput, CheckWriter } from '../github/checks.js';
import type { GitHubClient } from '../github/client.js';
import type { LabelWriter } from '../github/labels.js';
import type { DroppedApprovalWriter, DroppedOnItem } from '../github/dropped-approvals.js';
import type { OpenPullFacts } from '../github/open-pulls.js';
import type { ReviewerWriter } from '../github/reviewers.js';
import type { AuditDraft, EscalationChange, ItemState } from '../policy/decide.js';
import { HITL_CHECK, type Evaluation } from '../policy/types.js';
import { escalationView, renderDroppedApprovals, renderGate, renderItemCheck } from '../report/render.js';
import type { Clock } from '../util/clock.js';
import type { EvaluatedOutcome, PullEvent, PullOutcome } from './pipeline.js';
import type { PrDecisions } from './decisions.js';
import type { PatchRecords, PrStates } from './state.js';

export interface PublishDeps {
  writers: { checks: CheckWriter; labels: LabelWriter; reviewers: ReviewerWriter; dropped: DroppedApprovalWriter };
  states: PrStates;
  decisions: PrDecisions;
  patches: PatchRecords;
  /** Each open PR's classified facts, for the policy-diff of a PR that changes `.hitl.yml`. */
  openPulls: OpenPullFacts;
  audit: AuditSink;
  escalation?: EscalationPort & PendingReader;
  bypass: BypassWiring;
  clock: Clock;
  /**
   * While Redis is unavailable, failing bypass audits (their once-markers live in Redis) are
   * deferred to the PR's next evaluation, which finds its markers unclaimed, instead of failing a
   * delivery whose checks are already posted.
   */
  degraded?: { redisDown(): boolean; warn(message: string): void };
}

const target = (pr: PrAddress, item: string): EscalationTarget => ({ installationId: pr.installationId, owner: pr.owner, repo: pr.repo, number: pr.number, item });

function checkState(verdict: Evaluation['verdict']['state']): Pick<CheckOutput, 'status' | 'conclusion'> {
  if (verdict === 'pending') return { status: 'in_progress' };
  return { status: 'completed', conclusion: verdict === 'pass' ? 'success' : 'failure' };
}

function itemCheckState(state: ItemState): Pick<CheckOutput, 'status' | 'conclusion'> {
  return checkState(state === 'pending' ? 'pending' : state === 'rejected' ? 'fail' : 'pass');
}

/** The `hitl` check and one `hitl/<checkpoint>` check per active checkpoint, with the climb as the engine has it. */
export function checkOutputs(outcome: EvaluatedOutcome, climb: readonly PendingItem[]): CheckOutput[] {
  const { plan, evaluation } = outcome;
  const view = escalationView(climb, outcome.now);
  return [
    { name: HITL_CHECK, ...checkState(evaluation.verdict.state), ...renderGate({ plan, evaluation, notes: [...outcome.notes, ...view.notes], levels: view.levels, policyDiff: outcome.policyDiff }) },
    ...evaluation.items
      .filter((i) => i.item.kind === 'checkpoint')
      .map((i): CheckOutput => ({ name: `${HITL_CHECK}/${i.item.name}`, ...itemCheckState(i.status.state), ...renderItemCheck(i) })),
  ];
}

/** One audit entry per approval a push dropped, written once: when its people are told. */
function droppedEntries(told: readonly DroppedOnItem[], configVersion: string): AuditDraft[] {
  return told.flatMap(({ item, approvals }) =>
    approvals.map((a): AuditDraft => ({
      action: 'approval_dropped',
      checkpoint: item,
      reason: a.changed ? `changed since ${a.commitSha}: ${a.changed.slice(0, 10).join(', ')}${a.changed.length > 10 ? ' …' : ''}` : `the patches of ${a.commitSha} are not on record`,
      configVersion,
      details: { approver: a.by, approved_sha: a.commitSha, ...(a.changed ? { changed_files: a.changed.length } : { patches_on_record: false }) },
    })),
  );
}

export class Publisher {
  constructor(private readonly deps: PublishDeps) {}

  async publish(event: PullEvent, outcome: PullOutcome): Promise<void> {
    const { address, github } = event;
    const { writers, states, decisions } = this.deps;
    // A head first seen with this event has no run of ours yet: the writer need not ask GitHub.
    const mayExist = !event.newHead;
    // First the facts that must outlive the comments and the payload: who pushed, what was decided.
    if (event.pusher) await decisions.addPusher(address, event.pusher, this.deps.clock());
    if (outcome.kind === 'evaluated') await decisions.record(address, outcome.record);
    switch (outcome.kind) {
      case 'closed':
        await this.escalate(address, outcome.escalation);
        await states.set(address, outcome.state);
        await this.deps.openPulls.forget(address);
        return;
      case 'invalid-config':
        await writers.checks.syncChecks(github, address, outcome.pull.headSha, [{ name: HITL_CHECK, status: 'completed', conclusion: 'failure', ...outcome.report }], mayExist);
        await this.record(address, outcome.pull.headSha, outcome.audit);
        await states.set(address, outcome.state);
        return;
      case 'evaluated':
        // A fact about this head, not a decision: recorded before the GitHub writes, which may fail.
        if (outcome.fingerprint) await this.deps.patches.set(address, outcome.pull.headSha, outcome.fingerprint);
        await this.applyCommands(address, event.comment?.login ?? '', outcome);
        await writers.checks.syncChecks(github, address, outcome.pull.headSha, checkOutputs(outcome, await this.climb(address, outcome.evaluation)), mayExist);
        await writers.labels.syncWorkflowLabel(github, address, outcome.pull, outcome.label);
        if (outcome.reviewers) await writers.reviewers.requestReviewers(github, address, outcome.pull, outcome.reviewers, outcome.reviewers.reviewed);
        const told = await writers.dropped.announce(github, address, address.number, outcome.dropped, (fresh) => renderDroppedApprovals(fresh, outcome.pull.headSha));
        await this.escalate(address, outcome.escalation, outcome.config);
        await this.record(address, outcome.pull.headSha, [...outcome.audit, ...droppedEntries(told, outcome.configVersion)]);
        await states.set(address, outcome.state);
        await this.deps.openPulls.record(address, outcome.facts);
        await this.publishBypasses(address, github, outcome);
        return;
    }
  }

  /** Records audit entries of this pull request at `headSha`. */
  async record(pr: PrAddress, headSha: string, drafts: readonly AuditDraft[]): Promise<void> {
    for (const draft of drafts) {
      await this.deps.audit.record({ at: this.deps.clock(), installationId: pr.installationId, repo: fullName(pr), pr: pr.number, headSha, actor: 'hitl', ...draft });
    }
  }

  /** What an accepted `/escalate` or `/ack` does, done before the check is written so that it shows there now. */
  private async applyCommands(pr: PrAddress, by: string, outcome: EvaluatedOutcome): Promise<void> {
    const port = this.deps.escalation;
    if (!port) return;
    for (const { parsed, judgement } of outcome.commands) {
      if (!judgement.accepted) continue;
      for (const item of judgement.items) {
        if (judgement.effect === 'escalate') await port.escalateNow(target(pr, item.name), by, (parsed.ok && parsed.command.kind === 'escalate' && parsed.command.reason) || 'asked with /escalate');
        if (judgement.effect === 'ack') await port.acknowledge(target(pr, item.name), by);
      }
    }
  }

  /** The climb of this PR's pending items as the engine keeps it (one Redis round trip). */
  private async climb(pr: PrAddress, evaluation: Evaluation): Promise<PendingItem[]> {
    const pending = evaluation.items.filter((i) => i.status.state === 'pending');
    if (!this.deps.escalation || pending.length === 0) return [];
    return this.deps.escalation.pendingFor(pending.map((i) => target(pr, i.item.name)));
  }

  /** Tells the engine which items climb (with the repository's ladder: `config`) and which stop. */
  private async escalate(pr: PrAddress, changes: readonly EscalationChange[], config?: ResolvedConfig): Promise<void> {
    const port = this.deps.escalation;
    if (!port) return;
    for (const change of changes) {
      if (change.kind === 'cancel') {
        await port.cancel(target(pr, change.item), change.reason);
        continue;
      }
      if (!config) throw new Error(`escalating ${change.item} needs the repository's config`);
      await port.ensure({ ...target(pr, change.item), since: change.since, deadline: change.deadline, escalateAt: change.escalateAt, levels: levelsOf(config), notify: config.notify });
    }
  }

  private async publishBypasses(pr: PrAddress, github: GitHubClient, outcome: EvaluatedOutcome): Promise<void> {
    try {
      await publishBypasses(this.deps.bypass, github, { ...pr, headSha: outcome.pull.headSha, configVersion: outcome.configVersion }, outcome);
    } catch (error) {
      const { degraded } = this.deps;
      if (!degraded?.redisDown()) throw error;
      degraded.warn(`${fullName(pr)}#${pr.number}: bypass auditing deferred to the next evaluation (Redis unavailable: ${(error as Error).message})`);
    }
  }
}
