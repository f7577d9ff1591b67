/**
 * Emergency override through the label (`bypass.emergency.label`). The label alone proves
 * nothing: the person who added it must be in `bypass.emergency.allowed`, so the labeler is read
 * from the pull request's issue events, never assumed to be the webhook's sender.
 *
 * Justification rule (documented for users): a line `Emergency: <justification>` in the pull
 * request description, outside code blocks, of at least 10 characters. A `/bypass <justification>`
 * comment is the other way in and needs no label. Without a justification the label bypasses
 * nothing and the app says why in a comment. Removing the label is an `unbypass`: the gate
 * comes back, whoever bypassed.
 */
import { mayBypass } from '../policy/authorize.js';
import type { Actor, EvidenceEvent, Plan } from '../policy/types.js';
import { fullName, type PrAddress } from '../github/address.js';
import type { GitHubClient } from '../github/client.js';
import { comment } from '../github/comments.js';
import { issueEvents, type IssueEvent } from '../github/issues.js';
import type { BypassDeps } from './deps.js';

export interface LabelChange {
  kind: 'labeled' | 'unlabeled';
  login: string;
  at: number;
}

const JUSTIFICATION = /^\s*emergency\s*:\s*(\S.*?)\s*$/i;
const FENCE = /^\s*(```|~~~)/;

/** The first `Emergency: …` line of a description, outside fenced code blocks; "" when there is none. */
export function justificationFromBody(body: string | null | undefined): string {
  let fenced = false;
  for (const line of (body ?? '').split(/\r?\n/)) {
    if (FENCE.test(line)) fenced = !fenced;
    const match = fenced ? null : JUSTIFICATION.exec(line);
    if (match) return match[1]!;
  }
  return '';
}

/** Who added and removed the emergency label, and when, oldest first. */
export function emergencyLabelChanges(events: readonly IssueEvent[], label: string): LabelChange[] {
  const wanted = label.toLowerCase();
  return events
    .filter((e) => (e.event === 'labeled' || e.event === 'unlabeled') && e.label?.name.toLowerCase() === wanted && e.actor)
    .map((e) => ({ kind: e.event as LabelChange['kind'], login: e.actor!.login, at: Date.parse(e.created_at) }))
    .filter((c) => !Number.isNaN(c.at))
    .sort((a, b) => a.at - b.at);
}

/**
 * Label changes as the engine's evidence: each addition is a label-sourced bypass by its labeler
 * with the description's justification (the engine checks role and length), each removal an unbypass.
 */
export function labelEvidence(changes: readonly LabelChange[], justification: string, actorOf: (login: string) => Actor): EvidenceEvent[] {
  return changes.map((change): EvidenceEvent =>
    change.kind === 'labeled'
      ? { kind: 'bypass', actor: actorOf(change.login), justification, source: 'label', at: change.at }
      : { kind: 'unbypass', actor: actorOf(change.login), at: change.at },
  );
}

/** Why the latest label addition bypasses nothing, or undefined when it does (or the label is off). */
export function labelRefusal(evidence: readonly EvidenceEvent[], plan: Plan): string | undefined {
  const last = evidence[evidence.length - 1];
  if (!last || last.kind !== 'bypass' || last.source !== 'label' || !plan.emergencyRequested) return undefined;
  const permit = mayBypass(last.actor, plan, last.justification);
  return permit.ok ? undefined : permit.reason;
}

export function refusalComment(label: string, labeler: string, reason: string): string {
  return [
    `😕 The \`${label}\` label added by @${labeler} does not bypass the gate: ${reason}.`,
    '',
    'An emergency bypass needs someone in `bypass.emergency.allowed` and a justification: add a line',
    '`Emergency: <what is broken and why it cannot wait>` to the description, or comment `/bypass <justification>`.',
  ].join('\n');
}

export interface EmergencyLabelInput {
  pr: PrAddress & { body: string | null; headSha: string };
  /** `bypass.emergency.label` of the resolved config. */
  label: string;
  /** The gate's lookup of a person's permission and teams. */
  resolveActor: (login: string) => Promise<Actor>;
}

/** Reads every label change of the PR (all pages) and turns them into evidence. */
export async function readEmergencyLabelEvidence(github: GitHubClient, input: EmergencyLabelInput): Promise<EvidenceEvent[]> {
  const events = await issueEvents(github, input.pr, input.pr.number);
  const changes = emergencyLabelChanges(events, input.label);
  const actors = new Map<string, Actor>();
  for (const login of new Set(changes.map((c) => c.login))) actors.set(login, await input.resolveActor(login));
  return labelEvidence(changes, justificationFromBody(input.pr.body), (login) => actors.get(login)!);
}

export interface LabelRefusalInput extends Pick<EmergencyLabelInput, 'pr' | 'label'> {
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

/**
 * For a `pull_request.labeled`/`unlabeled` handler that has not read the label's evidence yet:
 * the evidence to merge into the PR's Evidence before evaluating, and the refusal when the label
 * was added but bypasses nothing (the gate reads the evidence itself and calls answerLabelRefusal).
 */
export async function onEmergencyLabel(
  deps: BypassDeps & { github: GitHubClient },
  input: EmergencyLabelInput & LabelRefusalInput,
): Promise<{ evidence: EvidenceEvent[]; refused?: string }> {
  const evidence = await readEmergencyLabelEvidence(deps.github, input);
  const refused = await answerLabelRefusal(deps, input, evidence);
  return refused === undefined ? { evidence } : { evidence, refused };
}
