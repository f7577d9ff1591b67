/**
 * Turns what is on a pull request (reviews, command comments, recorded decisions) into the
 * engine's evidence. Pure: actors were looked up before; commands are rebuilt from comments on
 * every evaluation, and an edited comment's commands are ignored (as policy-bot does), but an
 * accepted /reject or /hold is recorded when first seen and counts from its record ever after:
 * editing or deleting its comment lifts nothing.
 */
import { mayApprove, mayHold } from './authorize.js';
import { parseCommands, type Command } from '../commands/parse.js';
import type { Actor, EvidenceEvent, Plan } from './types.js';

/** A review as the gate reads it. */
export interface ReviewData {
  login: string;
  isBot: boolean;
  state: string;
  commitSha: string;
  at: number;
}

/** A comment on the pull request's conversation as the gate reads it. */
export interface CommentData {
  id: number;
  login: string;
  isBot: boolean;
  body: string;
  createdAt: number;
  edited: boolean;
}

/** The head SHAs of a PR with the time each was first seen, oldest first. */
export type HeadHistory = Array<{ sha: string; at: number }>;

const wholeSecond = (ms: number) => Math.floor(ms / 1000);

/**
 * The head a comment was written against: the last one seen in an earlier second ("unknown"
 * before any). GitHub stamps comments and pushes to the second, so a comment in a push's second
 * may predate it: it belongs to the older head, and cannot approve code it may not have seen.
 */
export function headAt(history: HeadHistory, at: number): string {
  let sha = 'unknown';
  for (const head of history) if (wholeSecond(head.at) < wholeSecond(at)) sha = head.sha;
  return sha;
}

/** Comments whose commands count: new (not edited) and by people, not bots. */
export const commandComments = (comments: readonly CommentData[]) => comments.filter((c) => !c.edited && !c.isBot && parseCommands(c.body).length > 0);

export function reviewEvidence(reviews: readonly ReviewData[], actors: ReadonlyMap<string, Actor>): EvidenceEvent[] {
  return reviews.flatMap((r): EvidenceEvent[] => {
    const actor = actors.get(r.login.toLowerCase());
    if (!actor || (r.state !== 'APPROVED' && r.state !== 'CHANGES_REQUESTED' && r.state !== 'DISMISSED')) return [];
    return [{ kind: 'review', actor, state: r.state, commitSha: r.commitSha, at: r.at }];
  });
}

function commandEvidence(command: Command, actor: Actor, at: number, commitSha: string): EvidenceEvent | undefined {
  switch (command.kind) {
    case 'approve':
      return { kind: 'approve', actor, checkpoint: command.checkpoint, commitSha, at };
    case 'reject':
      return { kind: 'reject', actor, checkpoint: command.checkpoint, reason: command.reason, at };
    case 'hold':
    case 'unhold':
    case 'unbypass':
      return { kind: command.kind, actor, at };
    case 'bypass':
      return { kind: 'bypass', actor, justification: command.justification, source: 'command', at };
    default:
      return undefined; // status, help, escalate and ack change no evidence
  }
}

/** One command's evidence, keyed by where it was written: `<comment id>/<index of the command in it>`. */
export interface CommentEvidence {
  key: string;
  commentId: number;
  event: EvidenceEvent;
}

/** A decision that sticks once accepted (product.md §4). */
export type StickyEvent = Extract<EvidenceEvent, { kind: 'reject' | 'hold' }>;

/** An accepted /reject or /hold as recorded when it was made, with the maker's standing at that moment. */
export interface RecordedDecision extends CommentEvidence {
  event: StickyEvent;
}

export function commentEvidence(
  comments: readonly CommentData[],
  actors: ReadonlyMap<string, Actor>,
  heads: HeadHistory,
  knownCheckpoints: readonly string[],
): CommentEvidence[] {
  return commandComments(comments).flatMap((c) => {
    const actor = actors.get(c.login.toLowerCase());
    if (!actor) return [];
    return parseCommands(c.body, knownCheckpoints).flatMap((parsed, index) => {
      const event = parsed.ok ? commandEvidence(parsed.command, actor, c.createdAt, headAt(heads, c.createdAt)) : undefined;
      return event ? [{ key: `${c.id}/${index}`, commentId: c.id, event }] : [];
    });
  });
}

/** Whether a /reject or /hold counts (the same permits the engine applies), so that it is worth recording. */
function accepted(event: StickyEvent, plan: Plan): boolean {
  if (event.kind === 'hold') return mayHold(event.actor).ok;
  const targets = plan.items.filter((item) => event.checkpoint === undefined || item.name.toLowerCase() === event.checkpoint.toLowerCase());
  return targets.some((item) => mayApprove(event.actor, item, plan.pr.author).ok);
}

/**
 * The comments' evidence merged with the recorded decisions (a record replaces its comment's
 * evidence, whatever became of the comment), and the accepted decisions not recorded yet.
 */
export function withRecordedDecisions(fromComments: readonly CommentEvidence[], recorded: readonly RecordedDecision[], plan: Plan): { events: EvidenceEvent[]; toRecord: RecordedDecision[] } {
  const known = new Set(recorded.map((d) => d.key));
  const fresh = fromComments.filter((c) => !known.has(c.key));
  const toRecord = fresh.flatMap((c): RecordedDecision[] => ((c.event.kind === 'reject' || c.event.kind === 'hold') && accepted(c.event, plan) ? [{ ...c, event: c.event }] : []));
  return { events: [...fresh.map((c) => c.event), ...recorded.map((d) => d.event)], toRecord };
}
