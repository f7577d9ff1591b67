/**
 * A Probot instance for tests: a throwaway RSA key (never committed), Octokit retry and
 * throttling off (no timers left open), silent logs, and the webhook secret `test-secret`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';

export const WEBHOOK_SECRET = 'test-secret';
export const APP_ID = 123;

let privateKey: string | undefined;
const key = () =>
  (privateKey ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  }).privateKey);

export function testProbot(): Probot {
  return new Probot({
    appId: APP_ID,
    privateKey: key(),
    secret: WEBHOOK_SECRET,
    log: pino({ level: 'silent' }),
    // A function, not an object: Probot hands the installation client its own throttle options,
    // which an object default would lose to (leaving the 1 s write spacing on in tests).
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })),
  });
}
