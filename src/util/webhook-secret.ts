/** What Probot verifies webhook signatures against when WEBHOOK_SECRET is unset: anyone can sign with it. */
const PROBOT_PLACEHOLDER_SECRET = 'development';

/** One line naming what is wrong with the webhook secret, or undefined when there is a real one. */
export function webhookSecretProblem(env: NodeJS.ProcessEnv): string | undefined {
  const secret = env.WEBHOOK_SECRET ?? '';
  if (secret !== '' && secret !== PROBOT_PLACEHOLDER_SECRET) return undefined;
  const what = secret === '' ? 'is not set' : `is Probot's placeholder "${PROBOT_PLACEHOLDER_SECRET}"`;
  return `hitl: WEBHOOK_SECRET ${what}: anyone could sign a forged webhook; set it to the GitHub App's webhook secret`;
}
