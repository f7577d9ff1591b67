/**
 * The real HITL app on loopback against the GitHub stand-in: Probot configured the Probot way
 * (GHE_HOST/GHE_PROTOCOL), its node middleware behind node:http, the gate from createApp on a real
 * Redis under a private prefix. Used by the bench and by the fault, scale and hostile-input tests.
 * Several app instances may share one stand-in and one Redis prefix (scale-out).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { pino } from 'pino';
import { createNodeMiddleware, createProbot, ProbotOctokit, type Probot } from 'probot';
import { deleteKeysUnder } from '../escalation/store.js';
import { MemoryAuditSink } from '../audit/types.js';
import { InstallationClients } from '../github/client.js';
import { createApp, type AppDeps, type HitlApp } from '../handlers/app.js';
import { startStandIn, type StandIn, type StandInOptions } from '../stand-in/index.js';
import { WebhookDriver, type PullTarget } from '../stand-in/webhooks.js';

export const BENCH_SECRET = 'hitl-bench-secret';
const BENCH_APP_ID = 1;
/** A config a realistic repository might carry: small src changes are peer review, docs automatic. */
export const BENCH_CONFIG = 'classification:\n  low_risk_paths: ["**/*.md", "docs/**"]\n  peer_review_max_lines: 200\n';

export interface AppInstance {
  readonly url: string;
  readonly app: HitlApp;
  readonly probot: Probot;
  readonly redis: Redis;
  stop(): Promise<void>;
}

export interface InstanceOptions {
  standIn: StandIn;
  prefix: string;
  /** Octokit's throttling plugin (Probot's per-installation write spacing); off for raw handling cost. */
  throttle?: boolean;
  redisOptions?: RedisOptions;
  /** The escalation port, and whether writes are spaced through Redis; the audit log is kept in memory. */
  deps?: Pick<AppDeps, 'escalation' | 'clock'> & { spaceWrites?: boolean };
}

let privateKey: string | undefined;
const appKey = () =>
  (privateKey ??= generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey);

/** One app process's worth: Probot + middleware + HTTP server + its own Redis connection. */
export async function startInstance(options: InstanceOptions): Promise<AppInstance> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', options.redisOptions ?? {});
  const github = new InstallationClients({ redis, prefix: options.prefix, spaceWrites: options.deps?.spaceWrites });
  const app = createApp({ redis, prefix: options.prefix, github, audit: new MemoryAuditSink(), appId: BENCH_APP_ID, escalation: options.deps?.escalation, clock: options.deps?.clock });
  const throttle = options.throttle ?? false;
  const probot = createProbot({
    env: { APP_ID: String(BENCH_APP_ID), PRIVATE_KEY: appKey(), WEBHOOK_SECRET: BENCH_SECRET, LOG_LEVEL: 'fatal', ...options.standIn.probotEnv() },
    // A function default: Probot gives installation clients their own throttle options, which an object would lose to.
    overrides: {
      log: pino({ level: 'silent' }),
      Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, ...(throttle ? {} : { throttle: { enabled: false } }) })),
    },
  });
  const middleware = await createNodeMiddleware(app, { probot });
  const server: Server = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    app,
    probot,
    redis,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}

export interface Fleet {
  readonly standIn: StandIn;
  readonly prefix: string;
  readonly instances: AppInstance[];
  /** A driver per instance, same order. */
  readonly drivers: WebhookDriver[];
  /** One open PR per installation: installation i+1 owns `org-<i+1>/repo`, PR #1 by alice. */
  readonly pulls: PullTarget[];
  stop(): Promise<void>;
}

export interface FleetOptions extends Omit<InstanceOptions, 'standIn' | 'prefix'> {
  installations?: number;
  replicas?: number;
  standIn?: StandInOptions;
  concurrency?: number;
  /** Changed files of every PR (default: one 40-line src file, a peer review). */
  files?: Array<{ filename: string; additions: number; deletions: number }>;
}

export const headSha = (seed: string) => Buffer.from(seed).toString('hex').padEnd(40, '0').slice(0, 40);

/** A stand-in seeded with N installations, and `replicas` app instances sharing one Redis prefix. */
export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const standIn = await startStandIn(options.standIn ?? {});
  const prefix = `hitl-bench:gate:${randomBytes(6).toString('hex')}:`;
  const pulls: PullTarget[] = [];
  for (let i = 1; i <= (options.installations ?? 1); i++) {
    const pr: PullTarget = { installationId: i, owner: `org-${i}`, repo: 'repo', number: 1, headSha: headSha(`i${i}-0`), author: 'alice' };
    standIn.state.addRepo({ owner: pr.owner, repo: pr.repo, installationId: i });
    standIn.state.putFile(pr.owner, pr.repo, '.hitl.yml', BENCH_CONFIG);
    for (const login of ['alice', 'bob', 'carol']) standIn.state.setPermission(pr.owner, pr.repo, login, 'write');
    standIn.state.addPullRequest(pr.owner, pr.repo, { number: 1, author: 'alice', head: { ref: 'feature', sha: pr.headSha }, files: options.files ?? [{ filename: 'src/app.ts', additions: 30, deletions: 10 }] });
    pulls.push(pr);
  }
  const instances: AppInstance[] = [];
  for (let r = 0; r < (options.replicas ?? 1); r++) instances.push(await startInstance({ ...options, standIn, prefix }));
  const drivers = instances.map((instance) => new WebhookDriver({ appUrl: instance.url, secret: BENCH_SECRET, concurrency: options.concurrency ?? 16 }));
  return {
    standIn,
    prefix,
    instances,
    drivers,
    pulls,
    stop: async () => {
      for (const driver of drivers) driver.close();
      for (const instance of instances) await instance.stop();
      await deleteUnder(prefix);
      await standIn.stop();
    },
  };
}

/** Deletes every Redis key under `prefix` (never flushdb: the server is shared). */
export async function deleteUnder(prefix: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    await deleteKeysUnder(redis, prefix.replace(/:$/, '')); // it appends the ':' itself
  } finally {
    redis.disconnect();
  }
}
