/**
 * Emergency override through the label (`bypass.emergency.label`). The label alone proves
 * nothing: the person who added it must be in `bypass.emergency.allowed`, so the labeler is read
 * from the pull request's issue events, never assumed to be the webhook's sender.
 *
 * Justification rule (documented for users): a line `Emergency: <justification>` in the pull
 * request description, outside code blocks, of at least 10 characters. A `/bypass <justification>`
 * comment is the other way in and needs no label. Without a justification the label bypasses
 * nothing and the app says why in a comment. Only the label's latest addition counts, and only
 * while the label is on; removing it is an `unbypass`.
 */
import { mayBypass } from './authorize.js';
import type { Actor, EvidenceEvent, Plan } from './types.js';

/** The fields of a pull request's issue events (`GET /repos/{o}/{r}/issues/{n}/events`) that are read. */
export interface IssueEvent {
  event: string;
  actor?: { login: string } | null;
  created_at: string;
  label?: { name: string } | null;
}

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
 * The label's changes that count: every removal (an unbypass, which the engine honours only from
 * someone with the standing to lift a bypass), and the latest addition while the label is on.
 * Earlier additions were ended by a removal, whoever removed it: a triage user may take the label
 * off without the standing to /unbypass, and putting it back must not revive the bypass of whoever
 * added it before.
 */
function countedChanges(events: readonly IssueEvent[], label: string): LabelChange[] {
  const changes = emergencyLabelChanges(events, label);
  const last = changes.at(-1);
  return changes.filter((change) => change.kind === 'unlabeled' || change === last);
}

/** Who made the label changes that count: the people whose standing its evidence needs. */
export const labelersOf = (events: readonly IssueEvent[], label: string): string[] => [...new Set(countedChanges(events, label).map((c) => c.login))];

/**
 * The label's changes as the engine's evidence: the latest addition (while the label is on) is a
 * label-sourced bypass by its labeler with the description's justification (`body`; the engine
 * checks role and length), each removal an unbypass. `actorOf` knows every labeler (see labelersOf).
 */
export function labelEvidence(events: readonly IssueEvent[], label: string, body: string | null | undefined, actorOf: (login: string) => Actor): EvidenceEvent[] {
  const justification = justificationFromBody(body);
  return countedChanges(events, label).map((change): EvidenceEvent =>
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
