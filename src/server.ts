/**
 * `npm start`: without APP_ID, Probot's setup page registers the app from app.yml (no Redis
 * needed); with APP_ID, Redis must answer first, else exit at once saying how to get one.
 */
import { Redis } from 'ioredis';
import { run } from 'probot';
import { DEFAULT_REDIS_URL, productionApp } from './index.js';

/** One quick try, no retries: a missing Redis is reported at once, not after minutes of reconnects. */
async function redisAnswers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: () => null });
  probe.on('error', () => undefined); // reported below, once
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

async function main(): Promise<void> {
  if (!process.env.APP_ID) {
    // Setup mode: Probot serves its manifest page; the app itself never receives an event here.
    await run(() => undefined);
    return;
  }
  const url = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  if (!(await redisAnswers(url))) {
    console.error(`hitl: cannot reach Redis at ${url.replace(/\/\/[^@]*@/, '//***@')}: start one (redis-server --port 6379) or set REDIS_URL`);
    process.exit(1);
  }
  await run(productionApp(new Redis(url)));
}

await main();
