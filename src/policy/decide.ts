/**
 * The decide step of the pipeline (src/pipeline): everything one evaluation of a pull request
 * calls for, from the facts the gather step read, the config, the clock, what the previous
 * evaluation stored and the commands of this event. Pure: the publish step writes what it says.
 */
import type { AuditEntry } from '../audit/types.js';
import { CONFIG_FILE, type ConfigIssue, type ResolvedConfig } from '../config/types.js';
import { renderConfigErrors, type ConfigErrorReport } from '../report/render.js';
import { judgeComment, type JudgedCommand } from './commands.js';
import { changesConfig } from './difference.js';
import { labelEvidence, type IssueEvent } from './emergency.js';
import { evaluate } from './evaluate.js';
import { commentEvidence, reviewEvidence, withRecordedDecisions, type CommentData, type HeadHistory, type RecordedDecision, type ReviewData } from './evidence.js';
import { olderHeadVerdicts, samePatches, type PatchFingerprint } from './stale.js';
import { WORKFLOW_LABEL, type Actor, type ChangedFile, type DroppedApproval, type Evaluation, type Evidence, type EvidenceEvent, type ItemStatus, type Plan, type Verdict } from './types.js';

export type ItemState = ItemStatus['state'];
export type VerdictState = Verdict['state'] | 'invalid-config';

/** What the last evaluation of a PR saw, kept between events: to audit transitions and cancel resolved timers. */
export interface PrState {
  /** `updated_at` of the pull request last evaluated: an older payload is refetched. */
  updatedAt?: string;
  /** When the gate started (opened, or ready for review after a draft). */
  startedAt?: number;
  wasDraft?: boolean;
  verdict?: VerdictState;
  items?: Record<string, ItemState>;
  heads?: HeadHistory;
}

/** The pull request's fields that move the stored state. */
export interface PullTimes {
  headSha: string;
  draft: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Heads kept per pull request: a comment is attributed to the head it was written against. */
const MAX_HEADS = 20;

/**
 * The state once this event's pull request is seen, and what classification needs of it: every
 * head seen so far (`newHead`: this event introduced it, so it dates from the payload) and when
 * the gate started (a draft starts it when it becomes ready).
 */
export function advance(stored: PrState | undefined, pull: PullTimes, now: number, newHead: boolean): { heads: HeadHistory; startedAt: number; next: PrState } {
  const state = stored ?? {};
  const heads = [...(state.heads ?? [])];
  if (!heads.some((h) => h.sha === pull.headSha)) heads.push({ sha: pull.headSha, at: newHead ? Date.parse(pull.updatedAt) : now });
  const startedAt = state.startedAt ?? (state.wasDraft ? now : Date.parse(pull.createdAt));
  const next: PrState = { ...state, updatedAt: pull.updatedAt, heads: heads.slice(-MAX_HEADS), wasDraft: state.wasDraft || pull.draft, ...(pull.draft ? {} : { startedAt }) };
  return { heads, startedAt, next };
}

/** An audit entry of this pull request, without what the publish step knows (time, place, head). */
export type AuditDraft = Omit<AuditEntry, 'at' | 'installationId' | 'repo' | 'pr' | 'headSha' | 'actor'> & { actor?: string };

/** What the escalation engine is told about one gate item. */
export type EscalationChange =
  | { kind: 'ensure'; item: string; since: number; deadline: number; escalateAt: number }
  | { kind: 'cancel'; item: string; reason: string };

export interface ClosedDecision {
  kind: 'closed';
  escalation: EscalationChange[];
  state: PrState;
}

/** A closed pull request: every item that was pending stops climbing. */
export function decideClosed(stored: PrState | undefined, updatedAt: string): ClosedDecision {
  const state = stored ?? {};
  const pending = Object.entries(state.items ?? {}).filter(([, s]) => s === 'pending');
  return {
    kind: 'closed',
    escalation: pending.map(([item]) => ({ kind: 'cancel', item, reason: 'pull request closed' })),
    state: { ...state, updatedAt, items: {} },
  };
}

export interface InvalidConfigDecision {
  kind: 'invalid-config';
  errors: ConfigIssue[];
  /** The failing `hitl` check. */
  report: ConfigErrorReport;
  audit: AuditDraft[];
  state: PrState;
}

/** An invalid config at the base keeps the gate shut and says why; the error is audited when it appears. */
export function decideInvalidConfig(stored: PrState | undefined, next: PrState, errors: ConfigIssue[], configVersion: string): InvalidConfigDecision {
  const report = renderConfigErrors(errors, CONFIG_FILE);
  const audit: AuditDraft[] = stored?.verdict === 'invalid-config' ? [] : [{ action: 'config_error', reason: report.title, configVersion }];
  return { kind: 'invalid-config', errors, report, audit, state: { ...next, verdict: 'invalid-config' } };
}

export interface EvaluationInput {
  /** The repository's owner: team review requests go only to its own teams. */
  owner: string;
  pull: { draft: boolean; body: string; baseRef: string };
  plan: Plan;
  files: readonly ChangedFile[];
  config: ResolvedConfig;
  configVersion: string;
  reviews: readonly ReviewData[];
  comments: readonly CommentData[];
  /** The people behind reviews and command comments, by lower-cased login (bots need no lookup). */
  actors: ReadonlyMap<string, Actor>;
  /** The PR's issue events when the emergency label is asked for (else empty), and its labelers by login. */
  labelEvents: readonly IssueEvent[];
  labelers: ReadonlyMap<string, Actor>;
  heads: HeadHistory;
  /** The /reject and /hold decisions recorded so far; undefined when Redis could not say (the gate then waits). */
  recorded: readonly RecordedDecision[] | undefined;
  /** This head's patch fingerprint, and those recorded in Redis of the heads approvals were given on (this one's too, when recorded). */
  patches: { current: PatchFingerprint; recorded: ReadonlyMap<string, PatchFingerprint> };
  /** The commands of this event's new comment, by the commenter. */
  command?: { actor: Actor; body: string };
  /** What the previous evaluation stored; undefined when nothing is stored (a first evaluation, or Redis lost it). */
  stored: PrState | undefined;
  /** The stored state advanced to this event's pull request (see advance). */
  next: PrState;
  now: number;
}

export interface EvaluatedDecision {
  kind: 'evaluated';
  evaluation: Evaluation;
  /** Everything the engine was given, the emergency label's events included. */
  evidence: Evidence;
  /** The emergency label's part of the evidence (empty when the label is not on the PR). */
  labelEvents: EvidenceEvent[];
  /** This event's commands, judged: what the commenter is answered, and /ack and /escalate to apply before the check is written. */
  commands: JudgedCommand[];
  /** Accepted /reject and /hold decisions not recorded yet: recorded before anything else is written. */
  record: RecordedDecision[];
  /** Lines shown above the `hitl` check's table. */
  notes: string[];
  label: string;
  /** Who is asked to review (nobody while a draft); `reviewed` are never asked again. */
  reviewers?: { users: string[]; teams: string[]; reviewed: string[] };
  /** This head's patch fingerprint, to record; absent when the same is recorded already. */
  fingerprint?: PatchFingerprint;
  /** Approvals a push made stale, per gate item: their people are asked again and told (nobody while a draft). */
  dropped: Array<{ item: string; approvals: DroppedApproval[] }>;
  escalation: EscalationChange[];
  audit: AuditDraft[];
  state: PrState;
}

export function decide(input: EvaluationInput): EvaluatedDecision {
  const { plan, config, stored, now } = input;
  const labelEvents = labelEvidence(input.labelEvents, config.bypass.emergency.label, input.pull.body, (login) => input.labelers.get(login)!);
  const fromComments = commentEvidence(input.comments, input.actors, input.heads, plan.items.map((i) => i.name));
  const decisions = withRecordedDecisions(fromComments, input.recorded ?? [], plan);
  const events = [...reviewEvidence(input.reviews, input.actors), ...decisions.events, ...labelEvents];
  const approvedHeads = [...new Set(events.flatMap((e) => (e.kind === 'approve' || (e.kind === 'review' && e.state === 'APPROVED') ? [e.commitSha] : [])))];
  const { current, recorded } = input.patches;
  const evidence: Evidence = {
    events,
    olderHeads: olderHeadVerdicts(plan.items, config, plan.pr.headSha, approvedHeads, { current, older: recorded }),
    ...(input.recorded ? {} : { decisionsUnknown: 'Redis is unavailable' }),
  };
  const evaluation = evaluate(plan, evidence, now);
  const commands = input.command ? judgeComment(input.command.body, input.command.actor, plan, evaluation) : [];
  const items = Object.fromEntries(evaluation.items.map((i) => [i.item.name, i.status.state]));
  return {
    kind: 'evaluated',
    evaluation,
    evidence,
    labelEvents,
    commands,
    record: decisions.toRecord,
    notes: changesConfig(input.files)
      ? [`This pull request changes \`${CONFIG_FILE}\`: that change is ignored here; the base branch's config (\`${input.pull.baseRef}\`) applies.`]
      : [],
    label: WORKFLOW_LABEL[evaluation.workflow],
    reviewers: input.pull.draft ? undefined : reviewersOf(evaluation, input.owner, input.reviews),
    ...(samePatches(recorded.get(plan.pr.headSha), current) ? {} : { fingerprint: current }),
    dropped: input.pull.draft ? [] : evaluation.items.flatMap((i) => (i.dropped ? [{ item: i.item.name, approvals: i.dropped }] : [])),
    // No state (a first evaluation, or one Redis lost): any item may have a timer to cancel.
    escalation: escalationOf(evaluation, input.pull.draft, stored ? (stored.items ?? {}) : undefined),
    audit: transitions(evaluation, stored ?? {}, items, input.configVersion),
    state: { ...input.next, verdict: evaluation.verdict.state, items },
  };
}

function reviewersOf(evaluation: Evaluation, owner: string, reviews: readonly ReviewData[]): EvaluatedDecision['reviewers'] {
  const members = evaluation.items.filter((i) => i.status.state === 'pending').flatMap((i) => i.item.approvers.members);
  return {
    users: members.flatMap((m) => (m.kind === 'user' ? [m.login] : [])),
    teams: members.flatMap((m) => (m.kind === 'team' && m.org === owner.toLowerCase() ? [m.slug] : [])),
    reviewed: reviews.map((r) => r.login),
  };
}

function escalationOf(evaluation: Evaluation, draft: boolean, before: Record<string, ItemState> | undefined): EscalationChange[] {
  const changes: EscalationChange[] = [];
  for (const { item, status } of evaluation.items) {
    if (status.state === 'pending' && !draft) {
      const since = status.deadline - item.timeoutMs; // the deadline is counted from when the gate started
      changes.push({ kind: 'ensure', item: item.name, since, deadline: status.deadline, escalateAt: since + item.escalateAfterMs });
    } else if (before === undefined || before[item.name] === 'pending') {
      changes.push({ kind: 'cancel', item: item.name, reason: `${item.name} is ${status.state}` });
    }
  }
  const previous = before ?? {};
  const gone = Object.keys(previous).filter((name) => previous[name] === 'pending' && !evaluation.items.some((i) => i.item.name === name));
  for (const name of gone) changes.push({ kind: 'cancel', item: name, reason: `${name} is no longer required` });
  return changes;
}

function transitions(evaluation: Evaluation, before: PrState, items: Record<string, ItemState>, configVersion: string): AuditDraft[] {
  const audit: AuditDraft[] = [];
  for (const { item, status } of evaluation.items) {
    if (before.items?.[item.name] === status.state) continue;
    // Bypasses are audited by the bypass area (src/bypass), once per decision, not here.
    if (status.state === 'pending') audit.push({ action: 'checkpoint_opened', checkpoint: item.name, configVersion });
  }
  if (before.verdict !== evaluation.verdict.state) {
    audit.push({
      action: evaluation.workflow === 'automatic' && evaluation.items.length === 0 ? 'auto_approved' : 'gate_evaluated',
      workflow: evaluation.workflow,
      reason: evaluation.verdict.summary,
      configVersion,
      details: { verdict: evaluation.verdict.state, items: Object.keys(items).length },
    });
  }
  return audit;
}
