/**
 * The Probot app factory: builds the GitHub adapter (src/github), the pipeline (src/pipeline) and
 * one small handler per event. Every event goes through handle(): handled once per delivery id,
 * through a client whose writes are spaced and whose GitHub reads and writes are counted.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Context, Probot } from 'probot';
import type { AuditReader, AuditSink } from '../audit/types.js';
import { AfterRedisOutage } from '../bypass/after-outage.js';
import { OnceMarkers } from '../bypass/once.js';
import type { BypassWiring } from '../bypass/publish.js';
import { PendingDeployments, RollbackRecords } from '../deployments/store.js';
import { BuildFailureWatch } from '../escalation/build-failure.js';
import { RetryingEscalation } from '../escalation/retry.js';
import type { DirectEscalation, EscalationPort, GatePort, PendingReader } from '../escalation/types.js';
import { Cache } from '../github/cache.js';
import { CheckWriter } from '../github/checks.js';
import type { InstallationClients } from '../github/client.js';
import { newCounter, type CallCounter } from '../github/counter.js';
import { RedisFallback } from '../github/fallback.js';
import { LabelWriter } from '../github/labels.js';
import { readersOn, type Readers } from '../github/readers.js';
import { DroppedApprovalWriter } from '../github/dropped-approvals.js';
import { ReviewerWriter } from '../github/reviewers.js';
import { gatePort } from '../pipeline/gate-port.js';
import { PrLock } from '../pipeline/lock.js';
import { PullPipeline } from '../pipeline/pipeline.js';
import { Publisher } from '../pipeline/publish.js';
import { PrDecisions } from '../pipeline/decisions.js';
import { PatchRecords, PrStates } from '../pipeline/state.js';
import { systemClock, type Clock } from '../util/clock.js';
import { onCheckRun } from './check-run.js';
import { onComment } from './comment.js';
import { dedupeKey, DeliveryMemory, handleOnce } from './dedupe.js';
import { onDeploymentProtectionRule, onRepositoryDispatch, type DeploymentWiring } from './deployments.js';
import type { EventKit } from './kit.js';
import { onMergeGroup } from './merge-group.js';
import { onPullRequest, PULL_REQUEST_ACTIONS } from './pull-request.js';
import { onReview } from './review.js';
import { onWorkflowRun } from './workflow-run.js';

export interface AppDeps {
  redis: Redis;
  /** Key prefix for everything this app keeps in Redis. */
  prefix?: string;
  /** Every GitHub client of the app: authenticated, spaced, retried, counted. */
  github: InstallationClients;
  /** The audit log; bypass auditing reads it back (post-implementation review, window summaries). */
  audit: AuditSink & AuditReader;
  /** This GitHub App's id (APP_ID): only check runs this app posted are ever taken for ours. */
  appId: number;
  /** Without it nothing escalates: no timers, no failing-build issues, no rollback checkpoints. */
  escalation?: EscalationPort & DirectEscalation & PendingReader;
  /** The maintenance queue (src/bypass/maintenance.ts): window comments and summaries. */
  maintenanceQueue?: Queue;
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
  /** The escalation worker's check-back: re-evaluates an item as a webhook would (needs the app loaded). */
  readonly gatePort: GatePort;
  /** The cached readers (config, pulls, people, our check runs). */
  readonly readers: Readers;
  /** At shutdown: stops retrying escalation calls and merges waiting for Redis, and logs those still queued (they are not sent). */
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
  const { audit } = deps;
  const clock = deps.clock ?? systemClock;
  const once = new OnceMarkers(deps.redis, prefix);
  // A merge handled while Redis is away is judged and recorded once it is back (its claims live there).
  const afterOutage = new AfterRedisOutage(deps.redis, { log });
  const bypass: BypassWiring = { audit, once, now: clock, queue: deps.maintenanceQueue };
  const readers = readersOn(cache, deps.appId);
  const checks = new CheckWriter(cache, readers.checks);
  const states = new PrStates(cache);
  const decisions = new PrDecisions(cache);
  const patches = new PatchRecords(cache);
  const publisher = new Publisher({
    writers: { checks, labels: new LabelWriter(cache), reviewers: new ReviewerWriter(cache), dropped: new DroppedApprovalWriter(cache) },
    states,
    decisions,
    patches,
    openPulls: readers.openPulls,
    audit,
    escalation,
    bypass,
    clock,
    degraded: { redisDown: () => deps.redis.status !== 'ready', warn: log.warn },
  });
  const pipeline = new PullPipeline({ readers, states, decisions, patches, lock: new PrLock(deps.redis, { fallback }), publisher, clock });
  const deployments: DeploymentWiring = {
    pending: new PendingDeployments(deps.redis, `${prefix}deploy:`),
    records: new RollbackRecords(deps.redis, `${prefix}rollback:`),
  };
  // The build watch keeps its state beside the escalation engine's keys (prefix without its ':').
  const builds = escalation && new BuildFailureWatch({ redis: deps.redis, prefix: prefix.replace(/:+$/, ''), escalation, clock });
  const kit: EventKit = { pipeline, publisher, readers, checks, audit, escalation, bypass, afterOutage, deployments, builds, clock };
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
    app.on('workflow_run.completed', handle(onWorkflowRun));
  };
  return Object.assign(appFn, {
    costs,
    gatePort: gatePort({ pipeline, github: deps.github, rollbacks: deployments.records, once, builds }),
    readers,
    stop: () => {
      escalation?.stop();
      afterOutage.stop();
    },
  });
}
