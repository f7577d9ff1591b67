import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createNodeMiddleware, createProbot, ProbotOctokit, type Probot } from 'probot';
import type { StandIn } from '../../src/stand-in/server.js';
import { buildDelivery, WebhookDriver, type PullTarget } from '../../src/stand-in/webhooks.js';
import { HEAD, INSTALLATION, OWNER, PR, REPO, seededStandIn } from './helpers.js';

/** A tiny app standing in for HITL: enough to prove the bench wiring, Probot → stand-in, end to end. */
function probeApp(app: Probot): void {
  app.on('pull_request.opened', async (context) => {
    await context.octokit.rest.checks.create(context.repo({ name: 'hitl', head_sha: context.payload.pull_request.head.sha, status: 'in_progress' }));
  });
  app.on('issue_comment.created', async (context) => {
    await context.octokit.rest.reactions.createForIssueComment(context.repo({ comment_id: context.payload.comment.id, content: '+1' }));
  });
}

describe('Probot configured the Probot way (GHE_HOST, GHE_PROTOCOL) against the stand-in, driven by signed deliveries', () => {
  const secret = 'probot-stand-in-secret';
  let standIn: StandIn;
  let server: Server;
  let driver: WebhookDriver;
  const pr: PullTarget = { installationId: INSTALLATION, owner: OWNER, repo: REPO, number: PR, headSha: HEAD, author: 'alice' };

  beforeAll(async () => {
    ({ standIn } = await seededStandIn());
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const probot = createProbot({
      env: { APP_ID: '1', PRIVATE_KEY: privateKey, WEBHOOK_SECRET: secret, LOG_LEVEL: 'fatal', ...standIn.probotEnv() },
      overrides: { Octokit: ProbotOctokit.defaults({ throttle: { enabled: false }, retry: { enabled: false } }) },
    });
    const middleware = await createNodeMiddleware(probeApp, { probot });
    server = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    driver = new WebhookDriver({ appUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, secret, concurrency: 2 });
  });
  afterAll(async () => {
    driver.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(standIn.internalErrors).toEqual([]);
    await standIn.stop();
  });

  it('handles an opened PR and a command: installation token minted, check created, reaction added, nothing unknown called', async () => {
    const comment = standIn.state.addComment(OWNER, REPO, PR, 'bob', '/approve');
    const summary = await driver.sendAll([
      buildDelivery({ event: 'pull_request.opened', pr }),
      buildDelivery({ event: 'issue_comment.created', pr, commenter: 'bob', body: '/approve', commentId: comment.id }),
    ]);
    expect(summary).toMatchObject({ sent: 2, accepted: 2 });
    expect(standIn.state.checkRuns(OWNER, REPO, { headSha: HEAD })).toEqual([expect.objectContaining({ name: 'hitl', status: 'in_progress' })]);
    expect(standIn.state.comments(OWNER, REPO, PR)[0]!.reactions).toEqual([expect.objectContaining({ content: '+1', user: 'hitl[bot]' })]);
    const stats = standIn.calls.stats({ installationId: INSTALLATION });
    expect(stats).toMatchObject({ writes: 2, unknown: 0 });
    expect(stats.byRoute['apps.createInstallationAccessToken']).toBeGreaterThanOrEqual(1);
  });

  it('rejects a delivery with a bad signature before any GitHub call', async () => {
    const before = standIn.calls.calls().length;
    const result = await driver.send(buildDelivery({ event: 'pull_request.opened', pr }), `sha256=${'0'.repeat(64)}`);
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(standIn.calls.calls().length).toBe(before);
  });
});
