/**
 * The Probot app factory: wires the GitHub adapter, the gate and one small handler per event.
 * Every event is handled once per delivery id, through a client whose writes are spaced and
 * whose GitHub reads and writes are counted.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Context, Probot } from 'probot';
import type { AuditReader, AuditSink } from '../audit/types.js';
import { OnceMarkers } from '../bypass/once.js';
import type { DirectEscalation, PendingReader, Diagnostics, EscalationPort, EscalationTarget, GateAnswer, GatePort } from '../escalation/types.js';
import type { ResolvedConfig } from '../config/types.js';
import type { GateItem, ItemStatus } from '../policy/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { Cache } from '../github/cache.js';
import { RedisFallback } from '../github/fallback.js';
import { mentionsOf, roleMentionsOf } from '../escalation/ladder.js';
import { RetryingEscalation } from '../escalation/retry.js';
import { CheckWriter } from '../github/checks.js';
import type { InstallationClients } from '../github/client.js';
import { newCounter, type CallCounter } from '../github/counter.js';
import { LabelWriter } from '../github/labels.js';
import { readersOn, type Readers } from '../github/readers.js';
import { ReviewerWriter } from '../github/reviewers.js';
import { onCheckRun } from './check-run.js';
import { onComment } from './comment.js';
import { dedupeKey, DeliveryMemory, handleOnce } from './dedupe.js';
import { complianceGateAnswer } from '../bypass/compliance.js';
import { rollbackGateAnswer } from '../deployments/rollback.js';
import { PendingDeployments, RollbackRecords } from '../deployments/store.js';
import { auditEvaluation, type BypassWiring } from './bypass.js';
import { onDeploymentProtectionRule, onRepositoryDispatch, type DeploymentWiring } from './deployments.js';
import { readLabelEvidence, type LabelEvidence } from './evidence.js';
import { Gate } from './gate.js';
import { targetOf, type EventKit } from './kit.js';
import { PrLock } from './lock.js';
import { onMergeGroup } from './merge-group.js';
import { onPullRequest, PULL_REQUEST_ACTIONS } from './pull-request.js';
import { onReview } from './review.js';

export interface AppDeps {
  redis: Redis;
  /** Key prefix for everything this app keeps in Redis. */
  prefix?: string;
  /** Every GitHub client of the app: authenticated, spaced, retried, counted. */
  github: InstallationClients;
  /** The audit log; bypass auditing reads it back (post-implementation review, window summaries). */
  audit: AuditSink & AuditReader;
  escalation?: EscalationPort & DirectEscalation & PendingReader;
  /** Defaults to reading the PR's label events (src/bypass/emergency.ts). */
  labelEvidence?: LabelEvidence;
  /** The maintenance queue (src/bypass/maintenance.ts): window comments and summaries. */
  maintenanceQueue?: Queue;
  /** This GitHub App's id (APP_ID): only check runs this app posted are ever taken for ours. */
  appId: number;
  /** Times each webhook delivery (metrics.timeWebhook). */
  timeWebhook?: <T>(event: string, handler: () => Promise<T>) => Promise<T>;
  clock?: Clock;
}

export interface EventCost extends CallCounter {
  event: string;
  delivery: string;
  outcome: 'handled' | 'duplicate';
}

export interface HitlApp {
  (app: Probot): void;
  /** Reads and writes of the most recent events, newest last (for the bench and tests). */
  readonly costs: EventCost[];
  /** Re-evaluates one PR item through the webhook path (for the escalation worker); needs the app loaded. */
  readonly gatePort: GatePort;
  /** The gate's cached readers (config, people), for decisions outside the app's handlers (a failing build). */
  readonly readers: Readers;
  /** At shutdown: stops retrying escalation calls and logs those still queued (they are not sent). */
  stop(): void;
}

const MAX_COSTS = 1000;

export function createApp(deps: AppDeps): HitlApp {
  const prefix = deps.prefix ?? 'hitl:';
  let probot: Probot | undefined;
  const log = { warn: (message: string) => probot?.log.warn(message), error: (message: string) => probot?.log.error(message) };
  // Redis down: the gate still runs (lock, dedupe and caches fall back), escalation calls are retried.
  const fallback = new RedisFallback(log.warn);
  const deliveries = new DeliveryMemory();
  const escalation = deps.escalation && new RetryingEscalation(deps.escalation, { log });
  const cache = new Cache(deps.redis, prefix, fallback);
  const audit = deps.audit;
  const readers = readersOn(cache, deps.appId);
  const writers = { checks: new CheckWriter(cache, readers.checks), labels: new LabelWriter(cache), reviewers: new ReviewerWriter(cache) };
  const clock = deps.clock ?? systemClock;
  const bypass: BypassWiring = { audit, once: new OnceMarkers(deps.redis, prefix), now: clock, queue: deps.maintenanceQueue };
  const gate = new Gate({
    cache,
    config: readers.config,
    pulls: readers.pulls,
    people: readers.people,
    writers,
    lock: new PrLock(deps.redis, { fallback }),
    audit,
    escalation,
    labelEvidence: deps.labelEvidence ?? readLabelEvidence,
    clock,
    afterEvaluation: auditEvaluation(bypass),
    degraded: { redisDown: () => deps.redis.status !== 'ready', warn: log.warn },
  });
  const deployments: DeploymentWiring = {
    pending: new PendingDeployments(deps.redis, `${prefix}deploy:`),
    records: new RollbackRecords(deps.redis, `${prefix}rollback:`),
  };
  const kit: EventKit = { gate, readers, writers, audit, escalation, bypass, deployments, target: targetOf };
  const timed = deps.timeWebhook ?? (<T>(_event: string, handler: () => Promise<T>) => handler());
  const costs: EventCost[] = [];

  const handle = <C extends Context>(run: (context: C, kit: EventKit) => Promise<void>) => async (context: C) => {
    const payload = context.payload as { action?: string; installation?: { id: number } };
    if (!payload.installation) return; // not addressed to an installation: nothing we may act on
    const counter = newCounter();
    deps.github.forEvent(context.octokit, payload.installation.id, counter, (message) => context.log.warn(message));
    const outcome = await timed(context.name, () => handleOnce(deps.redis, dedupeKey(cache, context.id), () => run(context, kit), { memory: deliveries, fallback }));
    costs.push({ event: `${context.name}${payload.action ? `.${payload.action}` : ''}`, delivery: context.id, outcome, ...counter });
    if (costs.length > MAX_COSTS) costs.shift();
  };

  const gatePort: GatePort = {
    async check(target: EscalationTarget): Promise<GateAnswer> {
      // Items that live outside a PR's plan answer first: a rollback issue, a merged PR's compliance violation.
      const outside = (await rollbackGateAnswer(deployments.records, target)) ?? (await complianceGateAnswer(bypass.once, target));
      if (outside) return outside;
      const octokit = await deps.github.installationClient(target.installationId);
      const result = await gate.run({ octokit, installationId: target.installationId, ref: { owner: target.owner, repo: target.repo }, number: target.number });
      if (result.kind !== 'evaluated') return { pending: false };
      const found = result.evaluation.items.find((i) => i.item.name === target.item);
      if (!found || found.status.state !== 'pending') return { pending: false };
      return { pending: true, diagnostics: diagnose(found.item, found.status, result.pull.author, result.pull.headSha, result.config) };
    },
  };

  const appFn = (app: Probot) => {
    probot = app;
    deps.github.attach(app);
    app.on(PULL_REQUEST_ACTIONS.map((a) => `pull_request.${a}` as const), handle(onPullRequest));
    app.on(['pull_request_review.submitted', 'pull_request_review.dismissed'], handle(onReview));
    app.on('issue_comment.created', handle(onComment));
    app.on(['check_run.rerequested', 'check_run.requested_action'], handle(onCheckRun));
    app.on('merge_group.checks_requested', handle(onMergeGroup));
    app.on('deployment_protection_rule.requested', handle(onDeploymentProtectionRule));
    app.on('repository_dispatch', handle(onRepositoryDispatch));
  };
  return Object.assign(appFn, { costs, gatePort, readers, stop: () => escalation?.stop() });
}

function diagnose(item: GateItem, status: Extract<ItemStatus, { state: 'pending' }>, author: string, headSha: string, config: ResolvedConfig): Diagnostics {
  return {
    author,
    pendingApprovers: mentionsOf(item.approvers.members),
    roleMentions: roleMentionsOf(config),
    missing: [
      ...(status.missingApprovals > 0 ? [`${status.missingApprovals} approval(s) from ${item.approvers.roles.join(' or ') || 'a collaborator with write access'}`] : []),
      ...status.criteria.filter((c) => !c.ticked).map((c) => `criterion ${c.name} not ticked in the description`),
    ],
    commands: [`/approve ${item.name}`],
    headSha,
  };
}
