/**
 * `npm run demo` without the shell around it: a Redis (REDIS_URL or a private redis-server), the
 * GitHub stand-in seeded with the demo organisation, HITL served by the same code as `npm start`
 * (serveHitl) and pointed at the stand-in the Probot way (GHE_HOST); then the story, told on
 * request. All of it (app, dashboard, stand-in, Redis) stops with `stop()`.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { serveHitl, type ServedHitl } from '../serve.js';
import { startStandIn, type StandIn } from '../stand-in/index.js';
import { WebhookDriver } from '../stand-in/webhooks.js';
import { deleteKeysStartingWith } from '../util/redis-keys.js';
import { DemoGitHub } from './github.js';
import { Observer } from './observer.js';
import { freePort } from './ports.js';
import { demoRedis } from './redis.js';
import { runStory, type StepOutcome } from './story.js';
import { APP_LOGIN, DEMO_APP_ID, DEMO_CONFIG, DEMO_REPO, seedWorld } from './world.js';

export interface DemoOptions {
  /** REDIS_URL, PORT, LOG_LEVEL and HITL_REDIS_PREFIX are read; nothing else reaches the app. */
  env: NodeJS.ProcessEnv;
  say: (line: string) => void;
}

export interface RunningDemo {
  /** Runs the story (once); an abort stops it between two looks at GitHub. */
  tellStory(signal: AbortSignal): Promise<StepOutcome[]>;
  appUrl: string;
  dashboardUrl: string;
  dashboardToken: string;
  stop(): Promise<void>;
}

export type DemoResult = { ok: true; demo: RunningDemo } | { ok: false; error: string };

/** Where `npm start` listens too: a stable address to open, when it is free. */
const DEFAULT_PORT = 3000;

const newPrivateKey = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;

export interface DemoApp {
  served: ServedHitl;
  /** What the stand-in's deliveries are signed with. */
  secret: string;
  dashboardToken: string;
}

/**
 * HITL served by serveHitl, as `npm start` serves it, with a fresh key, webhook secret and
 * dashboard token, pointed at the stand-in the Probot way (GHE_HOST). Of the caller's environment
 * only PORT and LOG_LEVEL reach it: no real GitHub App, Slack or webhook channel is ever used.
 */
export async function serveDemoApp(standIn: StandIn, options: { env: NodeJS.ProcessEnv; redisUrl: string; prefix: string }): Promise<{ ok: true; app: DemoApp } | { ok: false; error: string }> {
  const secret = randomBytes(20).toString('hex');
  const dashboardToken = randomBytes(12).toString('hex');
  const served = await serveHitl({
    APP_ID: String(DEMO_APP_ID),
    PRIVATE_KEY: newPrivateKey(),
    WEBHOOK_SECRET: secret,
    ...standIn.probotEnv(),
    HOST: '127.0.0.1',
    PORT: String(options.env.PORT ? Number(options.env.PORT) : await freePort(DEFAULT_PORT)),
    LOG_LEVEL: options.env.LOG_LEVEL || 'warn',
    REDIS_URL: options.redisUrl,
    HITL_REDIS_PREFIX: options.prefix,
    HITL_DASHBOARD_TOKEN: dashboardToken,
  });
  return served.ok ? { ok: true, app: { served: served.served, secret, dashboardToken } } : served;
}

export async function startDemo(options: DemoOptions): Promise<DemoResult> {
  const { env, say } = options;
  const redis = await demoRedis(env);
  if (!redis.ok) return redis;
  const standIn = await startStandIn({ appId: DEMO_APP_ID, appLogin: APP_LOGIN });
  seedWorld(standIn);
  const prefix = env.HITL_REDIS_PREFIX || `hitl-demo:${randomBytes(4).toString('hex')}:`;
  const cleanUp = async () => {
    await standIn.stop();
    // Only our own keys, in a Redis that may be someone else's (never flushdb).
    const connection = new Redis(redis.redis.url, { maxRetriesPerRequest: 1 });
    connection.on('error', () => undefined);
    try {
      await deleteKeysStartingWith(connection, prefix);
    } finally {
      connection.disconnect();
    }
    await redis.redis.stop();
  };
  const started = await serveDemoApp(standIn, { env, redisUrl: redis.redis.url, prefix });
  if (!started.ok) {
    await cleanUp();
    return started;
  }
  const { served, secret, dashboardToken } = started.app;
  const { url } = served;
  say('HITL demo: the app as `npm start` runs it, against a local GitHub stand-in; no GitHub App needed.');
  say(`   App     ${url} (webhooks at /api/github/webhooks, signed with a fresh secret)`);
  say(`   GitHub  a stand-in at ${standIn.baseUrl}, repository ${DEMO_REPO.owner}/${DEMO_REPO.repo} with this .hitl.yml:`);
  for (const line of DEMO_CONFIG.trimEnd().split('\n')) say(`             ${line}`);
  say(`   Redis   ${redis.redis.description}, keys under ${prefix}`);

  const driver = new WebhookDriver({ appUrl: url, secret, concurrency: 1 });
  const tellStory = (signal: AbortSignal) => runStory({ gh: new DemoGitHub(standIn, driver, DEMO_REPO), standIn, observer: new Observer(standIn, DEMO_REPO), say, signal });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      driver.close();
      await served.stop();
      await cleanUp();
    })());
  return { ok: true, demo: { tellStory, appUrl: url, dashboardUrl: `${url}/hitl`, dashboardToken, stop } };
}
