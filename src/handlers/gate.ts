/**
 * One evaluation of one pull request, the same path for every event: gather fresh facts
 * through the adapter, classify and evaluate with the pure engine, render, and write only
 * what changed. Serialised per PR; decisions go to the audit sink, pending items to the
 * escalation port.
 */
import type { AuditEntry, AuditSink } from '../audit/types.js';
import type { ConfigIssue, ResolvedConfig } from '../config/types.js';
import type { EscalationPort, EscalationTarget, PendingItem, PendingReader } from '../escalation/types.js';
import { classify } from '../policy/classify.js';
import { evaluate } from '../policy/evaluate.js';
import { WORKFLOW_LABEL, type Actor, type Evaluation, type Evidence, type EvidenceEvent, type Plan } from '../policy/types.js';
import { escalationView, renderConfigErrors, renderGate, renderItemCheck } from '../report/render.js';
import type { Clock } from '../util/clock.js';
import { DAY, type Cache } from '../github/cache.js';
import { levelsOf } from '../escalation/ladder.js';
import { CONFIG_FILE, type ConfigReader } from '../github/config.js';
import type { RepoRef } from '../github/address.js';
import { AGGREGATE_CHECK, type CheckOutput, type CheckWriter } from '../github/checks.js';
import type { GitHubClient } from '../github/client.js';
import type { LabelWriter } from '../github/labels.js';
import { teamsOf, type PeopleReader, type TeamRef } from '../github/people.js';
import type { CommentData, PullData, PullReader, ReviewData } from '../github/pulls.js';
import type { ReviewerWriter } from '../github/reviewers.js';
import { factsOf } from '../policy/facts.js';
import { commandComments, commentEvidence, reviewEvidence, type HeadHistory, type LabelEvidence } from './evidence.js';
import type { PrLock } from './lock.js';

export interface GateDeps {
  cache: Cache;
  config: ConfigReader;
  pulls: PullReader;
  people: PeopleReader;
  writers: { checks: CheckWriter; labels: LabelWriter; reviewers: ReviewerWriter };
  lock: PrLock;
  audit: AuditSink;
  escalation?: EscalationPort & PendingReader;
  labelEvidence: LabelEvidence;
  clock: Clock;
  /**
   * Runs after every evaluation, still under the PR's lock (bypass auditing, maintenance
   * windows: see bypass.ts), with the evidence that was evaluated.
   */
  afterEvaluation?: (request: GateRequest, result: Evaluated) => Promise<void>;
  /**
   * While Redis is unavailable, a failing afterEvaluation (its once-markers live in Redis) is
   * deferred to the PR's next evaluation, which finds its markers unclaimed, instead of failing
   * a delivery whose checks are already posted.
   */
  degraded?: { redisDown(): boolean; warn(message: string): void };
}

export interface GateRequest {
  octokit: GitHubClient;
  installationId: number;
  ref: RepoRef;
  number: number;
  /** The pull request from a complete payload; fetched when absent or possibly stale. */
  pull?: PullData;
  /** This event introduced the head SHA (opened, synchronize): no check run of ours can exist on it yet. */
  newHead?: boolean;
  /** Opened: there are no reviews or comments yet, so none are read. */
  noHistory?: boolean;
  /**
   * Runs under the PR's lock once evaluated, before anything is written: what a command does to
   * the escalation (`/ack`, `/escalate`) shows in this evaluation's check, not one event later.
   */
  beforeRender?: (result: Evaluated) => Promise<void>;
}

export interface Evaluated {
  kind: 'evaluated';
  pull: PullData;
  plan: Plan;
  evaluation: Evaluation;
  /** Everything the engine was given, the emergency label's events included. */
  evidence: Evidence;
  /** The emergency label's part of the evidence (empty when the label is not on the PR). */
  labelEvents: EvidenceEvent[];
  actors: Map<string, Actor>;
  config: ResolvedConfig;
  configVersion: string;
}

export type GateResult =
  | { kind: 'closed'; pull: PullData }
  | { kind: 'invalid-config'; pull: PullData; errors: ConfigIssue[] }
  | Evaluated;

/** What the last evaluation of a PR saw, to audit transitions and cancel resolved timers. */
interface PrState {
  updatedAt?: string;
  startedAt?: number;
  wasDraft?: boolean;
  verdict?: string;
  items?: Record<string, string>;
  heads?: HeadHistory;
}

const teamsNamed = (plan: Plan): TeamRef[] => teamsOf([...plan.items.flatMap((i) => i.approvers.members), ...plan.emergency.allowed]);

export class Gate {
  constructor(private readonly deps: GateDeps) {}

  stateKey(ref: RepoRef, number: number): string {
    return this.deps.cache.key('pr', `${ref.owner}/${ref.repo}`.toLowerCase(), number);
  }

  target(request: Pick<GateRequest, 'installationId' | 'ref' | 'number'>, item: string): EscalationTarget {
    return { installationId: request.installationId, owner: request.ref.owner, repo: request.ref.repo, number: request.number, item };
  }

  /** The base branch's config as evaluations read it (for a closed PR, which is not evaluated). */
  loadConfig(request: Pick<GateRequest, 'octokit' | 'ref'>, baseRef: string) {
    return this.deps.config.load(request.octokit, request.ref.owner, request.ref.repo, baseRef);
  }

  run(request: GateRequest): Promise<GateResult> {
    return this.deps.lock.run(`${this.stateKey(request.ref, request.number)}:lock`, (waited) => this.evaluateLocked(request, waited));
  }

  private async evaluateLocked(request: GateRequest, waited: boolean): Promise<GateResult> {
    const { octokit, ref, number } = request;
    const { cache, pulls: reader, writers } = this.deps;
    const key = this.stateKey(ref, number);
    const stored = await cache.getJson<PrState>(key);
    const state = stored ?? {};
    // A payload that waited behind another event, or is older than what was evaluated last, is refetched.
    const stale = !request.pull || waited || (state.updatedAt !== undefined && request.pull.updatedAt < state.updatedAt);
    const pull = stale ? await reader.pull(octokit, ref, number) : request.pull!;
    const now = this.deps.clock();
    if (!pull.open) {
      await this.cancelAll(request, state, 'pull request closed');
      await cache.setJson(key, { ...state, updatedAt: pull.updatedAt, items: {} }, 30 * DAY);
      return { kind: 'closed', pull };
    }

    const heads = state.heads ?? [];
    if (!heads.some((h) => h.sha === pull.headSha)) {
      heads.push({ sha: pull.headSha, at: request.newHead ? Date.parse(pull.updatedAt) : now });
    }
    const startedAt = state.startedAt ?? (state.wasDraft ? now : Date.parse(pull.createdAt));
    const next: PrState = { ...state, updatedAt: pull.updatedAt, heads: heads.slice(-20), wasDraft: state.wasDraft || pull.draft, ...(pull.draft ? {} : { startedAt }) };
    const mayExist = !request.newHead;

    const loaded = await this.deps.config.load(octokit, ref.owner, ref.repo, pull.baseRef);
    if (!loaded.result.ok) {
      const errors = loaded.result.errors;
      const report = renderConfigErrors(errors, CONFIG_FILE);
      const output: CheckOutput = { name: AGGREGATE_CHECK, status: 'completed', conclusion: 'failure', ...report };
      await writers.checks.syncChecks(octokit, ref, pull.headSha, [output], mayExist);
      if (state.verdict !== 'invalid-config') {
        await this.record(request, pull, { action: 'config_error', reason: report.title, configVersion: loaded.version });
      }
      await cache.setJson(key, { ...next, verdict: 'invalid-config' }, 30 * DAY);
      return { kind: 'invalid-config', pull, errors };
    }
    const config = loaded.result.config;

    const files = await reader.files(octokit, ref, pull);
    const facts = factsOf(pull, files, startedAt);
    const plan = classify(facts, config);

    const reviews = request.noHistory ? [] : await reader.reviews(octokit, ref, number);
    const comments = request.noHistory ? [] : await reader.comments(octokit, ref, number);
    const actors = await this.lookUpActors(request, plan, reviews, comments);
    const labelEvents = plan.emergencyRequested
      ? await this.deps.labelEvidence(octokit, {
          pr: { installationId: request.installationId, ...ref, number, body: pull.body, headSha: pull.headSha },
          label: config.bypass.emergency.label,
          resolveActor: (login) => this.actor(request, plan, login, false),
        })
      : [];
    const evidence: Evidence = {
      events: [...reviewEvidence(reviews, actors), ...commentEvidence(comments, actors, heads, plan.items.map((i) => i.name)), ...labelEvents],
    };
    const evaluation = evaluate(plan, evidence, now);
    const result: Evaluated = { kind: 'evaluated', pull, plan, evaluation, evidence, labelEvents, actors, config, configVersion: loaded.version };
    await request.beforeRender?.(result);
    const escalation = escalationView(await this.escalationOf(request, evaluation), now);

    const notes = files.some((f) => f.path === CONFIG_FILE || f.previousPath === CONFIG_FILE)
      ? [`This pull request changes \`${CONFIG_FILE}\`: that change is ignored here; the base branch's config (\`${pull.baseRef}\`) applies.`]
      : [];
    notes.push(...escalation.notes);
    const outputs: CheckOutput[] = [
      { name: AGGREGATE_CHECK, ...checkState(evaluation.verdict.state), ...renderGate({ plan, evaluation, notes, levels: escalation.levels }) },
      ...evaluation.items
        .filter((i) => i.item.kind === 'checkpoint')
        .map((i): CheckOutput => ({ name: `${AGGREGATE_CHECK}/${i.item.name}`, ...itemCheckState(i.status.state), ...renderItemCheck(i) })),
    ];
    await writers.checks.syncChecks(octokit, ref, pull.headSha, outputs, mayExist);
    await writers.labels.syncWorkflowLabel(octokit, ref, pull, WORKFLOW_LABEL[evaluation.workflow]);

    const pending = evaluation.items.filter((i) => i.status.state === 'pending');
    if (!pull.draft) {
      const members = pending.flatMap((i) => i.item.approvers.members);
      await writers.reviewers.requestReviewers(
        octokit,
        ref,
        pull,
        {
          users: members.flatMap((m) => (m.kind === 'user' ? [m.login] : [])),
          teams: members.flatMap((m) => (m.kind === 'team' && m.org === ref.owner.toLowerCase() ? [m.slug] : [])),
        },
        reviews.map((r) => r.login),
      );
    }

    const items = Object.fromEntries(evaluation.items.map((i) => [i.item.name, i.status.state]));
    // No state (a first evaluation, or one Redis lost): any item may have a timer to cancel.
    await this.syncEscalation(request, pull, config, evaluation, stored ? (state.items ?? {}) : undefined);
    await this.auditTransitions(request, pull, evaluation, state, items, loaded.version);
    await cache.setJson(key, { ...next, verdict: evaluation.verdict.state, items }, 30 * DAY);
    await this.afterEvaluation(request, result);
    return result;
  }

  private async afterEvaluation(request: GateRequest, result: Evaluated): Promise<void> {
    try {
      await this.deps.afterEvaluation?.(request, result);
    } catch (error) {
      const { degraded } = this.deps;
      if (!degraded?.redisDown()) throw error;
      degraded.warn(`${request.ref.owner}/${request.ref.repo}#${request.number}: bypass auditing deferred to the next evaluation (Redis unavailable: ${(error as Error).message})`);
    }
  }

  private async lookUpActors(request: GateRequest, plan: Plan, reviews: ReviewData[], comments: CommentData[]): Promise<Map<string, Actor>> {
    const people = new Map<string, boolean>();
    for (const r of reviews) people.set(r.login, r.isBot);
    for (const c of commandComments(comments)) people.set(c.login, c.isBot);
    const teams = teamsNamed(plan);
    const actors = new Map<string, Actor>();
    for (const [login, isBot] of people) {
      // Bots never count, whatever their permission: no lookup needed.
      const actor = isBot ? { login, isBot, permission: 'none' as const, teams: [] } : await this.deps.people.actor(request.octokit, request.ref, login, isBot, teams);
      actors.set(login.toLowerCase(), actor);
    }
    return actors;
  }

  /** A person not seen on the PR yet (e.g. a comment the listing did not return yet). */
  actor(request: GateRequest, plan: Plan, login: string, isBot: boolean): Promise<Actor> {
    return this.deps.people.actor(request.octokit, request.ref, login, isBot, teamsNamed(plan));
  }

  /** The climb of this PR's pending items as the engine keeps it (one Redis round trip). */
  private async escalationOf(request: GateRequest, evaluation: Evaluation): Promise<PendingItem[]> {
    const pending = evaluation.items.filter((i) => i.status.state === 'pending');
    if (!this.deps.escalation || pending.length === 0) return [];
    return this.deps.escalation.pendingFor(pending.map((i) => this.target(request, i.item.name)));
  }

  private async syncEscalation(request: GateRequest, pull: PullData, config: ResolvedConfig, evaluation: Evaluation, before: Record<string, string> | undefined): Promise<void> {
    const port = this.deps.escalation;
    if (!port) return;
    for (const { item, status } of evaluation.items) {
      if (status.state === 'pending' && !pull.draft) {
        const since = status.deadline - item.timeoutMs; // the deadline is counted from when the gate started
        await port.ensure({
          ...this.target(request, item.name),
          since,
          deadline: status.deadline,
          escalateAt: since + item.escalateAfterMs,
          levels: levelsOf(config),
          notify: config.notify,
        });
      } else if (before === undefined || before[item.name] === 'pending') {
        await port.cancel(this.target(request, item.name), `${item.name} is ${status.state}`);
      }
    }
    const previous = before ?? {};
    const gone = Object.keys(previous).filter((name) => previous[name] === 'pending' && !evaluation.items.some((i) => i.item.name === name));
    for (const name of gone) await port.cancel(this.target(request, name), `${name} is no longer required`);
  }

  private async cancelAll(request: GateRequest, state: PrState, reason: string): Promise<void> {
    const pending = Object.entries(state.items ?? {}).filter(([, s]) => s === 'pending');
    for (const [name] of pending) await this.deps.escalation?.cancel(this.target(request, name), reason);
  }

  private async auditTransitions(request: GateRequest, pull: PullData, evaluation: Evaluation, before: PrState, items: Record<string, string>, configVersion: string): Promise<void> {
    for (const { item, status } of evaluation.items) {
      if (before.items?.[item.name] === status.state) continue;
      // Bypasses are audited by afterEvaluation (src/bypass), once per decision, not here.
      if (status.state === 'pending') await this.record(request, pull, { action: 'checkpoint_opened', checkpoint: item.name, configVersion });
    }
    if (before.verdict !== evaluation.verdict.state) {
      await this.record(request, pull, {
        action: evaluation.workflow === 'automatic' && evaluation.items.length === 0 ? 'auto_approved' : 'gate_evaluated',
        workflow: evaluation.workflow,
        reason: evaluation.verdict.summary,
        configVersion,
        details: { verdict: evaluation.verdict.state, items: Object.keys(items).length },
      });
    }
  }

  async record(request: Pick<GateRequest, 'installationId' | 'ref' | 'number'>, pull: PullData, entry: Omit<AuditEntry, 'at' | 'installationId' | 'repo' | 'actor'> & { actor?: string }): Promise<void> {
    await this.deps.audit.record({
      at: this.deps.clock(),
      installationId: request.installationId,
      repo: `${request.ref.owner}/${request.ref.repo}`,
      pr: request.number,
      headSha: pull.headSha,
      actor: 'hitl',
      ...entry,
    });
  }
}

function checkState(verdict: Evaluation['verdict']['state']): Pick<CheckOutput, 'status' | 'conclusion'> {
  if (verdict === 'pending') return { status: 'in_progress' };
  return { status: 'completed', conclusion: verdict === 'pass' ? 'success' : 'failure' };
}

function itemCheckState(state: string): Pick<CheckOutput, 'status' | 'conclusion'> {
  return checkState(state === 'pending' ? 'pending' : state === 'rejected' ? 'fail' : 'pass');
}
