/**
 * `npm start`: without APP_ID, Probot's setup page registers the app from app.yml (no Redis
 * needed); with APP_ID, a real WEBHOOK_SECRET and an answering Redis are required, else it exits
 * at once with one line saying what is missing. SIGTERM/SIGINT close workers, queues, the audit
 * log and Redis before exiting.
 */
import { webhookSecretProblem } from './util/webhook-secret.js';

const SERVER_WEBHOOK_URL = 'https://<your host>/api/github/webhooks';

/** Which webhook URL the setup page registers (Probot's smee channel, saved in .env, when it could make one). */
function registeredWebhookUrl(proxy: string | undefined): string {
  if (proxy) {
    return `hitl: the app is registered with the webhook URL ${proxy} (a smee.io channel; npm start forwards it here); on a server, set ${SERVER_WEBHOOK_URL} in the app's settings instead`;
  }
  return `hitl: no smee.io channel (WEBHOOK_PROXY_URL), so the app is registered with this page's own address, which is not where webhooks are served; after registering, set ${SERVER_WEBHOOK_URL} (or a smee.io channel) in the app's settings`;
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** Without APP_ID: Probot's setup page; the app itself never receives an event here. */
async function setupPage(): Promise<void> {
  const [{ run }, { probotEnv }] = await Promise.all([import('probot'), import('./serve.js')]);
  try {
    await run(() => undefined, { env: probotEnv(process.env) });
  } catch (error) {
    // The port is taken, or the smee.io channel of WEBHOOK_PROXY_URL does not answer.
    fail(`hitl: cannot start the setup page: ${(error as Error).message ?? String(error)}`);
  }
  console.log(registeredWebhookUrl(process.env.WEBHOOK_PROXY_URL));
}

async function main(): Promise<void> {
  if (!process.env.APP_ID) return setupPage();
  // Checked before Probot and the app load (seconds on a busy machine): the answer comes at once.
  const secretProblem = webhookSecretProblem(process.env);
  if (secretProblem) fail(secretProblem);
  const { serveHitl } = await import('./serve.js');
  const result = await serveHitl(process.env);
  if (!result.ok) fail(result.error);
  const stop = async () => {
    await result.served.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

await main();
