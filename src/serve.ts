/**
 * HITL served by Probot's own server from an environment: what `npm start` (src/server.ts) and
 * `npm run demo` (src/demo) both run, so the demo shows the app exactly as it is deployed.
 * Refuses to serve without a real webhook secret and reports an unreachable Redis as a value.
 */
import { ProbotOctokit, run, type Server } from 'probot';
import { createHitl, DEFAULT_REDIS_URL, type Hitl, type HitlOptions } from './index.js';
import { githubMetricsPlugin } from './metrics/octokit.js';
import { webhookSecretProblem } from './util/webhook-secret.js';

export interface ServedHitl {
  hitl: Hitl;
  /** `http://<host>:<port>` as the server listens. */
  url: string;
  /** Stops taking requests, then closes workers, queues, the audit log (flushed) and Redis; safe to call twice. */
  stop(): Promise<void>;
}

export type ServeResult = { ok: true; served: ServedHitl } | { ok: false; error: string };

const redacted = (url: string) => url.replace(/\/\/[^@]*@/, '//***@');

/**
 * The environment Probot reads. REDIS_URL is HITL's: given to Probot, it opens a Bottleneck
 * connection for the throttling HITL turns off, unused, and reconnecting forever (an error logged
 * each time) when Redis is away.
 */
export const probotEnv = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...env, REDIS_URL: undefined });

/**
 * Builds HITL from `env` (APP_ID set: the app, not the setup page) and starts Probot's server on
 * `PORT`/`HOST`. HITL spaces writes per installation and retries 5xx and secondary limits itself
 * (src/github/transport.ts): Probot's own throttling would queue every installation behind one
 * write a second, and its retry plugin would repeat what the transport already retries.
 */
export async function serveHitl(env: NodeJS.ProcessEnv, options: Omit<HitlOptions, 'env'> = {}): Promise<ServeResult> {
  const secretProblem = webhookSecretProblem(env);
  if (secretProblem) return { ok: false, error: secretProblem };
  let hitl: Hitl;
  try {
    hitl = await createHitl({ ...options, env });
  } catch {
    const url = env.REDIS_URL || DEFAULT_REDIS_URL;
    return { ok: false, error: `hitl: cannot reach Redis at ${redacted(url)}: start one (redis-server --port 6379) or set REDIS_URL` };
  }
  const Octokit = ProbotOctokit.plugin(githubMetricsPlugin(hitl.metrics)).defaults((octokitOptions: Record<string, unknown>) => ({
    ...octokitOptions,
    throttle: { enabled: false },
    retry: { enabled: false },
  }));
  // Probot's run() adds a SIGINT listener that exits as soon as the HTTP server closes, before
  // HITL has flushed its audit log; the caller decides what a signal does, so that one goes.
  const before = new Set(process.listeners('SIGINT'));
  let server: Server;
  try {
    server = await run(hitl.app, { env: probotEnv(env), Octokit });
  } catch (error) {
    // The port is taken, or the smee.io channel of WEBHOOK_PROXY_URL does not answer.
    await hitl.close();
    return { ok: false, error: `hitl: cannot start the server: ${(error as Error).message ?? String(error)}` };
  } finally {
    for (const listener of process.listeners('SIGINT')) if (!before.has(listener)) process.removeListener('SIGINT', listener);
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await server.stop();
      await hitl.close();
    })());
  const host = server.host === '::' || server.host === '0.0.0.0' ? '127.0.0.1' : server.host;
  return { ok: true, served: { hitl, url: `http://${host}:${server.port}`, stop } };
}
