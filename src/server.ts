/**
 * `npm start`: without APP_ID, Probot's setup page registers the app from app.yml (no Redis
 * needed); with APP_ID, Redis must answer first, else exit at once saying how to get one.
 * SIGTERM/SIGINT close workers, queues, the audit log and Redis before exiting.
 */
import { ProbotOctokit, run } from 'probot';
import { createHitl, DEFAULT_REDIS_URL } from './index.js';
import { githubMetricsPlugin } from './metrics/octokit.js';

const redacted = (url: string) => url.replace(/\/\/[^@]*@/, '//***@');

async function main(): Promise<void> {
  if (!process.env.APP_ID) {
    // Setup mode: Probot serves its manifest page; the app itself never receives an event here.
    await run(() => undefined);
    return;
  }
  const url = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  let hitl;
  try {
    hitl = await createHitl();
  } catch {
    console.error(`hitl: cannot reach Redis at ${redacted(url)}: start one (redis-server --port 6379) or set REDIS_URL`);
    process.exit(1);
  }
  // HITL spaces writes per installation and retries 5xx and secondary limits itself
  // (src/github/transport.ts); Probot's own throttling would queue every installation behind one
  // write a second, and its retry plugin would repeat what the transport already retries.
  const Octokit = ProbotOctokit.plugin(githubMetricsPlugin(hitl.metrics)).defaults((options: Record<string, unknown>) => ({
    ...options,
    throttle: { enabled: false },
    retry: { enabled: false },
  }));
  const server = await run(hitl.app, { Octokit });
  const stop = async () => {
    await server.stop();
    await hitl.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

await main();
