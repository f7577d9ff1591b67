/**
 * The local GitHub stand-in and the webhook driver, for benchmarks and fault-tolerance tests.
 *
 *   const gh = await startStandIn({ latencyMs: 50 });          // http://127.0.0.1:<port>/api/v3
 *   gh.state.addRepo({ owner: 'acme', repo: 'web', installationId: 1 });
 *   gh.state.putFile('acme', 'web', '.hitl.yml', yaml);          // base-branch config
 *   gh.state.addPullRequest('acme', 'web', { number: 7, author: 'alice', head: { ref: 'f', sha }, files });
 *   gh.state.setPermission('acme', 'web', 'bob', 'write');  gh.state.addTeam('acme', 'security', ['sam']);
 *   // app: createProbot({ env: { ...gh.probotEnv(), APP_ID, PRIVATE_KEY, WEBHOOK_SECRET } })
 *   const driver = new WebhookDriver({ appUrl, secret, concurrency: 16 });
 *   await driver.sendAll([buildDelivery({ event: 'pull_request.opened', pr: { installationId: 1, owner: 'acme', repo: 'web', number: 7, headSha: sha, author: 'alice' } })]);
 *   gh.faults.inject({ kind: 'secondary-rate-limit', times: 3, retryAfterSeconds: 1, match: { route: 'checks.update' } });
 *   gh.calls.stats({ installationId: 1 });  gh.calls.violations();  gh.state.checkRuns('acme', 'web');
 *   await gh.stop();
 */
export { startStandIn, type StandIn, type StandInOptions } from './server.js';
export type { CallFilter, CallRecord, CallStats, Violation } from './calls.js';
export type { FaultHandle, FaultKind, FaultSpec } from './faults.js';
export type { Permission, PullSeed, RepoSeed, ReviewSeed } from './state.js';
export { buildDelivery, buildPayload, signBody, WebhookDriver, type Delivery, type DeliveryResult, type DriveSummary, type PullTarget, type RepoTarget, type WebhookScenario } from './webhooks.js';
