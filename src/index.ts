/**
 * Wiring only: one factory builds the HITL app as deployed — Redis connections, the audit log
 * (every entry also feeds the metrics), the escalation engine and its worker (which asks the
 * app's gate before a timer acts), the maintenance windows' summary worker, `/metrics` and the
 * dashboard — and closes all of it on shutdown. `npm start` goes through
 * server.ts; `probot run ./lib/index.js` loads the default export.
 */
import type { ConnectionOptions, Worker } from 'bullmq';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { ApplicationFunctionOptions, Probot } from 'probot';
import { RedisAuditStore } from './audit/redis-store.js';
import type { AuditReader, AuditSink } from './audit/types.js';
import { createWindowSummaryWorker, MAINTENANCE_QUEUE } from './bypass/maintenance.js';
import { OnceMarkers } from './bypass/once.js';
import { channelsFromEnv } from './escalation/channels.js';
import { EscalationEngine } from './escalation/engine.js';
import { InstallationClients } from './github/client.js';
import { createApp, type AppDeps, type HitlApp } from './handlers/app.js';
import { createMetrics, type HitlMetrics } from './metrics/metrics.js';
import { systemClock, type Clock } from './util/clock.js';
import { webhookSecretProblem } from './util/webhook-secret.js';
import { createDashboard } from './web/dashboard.js';
import { metricsHandler } from './web/metrics-route.js';
import { once } from 'node:events';

export { createApp };
export type { AppDeps, HitlApp };

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_PREFIX = 'hitl:';

export interface HitlOptions {
  /** REDIS_URL, HITL_REDIS_PREFIX, HITL_DASHBOARD_TOKEN, APP_ID, GHE_HOST/GHE_PROTOCOL, channel settings. */
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Prometheus process metrics (off in tests, where several apps share a process). */
  defaultMetrics?: boolean;
  /** First retry delay of a failed escalation job (tests shorten it). */
  retryDelayMs?: number;
  /**
   * Space GitHub writes per installation through Redis (≥ 1 s apart, ≤ 80 content creations a
   * minute, across replicas). On in production; tests against nock turn it off to run fast.
   */
  spaceWrites?: boolean;
}

export interface Hitl {
  /** The Probot app function: handlers, `/metrics`, `/hitl`. */
  app: (app: Probot, options: ApplicationFunctionOptions) => void;
  metrics: HitlMetrics;
  audit: RedisAuditStore;
  engine: EscalationEngine;
  /** Closes workers, queues, the audit store (flushing it) and Redis; safe to call twice. */
  close(): Promise<void>;
}

/** One quick try, no retries: a missing Redis is reported at once, not after minutes of reconnects. */
async function assertRedisAnswers(url: string): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: () => null });
  probe.on('error', () => undefined); // the caller reports the rejection, once
  try {
    await probe.connect();
    await probe.ping();
    await probe.quit();
  } catch (error) {
    // Disconnecting a socket that is already closing arms ioredis' 2 s "destroy if still open"
    // timer that nothing clears, holding the process open: close an open socket, else let the
    // failed connection reach its end (retryStrategy null makes it end, not retry).
    if (probe.status === 'ready' || probe.status === 'connect') probe.disconnect();
    else if (probe.status !== 'end') await once(probe, 'end');
    throw error;
  }
}

/** Connects to Redis (failing fast when it does not answer) and builds everything; see HitlOptions. */
export async function createHitl(options: HitlOptions = {}): Promise<Hitl> {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const redisUrl = env.REDIS_URL || DEFAULT_REDIS_URL;
  const prefix = env.HITL_REDIS_PREFIX || DEFAULT_PREFIX;
  // BullMQ and the engine add their own ":" after the prefix.
  const queuePrefix = prefix.replace(/:+$/, '');
  const appId = Number(env.APP_ID);
  // Our own check runs are told apart from look-alikes by this id: no id, no gate.
  if (!Number.isSafeInteger(appId) || appId <= 0) throw new Error(`APP_ID must be this GitHub App's numeric id (got ${JSON.stringify(env.APP_ID ?? '')})`);

  await assertRedisAnswers(redisUrl);
  // Producers fail fast: a webhook never hangs on a dead Redis (the audit store buffers instead).
  // A Redis that hangs fails as fast as one that refuses (commandTimeout); the app logs one warning
  // per outage itself, so ioredis' own error events on every reconnect attempt are not printed.
  const redis = new Redis(redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000 });
  redis.on('error', () => undefined);
  await redis.connect();
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics });
  const store = new RedisAuditStore({ redis, prefix });
  const audit: AuditSink & AuditReader = {
    async record(entry) {
      await store.record(entry);
      metrics.observeAudit(entry);
    },
    query: (query) => store.query(query),
  };

  // Escalation and maintenance-summary writes share the installation's write slots with the gate.
  const github = new InstallationClients({ redis, prefix, spaceWrites: options.spaceWrites ?? true });
  const installation = (id: number) => github.installationClient(id);
  const engine = await EscalationEngine.start({
    redisUrl,
    prefix: queuePrefix,
    octokitFor: installation,
    audit,
    channels: channelsFromEnv(env),
    clock,
    retryDelayMs: options.retryDelayMs,
  });
  const maintenanceQueue = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix: queuePrefix });
  const workerConnection = { url: redisUrl, maxRetriesPerRequest: null } as ConnectionOptions;
  const summaries: Worker = createWindowSummaryWorker(workerConnection, { audit, once: new OnceMarkers(redis, prefix), now: clock, getGitHub: installation }, { prefix: queuePrefix });

  const hitlApp = createApp({ redis, prefix, github, audit, escalation: engine, maintenanceQueue, clock, appId, timeWebhook: metrics.timeWebhook });
  // A fired timer acts only if the app's gate says its item is still pending.
  await engine.work(hitlApp.gatePort);

  const dashboard = createDashboard({
    token: env.HITL_DASHBOARD_TOKEN,
    audit,
    pending: () => engine.listPending(),
    clock,
    githubUrl: env.GHE_HOST ? `${env.GHE_PROTOCOL ?? 'https'}://${env.GHE_HOST}` : undefined,
  });

  const app = (app: Probot, { addHandler }: ApplicationFunctionOptions) => {
    hitlApp(app);
    addHandler(metricsHandler(metrics.registry));
    addHandler(dashboard);
  };

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      hitlApp.stop(); // logs escalation calls still waiting for Redis rather than losing them silently
      await summaries.close();
      await engine.close();
      await maintenanceQueue.close();
      await store.close();
      redis.disconnect();
    })());
  return { app, metrics, audit: store, engine, close };
}

/** For `probot run ./lib/index.js`: builds HITL from the environment when Probot loads it (never without a real webhook secret). */
export default async (app: Probot, options: ApplicationFunctionOptions) => {
  const secretProblem = webhookSecretProblem(process.env);
  if (secretProblem) throw new Error(secretProblem);
  const hitl = await createHitl();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void hitl.close().then(() => process.exit(0)));
  hitl.app(app, options);
};
