/**
 * One evaluation of one pull request, the same path for every event, in three named steps under
 * the PR's lock: gather (gather.ts: read through a per-event PullContext), decide (policy/decide.ts:
 * pure) and publish (publish.ts: write only what changed). Handlers call run() and answer from
 * its outcome after the lock; nothing calls back into them.
 */
import type { ResolvedConfig } from '../config/types.js';
import type { PrAddress } from '../github/address.js';
import type { GitHubClient } from '../github/client.js';
import { ORG_CONFIG_REPO } from '../github/config.js';
import { teamsOf, type TeamRef } from '../github/people.js';
import type { PullData } from '../github/pulls.js';
import type { Readers } from '../github/readers.js';
import type { PrLock } from './lock.js';
import { classify } from '../policy/classify.js';
import { advance, decide, decideClosed, decideInvalidConfig, type ClosedDecision, type EvaluatedDecision, type InvalidConfigDecision, type PrState } from '../policy/decide.js';
import { changesConfig, policyDiff, type PolicyDiff } from '../policy/difference.js';
import { labelersOf } from '../policy/emergency.js';
import { commandComments, type CommentData, type ReviewData } from '../policy/evidence.js';
import { factsOf } from '../policy/facts.js';
import { approvedHeadsOf, fingerprintOf } from '../policy/stale.js';
import type { Actor, Plan, PrFacts } from '../policy/types.js';
import type { Clock } from '../util/clock.js';
import { GitHubPullContext, type PullContext } from './gather.js';
import type { Publisher } from './publish.js';
import type { PrDecisions, PrRecord } from './decisions.js';
import type { PatchRecords, PrStates } from './state.js';

/** What an event tells the pipeline beyond the pull request's address. */
export interface PullEventFacts {
  /** The pull request from a complete payload; fetched when absent or possibly stale. */
  pull?: PullData;
  /** This event introduced the head SHA (opened, synchronize): no check run of ours can exist on it yet. */
  newHead?: boolean;
  /** Opened: there are no reviews or comments yet, so none are read. */
  opened?: boolean;
  /** A new comment's commands: judged by decide, and what /ack and /escalate do shows on this evaluation's check. */
  comment?: { login: string; body: string };
  /** Who pushed this event's new head (`synchronize`'s sender): recorded, never an approver of the PR. */
  pusher?: string;
}

export interface PullEvent extends PullEventFacts {
  address: PrAddress;
  github: GitHubClient;
}

interface Seen {
  pull: PullData;
}

export type ClosedOutcome = ClosedDecision & Seen;
export type InvalidConfigOutcome = InvalidConfigDecision & Seen & { configVersion: string };
export type EvaluatedOutcome = EvaluatedDecision &
  Seen & {
    plan: Plan;
    /** What classification read, kept for the policy-diff of other pull requests. */
    facts: PrFacts;
    /** Only on a pull request that changes `.hitl.yml`: the other open PRs its file would gate differently. */
    policyDiff?: PolicyDiff;
    config: ResolvedConfig;
    configVersion: string;
    now: number;
  };
export type PullOutcome = ClosedOutcome | InvalidConfigOutcome | EvaluatedOutcome;

const teamsNamed = (plan: Plan): TeamRef[] => teamsOf([...plan.items.flatMap((i) => i.approvers.members), ...plan.emergency.allowed]);

/** The people behind reviews and command comments, by lower-cased login; bots never count, so they are not looked up. */
async function lookUpActors(ctx: PullContext, reviews: readonly ReviewData[], comments: readonly CommentData[], teams: readonly TeamRef[]): Promise<Map<string, Actor>> {
  const people = new Map<string, boolean>();
  for (const r of reviews) people.set(r.login, r.isBot);
  for (const c of commandComments(comments)) people.set(c.login, c.isBot);
  const actors = new Map<string, Actor>();
  for (const [login, isBot] of people) {
    const actor = isBot ? { login, isBot, permission: 'none' as const, teams: [] } : await ctx.actor(login, isBot, teams);
    actors.set(login.toLowerCase(), actor);
  }
  return actors;
}

/** Whether anything on the PR could approve it (an approving review, a command by someone else than the author): only then do pushers matter. */
function anApprovalMayCount(reviews: readonly ReviewData[], comments: readonly CommentData[], author: string): boolean {
  const other = (login: string) => login.toLowerCase() !== author.toLowerCase();
  return reviews.some((r) => r.state === 'APPROVED' && !r.isBot && other(r.login)) || commandComments(comments).some((c) => other(c.login));
}

/**
 * Who may not approve for having written the code: the pushers recorded so far and this event's,
 * and the authors and committers of the head's commits (read only when an approval could count).
 */
async function pushersOf(ctx: PullContext, pull: PullData, record: PrRecord | undefined, event: PullEventFacts, approvals: boolean): Promise<string[]> {
  const pushers = new Set(record?.pushers ?? []);
  if (event.pusher) pushers.add(event.pusher.toLowerCase());
  if (approvals) for (const login of await ctx.commitLogins(pull)) pushers.add(login);
  return [...pushers];
}

/**
 * What the `.hitl.yml` at the pull request's head would change for the other open pull requests
 * into its base, from their stored facts: one read of the proposed file, none of the other PRs.
 */
async function policyDiffOf(ctx: PullContext, pull: PullData, current: ResolvedConfig): Promise<PolicyDiff> {
  const proposed = await ctx.proposedConfig(pull.headSha);
  if (!proposed.result.ok) return { kind: 'invalid', errors: proposed.result.errors };
  const open = await ctx.openPulls();
  if (!open) return { kind: 'unavailable' };
  const diff = policyDiff(open.filter((p) => p.number !== pull.number), pull.baseRef, current, proposed.result.config);
  return ctx.address.repo.toLowerCase() === ORG_CONFIG_REPO ? { ...diff, orgDefaults: true } : diff;
}

/**
 * Gather and decide, without writing anything: reads only what can change the answer (no reviews
 * on a PR just opened, label events only while the emergency label is asked for, commits only when
 * an approval could count). `record`: the PR's recorded decisions and pushers, undefined when
 * Redis could not say (the gate then waits).
 */
export async function assess(ctx: PullContext, event: PullEventFacts, stored: PrState | undefined, waited: boolean, now: number, record: PrRecord | undefined): Promise<PullOutcome> {
  // A payload that waited behind another event, or is not newer than what was evaluated last, is
  // refetched: GitHub stamps updated_at to the second, so one from the same second may be the older.
  const stale = !event.pull || waited || (stored?.updatedAt !== undefined && event.pull.updatedAt <= stored.updatedAt);
  const pull = stale ? await ctx.pull() : event.pull!;
  if (!pull.open) return { ...decideClosed(stored, pull.updatedAt), pull };
  const { heads, startedAt, next } = advance(stored, pull, now, event.newHead ?? false);

  const loaded = await ctx.config(pull.baseRef);
  if (!loaded.result.ok) return { ...decideInvalidConfig(stored, next, loaded.result.errors, loaded.version), pull, configVersion: loaded.version };
  const config = loaded.result.config;
  const files = await ctx.files(pull);
  const reviews = event.opened ? [] : await ctx.reviews();
  const comments = event.opened ? [] : await ctx.comments();
  const pushers = await pushersOf(ctx, pull, record, event, anApprovalMayCount(reviews, comments, pull.author));
  const facts = { ...factsOf(pull, files, startedAt), pushers };
  const plan = classify(facts, config);
  const proposal = changesConfig(files) ? await policyDiffOf(ctx, pull, config) : undefined;

  const teams = teamsNamed(plan);
  const actors = await lookUpActors(ctx, reviews, comments, teams);
  const labelEvents = plan.emergencyRequested ? await ctx.labelEvents() : [];
  const labelers = new Map<string, Actor>();
  for (const login of labelersOf(labelEvents, config.bypass.emergency.label)) labelers.set(login, await ctx.actor(login, false, teams));
  // Fingerprints of older heads matter only where a push may drop approvals; this head's is read to write it once.
  const current = fingerprintOf(files, pull.totals?.changedFiles);
  const olderHeads = plan.items.some((i) => i.dismissStaleApprovals !== false) ? approvedHeadsOf(reviews, comments, heads, pull.headSha) : [];
  const recorded = await ctx.recordedPatches([pull.headSha, ...olderHeads]);
  const commenter = event.comment && (actors.get(event.comment.login.toLowerCase()) ?? (await ctx.actor(event.comment.login, false, teams)));

  const decision = decide({
    owner: ctx.address.owner,
    pull,
    plan,
    files,
    config,
    configVersion: loaded.version,
    reviews,
    comments,
    actors,
    labelEvents,
    labelers,
    heads,
    recorded: record?.decisions,
    patches: { current, recorded },
    command: event.comment && commenter ? { actor: commenter, body: event.comment.body } : undefined,
    stored,
    next,
    now,
  });
  return { ...decision, pull, plan, facts, ...(proposal ? { policyDiff: proposal } : {}), config, configVersion: loaded.version, now };
}

export interface PipelineDeps {
  readers: Pick<Readers, 'config' | 'pulls' | 'people' | 'openPulls'>;
  states: PrStates;
  decisions: PrDecisions;
  patches: PatchRecords;
  lock: PrLock;
  publisher: Publisher;
  clock: Clock;
}

export class PullPipeline {
  constructor(private readonly deps: PipelineDeps) {}

  /** Evaluates the pull request, serialised per PR across events and processes. */
  run(event: PullEvent): Promise<PullOutcome> {
    const { states, decisions, patches, lock, readers, publisher, clock } = this.deps;
    return lock.run(`${states.key(event.address)}:lock`, async (waited) => {
      const stored = await states.get(event.address);
      const record = await decisions.read(event.address);
      const outcome = await assess(new GitHubPullContext(event.address, event.github, readers, patches), event, stored, waited, clock(), record);
      await publisher.publish(event, outcome);
      return outcome;
    });
  }
}
