import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Octokit } from '@octokit/rest';
import { Webhooks } from '@octokit/webhooks';
import { ProbotOctokit } from 'probot';
import type { StandIn } from '../../src/stand-in/server.js';
import { buildDelivery, signBody, WebhookDriver, type PullTarget } from '../../src/stand-in/webhooks.js';
import { HEAD, INSTALLATION, OWNER, PR, REPO, seededStandIn } from './helpers.js';

describe('a real Octokit against the stand-in', () => {
  let standIn: StandIn;
  let octokit: Octokit;

  beforeAll(async () => {
    ({ standIn } = await seededStandIn());
    octokit = new Octokit({ baseUrl: standIn.baseUrl, auth: standIn.state.issueToken(INSTALLATION) });
  });
  afterAll(async () => {
    expect(standIn.internalErrors).toEqual([]);
    await standIn.stop();
  });

  it('creates a check run and updates it in place', async () => {
    const { data: created } = await octokit.rest.checks.create({ owner: OWNER, repo: REPO, name: 'hitl', head_sha: HEAD, status: 'in_progress', output: { title: 'Pending', summary: 'needs 1 approval' } });
    const { data: updated } = await octokit.rest.checks.update({ owner: OWNER, repo: REPO, check_run_id: created.id, conclusion: 'success', output: { title: 'Approved', summary: 'approved by bob' } });
    expect(updated).toMatchObject({ id: created.id, status: 'completed', conclusion: 'success' });
    const runs = standIn.state.checkRuns(OWNER, REPO, { headSha: HEAD });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ updates: 1, output: { title: 'Approved', summary: 'approved by bob' } });
    expect(standIn.calls.stats().byRoute).toMatchObject({ 'checks.create': 1, 'checks.update': 1 });
  });

  it('lists all files of a large pull request with octokit.paginate', async () => {
    standIn.state.pushToPull(OWNER, REPO, PR, 'd'.repeat(40), Array.from({ length: 250 }, (_, i) => ({ filename: `docs/p${i}.md` })));
    const before = standIn.calls.calls({ route: 'pulls.listFiles' }).length;
    const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: OWNER, repo: REPO, pull_number: PR, per_page: 100 });
    expect(files.map((file) => file.filename)).toEqual(Array.from({ length: 250 }, (_, i) => `docs/p${i}.md`));
    expect(standIn.calls.calls({ route: 'pulls.listFiles' }).length - before).toBe(3);
  });

  it('authenticates a Probot Octokit as the installation through POST /app/installations/{id}/access_tokens', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const probotOctokit = new ProbotOctokit({ auth: { appId: 1, privateKey, installationId: INSTALLATION }, baseUrl: standIn.baseUrl, throttle: { enabled: false }, retry: { enabled: false } });
    const { data } = await probotOctokit.rest.repos.getCollaboratorPermissionLevel({ owner: OWNER, repo: REPO, username: 'bob' });
    expect(data.permission).toBe('write');
    const auth = standIn.calls.calls({ route: 'apps.createInstallationAccessToken' });
    expect(auth).toEqual([expect.objectContaining({ installationId: INSTALLATION, kind: 'auth', status: 201 })]);
    expect(standIn.calls.calls({ route: 'repos.getCollaboratorPermissionLevel' })[0]).toMatchObject({ installationId: INSTALLATION, kind: 'read' });
  });
});

describe('the webhook driver', () => {
  const secret = 'stand-in-test-secret';
  const pr: PullTarget = { installationId: 7, owner: 'acme', repo: 'api', number: 12, headSha: 'e'.repeat(40), author: 'alice', changedFiles: 3 };
  let received: Array<{ headers: IncomingHttpHeaders; body: string }>;
  let inFlight = 0;
  let peak = 0;
  let appUrl: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    received = [];
    const server = createServer((req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        setTimeout(() => {
          inFlight--;
          res.writeHead(req.url === '/api/github/webhooks' ? 200 : 404).end();
        }, 5);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  it('rewrites the real examples for the installation, repository, pull request, head and sender', () => {
    const opened = buildDelivery({ event: 'pull_request.opened', pr }).payload as any;
    expect(opened).toMatchObject({ action: 'opened', number: 12, installation: { id: 7 }, repository: { full_name: 'acme/api', name: 'api', owner: { login: 'acme' } }, sender: { login: 'alice' } });
    expect(opened.pull_request).toMatchObject({ number: 12, state: 'open', user: { login: 'alice' }, head: { sha: pr.headSha }, base: { ref: 'main', repo: { full_name: 'acme/api' } }, changed_files: 3 });
    const sync = buildDelivery({ event: 'pull_request.synchronize', pr, before: 'f'.repeat(40) }).payload as any;
    expect(sync).toMatchObject({ action: 'synchronize', before: 'f'.repeat(40), after: pr.headSha });
    const review = buildDelivery({ event: 'pull_request_review.submitted', pr, reviewer: 'bob', state: 'approved' }).payload as any;
    expect(review).toMatchObject({ action: 'submitted', review: { state: 'approved', user: { login: 'bob' }, commit_id: pr.headSha }, pull_request: { number: 12 }, sender: { login: 'bob' } });
    const comment = buildDelivery({ event: 'issue_comment.created', pr, commenter: 'bob', body: '/approve' }).payload as any;
    expect(comment).toMatchObject({ action: 'created', issue: { number: 12, user: { login: 'alice' }, pull_request: { url: 'https://api.github.com/repos/acme/api/pulls/12' } }, comment: { body: '/approve', user: { login: 'bob' } } });
    for (const payload of [opened, sync, review, comment]) expect(JSON.stringify(payload)).not.toContain('Codertocat/Hello-World');
  });

  it('builds a merge (closed, merged_by, merge commit) with the description and labels, and a deployment protection rule', () => {
    const closed = buildDelivery({ event: 'pull_request.closed', pr: { ...pr, body: '- [x] Rollback plan', labels: ['emergency'] }, merged: { by: 'bob', commitSha: 'c'.repeat(40) }, sender: 'bob' }).payload as any;
    expect(closed).toMatchObject({ action: 'closed', number: 12, sender: { login: 'bob' } });
    expect(closed.pull_request).toMatchObject({ state: 'closed', merged: true, merged_by: { login: 'bob' }, merge_commit_sha: 'c'.repeat(40), body: '- [x] Rollback plan', labels: [{ name: 'emergency' }] });
    expect(closed.pull_request.merged_at).toEqual(expect.any(String));
    const unmerged = buildDelivery({ event: 'pull_request.closed', pr, merged: null, sender: 'alice' }).payload as any;
    expect(unmerged.pull_request).toMatchObject({ state: 'closed', merged: false, merged_at: null, merge_commit_sha: null });
    const repo = { installationId: 7, owner: 'acme', repo: 'api' };
    const rule = buildDelivery({ event: 'deployment_protection_rule.requested', repo, environment: 'production', sha: 'd'.repeat(40), ref: 'main', runId: 501, deploymentId: 9, sender: 'bob' });
    expect(rule.name).toBe('deployment_protection_rule');
    expect(rule.payload).toMatchObject({
      action: 'requested',
      environment: 'production',
      deployment_callback_url: 'https://api.github.com/repos/acme/api/actions/runs/501/deployment_protection_rule',
      deployment: { id: 9, sha: 'd'.repeat(40), ref: 'main', environment: 'production', creator: { login: 'bob' } },
      repository: { full_name: 'acme/api' },
      installation: { id: 7 },
    });
    for (const payload of [closed, rule.payload]) expect(JSON.stringify(payload)).not.toContain('Codertocat/Hello-World');
  });

  it('signs deliveries so @octokit/webhooks verifies them, and a tampered body does not verify', async () => {
    const webhooks = new Webhooks({ secret });
    const delivery = buildDelivery({ event: 'issue_comment.created', pr, commenter: 'bob', body: '/hold' });
    expect(await webhooks.verify(delivery.body, signBody(secret, delivery.body))).toBe(true);
    expect(await webhooks.verify(delivery.body.replace('/hold', '/unhold'), signBody(secret, delivery.body))).toBe(false);
  });

  it('posts with GitHub’s headers, a unique or chosen delivery id, at most `concurrency` at once, and counts the answers', async () => {
    const webhooks = new Webhooks({ secret });
    const driver = new WebhookDriver({ appUrl, secret, concurrency: 3 });
    const deliveries = [
      ...Array.from({ length: 9 }, (_, i) => buildDelivery({ event: 'pull_request.synchronize', pr: { ...pr, headSha: String(i).repeat(40) }, before: HEAD })),
      buildDelivery({ event: 'pull_request.opened', pr }, { id: 'redelivered-1' }),
    ];
    const summary = await driver.sendAll(deliveries);
    driver.close();
    expect(summary).toMatchObject({ sent: 10, accepted: 10, failed: 0, byStatus: { 200: 10 } });
    expect(peak).toBeLessThanOrEqual(3);
    expect(summary.results.every((result) => result.latencyMs > 0)).toBe(true);
    const ids = received.map((delivery) => delivery.headers['x-github-delivery']);
    expect(new Set(ids).size).toBe(10);
    expect(ids).toContain('redelivered-1');
    for (const { headers, body } of received) {
      expect(headers['content-type']).toBe('application/json');
      expect(['pull_request']).toContain(headers['x-github-event']);
      expect(await webhooks.verify(body, String(headers['x-hub-signature-256']))).toBe(true);
    }
  });

  it('reports the status of a rejected delivery and refuses targets off loopback', async () => {
    const driver = new WebhookDriver({ appUrl, secret, path: '/elsewhere', concurrency: 1 });
    const result = await driver.send(buildDelivery({ event: 'pull_request.opened', pr }), 'sha256=bad');
    driver.close();
    expect(result).toMatchObject({ name: 'pull_request', action: 'opened', status: 404 });
    expect(() => new WebhookDriver({ appUrl: 'http://example.com', secret })).toThrow(/loopback/);
  });
});
