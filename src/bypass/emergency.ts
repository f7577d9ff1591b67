/**
 * The emergency label's answer (the rules are in policy/emergency.ts): an addition that bypasses
 * nothing is replied to once and audited as a refused command.
 */
import { labelRefusal } from '../policy/emergency.js';
import type { EvidenceEvent, Plan } from '../policy/types.js';
import { fullName, type PrAddress } from '../github/address.js';
import type { GitHubClient } from '../github/client.js';
import { comment } from '../github/comments.js';
import type { BypassDeps } from './deps.js';

export function refusalComment(label: string, labeler: string, reason: string): string {
  return [
    `😕 The \`${label}\` label added by @${labeler} does not bypass the gate: ${reason}.`,
    '',
    'An emergency bypass needs someone in `bypass.emergency.allowed` and a justification: add a line',
    '`Emergency: <what is broken and why it cannot wait>` to the description, or comment `/bypass <justification>`.',
  ].join('\n');
}

export interface LabelRefusalInput {
  pr: PrAddress & { headSha: string };
  /** `bypass.emergency.label` of the resolved config. */
  label: string;
  plan: Plan;
  configVersion?: string;
}

/**
 * When the latest label addition in `evidence` bypasses nothing: replies once (per addition, so a
 * redelivered webhook does not answer twice) and audits a `command_refused`. Returns the reason.
 */
export async function answerLabelRefusal(deps: BypassDeps & { github: GitHubClient }, input: LabelRefusalInput, evidence: readonly EvidenceEvent[]): Promise<string | undefined> {
  const refused = labelRefusal(evidence, input.plan);
  if (refused === undefined) return undefined;
  const labeled = evidence[evidence.length - 1]!;
  const labeler = labeled.actor.login;
  const key = `label-refusal:${input.pr.installationId}:${fullName(input.pr)}#${input.pr.number}@${labeled.at}`;
  if (!(await deps.once.claim(key))) return refused;
  await comment(deps.github, input.pr, input.pr.number, refusalComment(input.label, labeler, refused));
  await deps.audit.record({
    at: deps.now(),
    installationId: input.pr.installationId,
    repo: fullName(input.pr),
    pr: input.pr.number,
    headSha: input.pr.headSha,
    actor: labeler,
    action: 'command_refused',
    reason: refused,
    configVersion: input.configVersion,
    details: { kind: 'emergency', via: 'label' },
  });
  return refused;
}
