/**
 * The gate's side of bypasses (src/bypass): after every evaluation, each bypass is audited once and
 * open maintenance windows approve in their name; the emergency label's refusals are answered; a
 * merge is checked for compliance and, after an emergency bypass, gets its post-implementation review.
 */
import type { Queue } from 'bullmq';
import { auditBypasses, recordOnce, type GateRef } from '../bypass/audit-evaluation.js';
import { answerLabelRefusal } from '../bypass/emergency.js';
import type { BypassDeps } from '../bypass/github.js';
import { approvalEntries, onWindowApproval, windowApprovals } from '../bypass/maintenance.js';
import { mergedPrFromPayload, onPullRequestMerged, type ClosedPayload } from '../bypass/merged.js';
import type { ResolvedConfig } from '../config/types.js';
import { levelsOf } from '../escalation/ladder.js';
import type { DirectEscalation, EscalationTarget } from '../escalation/types.js';
import type { Octokit } from '../github/counter.js';
import type { Evaluated, GateRequest } from './gate.js';

export interface BypassWiring extends BypassDeps {
  /** The maintenance queue (MAINTENANCE_QUEUE); without it window approvals are audited but nobody is told. */
  queue?: Queue;
}

const gateRefOf = (request: Pick<GateRequest, 'installationId' | 'ref' | 'number'>, result: Evaluated): GateRef => ({
  installationId: request.installationId,
  ...request.ref,
  number: request.number,
  headSha: result.pull.headSha,
  configVersion: result.configVersion,
});

/** The gate's afterEvaluation hook. */
export function auditEvaluation(bypass: BypassWiring) {
  return async (request: GateRequest, result: Evaluated): Promise<void> => {
    const gate = gateRefOf(request, result);
    await auditBypasses(bypass, result.evaluation, gate, result.evidence);
    for (const approval of windowApprovals(result.plan, result.evaluation, bypass.now())) {
      if (bypass.queue) await onWindowApproval({ ...bypass, queue: bypass.queue, github: request.octokit }, gate, approval);
      else await recordOnce(bypass, approvalEntries(approval, gate, bypass.now()));
    }
  };
}

/** After `pull_request.labeled`/`unlabeled` of the emergency label was evaluated: a refused addition is answered. */
export async function answerEmergencyLabel(bypass: BypassDeps, request: Pick<GateRequest, 'octokit' | 'installationId' | 'ref' | 'number'>, result: Evaluated, label: string): Promise<void> {
  if (label.toLowerCase() !== result.config.bypass.emergency.label) return;
  const pr = { installationId: request.installationId, ...request.ref, number: request.number, body: result.pull.body, headSha: result.pull.headSha };
  await answerLabelRefusal({ ...bypass, github: request.octokit }, {
    pr,
    label: result.config.bypass.emergency.label,
    plan: result.plan,
    configVersion: result.configVersion,
  }, result.labelEvents);
}

/** Binds the repository's ladder to the engine's escalateTo, for compliance (which knows only the target). */
export function complianceEscalation(escalation: DirectEscalation | undefined, config: ResolvedConfig, now: number) {
  return {
    async escalateTo(target: EscalationTarget, level: number, by: string, reason: string): Promise<unknown> {
      if (!escalation) return undefined;
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
  github: Octokit,
  payload: ClosedPayload,
  loaded: { config: ResolvedConfig; version: string },
): Promise<void> {
  const pr = mergedPrFromPayload(payload, loaded.version);
  if (!pr) return;
  await onPullRequestMerged({ ...bypass, github, escalation: complianceEscalation(escalation, loaded.config, bypass.now()) }, pr, {
    postReview: loaded.config.bypass.emergency.postReview,
  });
}
