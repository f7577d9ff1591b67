/**
 * `npm start`: without APP_ID, Probot's setup page registers the app from app.yml (no Redis
 * needed); with APP_ID, a real WEBHOOK_SECRET and an answering Redis are required, else it exits
 * at once with one line saying what is missing. SIGTERM/SIGINT close workers, queues, the audit
 * log and Redis before exiting.
 */
import { run } from 'probot';
import { serveHitl } from './serve.js';

async function main(): Promise<void> {
  if (!process.env.APP_ID) {
    // Setup mode: Probot serves its manifest page; the app itself never receives an event here.
    await run(() => undefined);
    return;
  }
  const result = await serveHitl(process.env);
  if (!result.ok) {
    console.error(result.error);
    process.exit(1);
  }
  const stop = async () => {
    await result.served.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

await main();
