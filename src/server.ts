/**
 * `npm start`: without APP_ID, Probot's setup page registers the app from app.yml (no Redis
 * needed); with APP_ID, a real WEBHOOK_SECRET and an answering Redis are required, else it exits
 * at once with one line saying what is missing. SIGTERM/SIGINT close workers, queues, the audit
 * log and Redis before exiting.
 */
import { run } from 'probot';
import { probotEnv, serveHitl } from './serve.js';

const SERVER_WEBHOOK_URL = 'https://<your host>/api/github/webhooks';

/** Which webhook URL the setup page registers (Probot's smee channel, saved in .env, when it could make one). */
function registeredWebhookUrl(proxy: string | undefined): string {
  if (proxy) {
    return `hitl: the app is registered with the webhook URL ${proxy} (a smee.io channel; npm start forwards it here); on a server, set ${SERVER_WEBHOOK_URL} in the app's settings instead`;
  }
  return `hitl: no smee.io channel (WEBHOOK_PROXY_URL), so the app is registered with this page's own address, which is not where webhooks are served; after registering, set ${SERVER_WEBHOOK_URL} (or a smee.io channel) in the app's settings`;
}

async function main(): Promise<void> {
  if (!process.env.APP_ID) {
    // Setup mode: Probot serves its manifest page; the app itself never receives an event here.
    try {
      await run(() => undefined, { env: probotEnv(process.env) });
    } catch (error) {
      // The port is taken, or the smee.io channel of WEBHOOK_PROXY_URL does not answer.
      console.error(`hitl: cannot start the setup page: ${(error as Error).message ?? String(error)}`);
      process.exit(1);
    }
    console.log(registeredWebhookUrl(process.env.WEBHOOK_PROXY_URL));
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
