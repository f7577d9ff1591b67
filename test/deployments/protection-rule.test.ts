import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { MemoryAuditSink } from '../../src/audit/types.js';
import type { FreezeWindow } from '../../src/policy/freeze.js';
import { handleDeployCommand, handleDeploymentProtectionRule, type DeploymentDeps } from '../../src/deployments/protection-rule.js';
import { PendingDeployments } from '../../src/deployments/store.js';
import { deploymentProtectionRule, issueComment, mergedPullRequest, RUN_ID } from '../fixtures/deployments/payloads.js';
import { APP_ID, capture, testReaders } from './harness.js';
import { API, configReads, testOctokit } from '../helpers/github.js';
import { testRedis } from '../helpers/redis.js';

const NOW = Date.parse('2026-11-24T09:00:00Z');
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const PR_HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const REVIEW_PATH = `/repos/${OWNER}/${REPO}/actions/runs/${RUN_ID}/deployment_protection_rule`;

const { redis, prefix, close } = testRedis('deployments');
let deps: DeploymentDeps & { audit: MemoryAuditSink };
let deployedSha: string;

beforeAll(() => nock.disableNetConnect());
afterAll(close);
/** Each test's readers start with an empty cache. */
let readConfig = configReads();

beforeEach(() => {
  readConfig = configReads();
  const payload = deploymentProtectionRule();
  deployedSha = payload.deployment.sha;
  deps = {
    readers: testReaders(redis, prefix),
    github: testOctokit(),
    audit: new MemoryAuditSink(),
    pending: new PendingDeployments(redis, `${prefix}${Math.random().toString(36).slice(2)}:`),
    clock: () => NOW,
  };
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

function mockConfig(text: string | undefined): void {
  readConfig(nock(API), text, { owner: OWNER, repo: REPO, ref: 'master', sha: 'cfg1' });
}

/** The deployed commit is the merge commit of Hello-World#2; its head carries a hitl run in `state`. */
function mockShippedPr(run: { status: string; conclusion: string | null; title: string } | undefined): void {
  nock(API).get(`/repos/${OWNER}/${REPO}/commits/${deployedSha}/pulls`).reply(200, [mergedPullRequest(deployedSha)]);
  nock(API)
    .get(`/repos/${OWNER}/${REPO}/commits/${PR_HEAD}/check-runs`)
    .query({ filter: 'latest', app_id: String(APP_ID), per_page: 100 })
    .reply(200, run === undefined ? { total_count: 0, check_runs: [] } : { total_count: 1, check_runs: [{ id: 9, name: 'hitl', head_sha: PR_HEAD, app: { id: APP_ID }, status: run.status, conclusion: run.conclusion, output: { title: run.title } }] });
}

/** `login` has write access (every approver needs it: the permission is read with the roles). */
function mockWriteAccess(login: string): void {
  nock(API).get(`/repos/${OWNER}/${REPO}/collaborators/${login}/permission`).reply(200, { permission: 'write', role_name: 'write', user: { login } });
}

/** The review GitHub receives; the tests assert its exact body. */
function mockReview(): { bodies: unknown[] } {
  const review = capture();
  nock(API).post(REVIEW_PATH, review.match).reply(204);
  return review;
}

describe('deployment protection rule', () => {
  it('approves a production deployment of a commit whose pull request passed the hitl gate', async () => {
    mockConfig(undefined);
    mockShippedPr({ status: 'completed', conclusion: 'success', title: 'All checkpoints approved' });
    const review = mockReview();

    const outcome = await handleDeploymentProtectionRule(deploymentProtectionRule(), deps);

    const comment = 'HITL: PR #2 passed the hitl gate; no freeze is open.';
    expect(outcome).toEqual({ kind: 'answered', state: 'approved', comment });
    expect(review.bodies).toEqual([{ environment_name: 'production', state: 'approved', comment }]);
    expect(deps.audit.entries).toMatchObject([
      { action: 'deployment_approved', actor: 'hitl', repo: 'Codertocat/Hello-World', pr: 2, headSha: deployedSha, reason: comment, configVersion: 'built-in', details: { environment: 'production', run_id: RUN_ID } },
    ]);
  });

  it('counts a hitl check passed by emergency override, and says so', async () => {
    mockConfig(undefined);
    mockShippedPr({ status: 'completed', conclusion: 'success', title: 'Bypassed: emergency override by @oncall' });
    const review = mockReview();

    await handleDeploymentProtectionRule(deploymentProtectionRule(), deps);

    expect(review.bodies).toEqual([{ environment_name: 'production', state: 'approved', comment: 'HITL: PR #2 passed by emergency override; no freeze is open.' }]);
  });

  it('rejects a deployment of a commit whose pull request was merged while hitl was still pending', async () => {
    mockConfig(undefined);
    mockShippedPr({ status: 'in_progress', conclusion: null, title: 'Waiting for security_review' });
    const review = mockReview();

    const outcome = await handleDeploymentProtectionRule(deploymentProtectionRule(), deps);

    const comment = 'HITL: not approved for production: PR #2 was merged while its hitl check was still in progress.';
    expect(outcome).toEqual({ kind: 'answered', state: 'rejected', comment });
    expect(review.bodies).toEqual([{ environment_name: 'production', state: 'rejected', comment }]);
    expect(deps.audit.entries.map((e) => e.action)).toEqual(['deployment_rejected']);
  });

  it('rejects a deployment whose pull request failed its gate, quoting the check title', async () => {
    mockConfig(undefined);
    mockShippedPr({ status: 'completed', conclusion: 'failure', title: 'security_review rejected by @sec' });
    const review = mockReview();

    await handleDeploymentProtectionRule(deploymentProtectionRule(), deps);

    expect(review.bodies).toEqual([
      { environment_name: 'production', state: 'rejected', comment: 'HITL: not approved for production: PR #2: hitl is failure (security_review rejected by @sec).' },
    ]);
  });

  it('rejects a commit that belongs to no pull request (a direct push)', async () => {
    mockConfig(undefined);
    nock(API).get(`/repos/${OWNER}/${REPO}/commits/${deployedSha}/pulls`).reply(200, []);
    const review = mockReview();

    await handleDeploymentProtectionRule(deploymentProtectionRule(), deps);

    expect(review.bodies).toEqual([
      {
        environment_name: 'production',
        state: 'rejected',
        comment: 'HITL: commit f95f852 belongs to no pull request, so nothing shows it passed the hitl gate; deploy a commit merged through a pull request.',
      },
    ]);
  });

  it('approves a staging deployment at once, without looking at pull requests', async () => {
    mockConfig('bypass:\n  test_environments: { environments: ["staging", "preview-*"] }\n');
    const review = mockReview();

    const outcome = await handleDeploymentProtectionRule(deploymentProtectionRule('staging'), deps);

    const comment = 'HITL: staging is a test environment (bypass.test_environments); approved without a gate check.';
    expect(outcome).toEqual({ kind: 'answered', state: 'approved', comment });
    expect(review.bodies).toEqual([{ environment_name: 'staging', state: 'approved', comment }]);
    expect(deps.audit.entries).toMatchObject([{ action: 'deployment_approved', configVersion: 'repo@cfg1' }]);
  });

  it('rejects with the error and its line when .hitl.yml is invalid', async () => {
    mockConfig('bypass:\n  protected_environments: production\n');
    const review = mockReview();

    const outcome = await handleDeploymentProtectionRule(deploymentProtectionRule(), deps);

    expect(outcome).toMatchObject({ kind: 'answered', state: 'rejected' });
    expect(review.bodies).toEqual([
      { environment_name: 'production', state: 'rejected', comment: expect.stringMatching(/^HITL: invalid \.hitl\.yml: \.hitl\.yml:2:\d+: error: bypass\.protected_environments: /) },
    ]);
  });

  it('rejects during an open freeze without looking at pull requests', async () => {
    mockConfig(undefined);
    const review = mockReview();
    const freeze: FreezeWindow = { name: 'black-friday', schedule: { kind: 'fixed', startMs: NOW - 3_600_000, endMs: NOW + 86_400_000 } };

    await handleDeploymentProtectionRule(deploymentProtectionRule(), { ...deps, freezeWindows: () => [freeze] });

    expect(review.bodies).toEqual([
      { environment_name: 'production', state: 'rejected', comment: 'HITL: deployments are frozen by "black-friday" until 2026-11-25T09:00:00.000Z; deploy again after it closes.' },
    ]);
  });

  it('returns a clear error for a payload without a callback URL, and calls nothing', async () => {
    const payload = deploymentProtectionRule();
    delete payload.deployment_callback_url;

    const outcome = await handleDeploymentProtectionRule(payload, deps);

    expect(outcome).toEqual({ kind: 'invalid', error: expect.stringContaining('deployment_callback_url') });
  });
});

describe('required human approval for production', () => {
  const config = 'roles:\n  technical_lead: ["alice"]\ndeployments:\n  require_approval: [technical_lead]\n';

  async function requestDeployment(): Promise<unknown> {
    mockConfig(config);
    mockShippedPr({ status: 'completed', conclusion: 'success', title: 'All checkpoints approved' });
    return handleDeploymentProtectionRule(deploymentProtectionRule(), deps);
  }

  it('leaves the deployment waiting and asks the role once on the pull request, even when the event is redelivered', async () => {
    const ask = capture();
    nock(API).post(`/repos/${OWNER}/${REPO}/issues/2/comments`, ask.match).reply(201, { id: 1 });

    expect(await requestDeployment()).toEqual({ kind: 'awaiting_approval', pr: 2, asked: true });
    expect(await requestDeployment()).toEqual({ kind: 'awaiting_approval', pr: 2, asked: false });

    expect(ask.bodies).toEqual([{ body: expect.stringContaining('one of technical_lead (@alice) decides') }]);
    expect(ask.bodies[0]).toEqual({ body: expect.stringContaining('`/approve deploy`') });
    expect(deps.audit.entries.map((e) => [e.action, e.checkpoint])).toEqual([['checkpoint_opened', 'deploy']]);
  });

  it('approves the waiting deployment on /approve deploy by the role, and refuses anyone else with a reply', async () => {
    nock(API).post(`/repos/${OWNER}/${REPO}/issues/2/comments`).reply(201, { id: 1 });
    await requestDeployment();
    const repository = deploymentProtectionRule().repository;

    mockConfig(config);
    const refusal = capture();
    nock(API).post(`/repos/${OWNER}/${REPO}/issues/2/comments`, refusal.match).reply(201, { id: 2 });
    mockWriteAccess('bob');
    const refused = await handleDeployCommand(issueComment({ repository, number: 2, by: 'bob', body: '/approve deploy', pullRequest: true }), { kind: 'approve' }, deps);
    expect(refused).toEqual({ kind: 'refused', reason: '@bob is not an approver of deploy (needs technical_lead)' });
    expect(refusal.bodies).toEqual([{ body: '@bob is not an approver of deploy (needs technical_lead).' }]);

    mockConfig(config);
    mockWriteAccess('alice');
    const review = mockReview();
    const approved = await handleDeployCommand(issueComment({ repository, number: 2, by: 'alice', body: '/approve deploy', pullRequest: true }), { kind: 'approve' }, deps);

    const comment = 'HITL: PR #2 passed the hitl gate, approved by @alice; no freeze is open.';
    expect(approved).toEqual({ kind: 'answered', answers: [{ environment: 'production', runId: RUN_ID, state: 'approved', comment }] });
    expect(review.bodies).toEqual([{ environment_name: 'production', state: 'approved', comment }]);
    expect(await deps.pending.list('Codertocat/Hello-World', 2)).toEqual([]);
    expect(deps.audit.entries.map((e) => [e.action, e.actor])).toEqual([
      ['checkpoint_opened', 'hitl'],
      ['command_refused', 'bob'],
      ['deployment_approved', 'alice'],
    ]);
  });

  it('rejects the waiting deployment on /reject deploy with the reason', async () => {
    nock(API).post(`/repos/${OWNER}/${REPO}/issues/2/comments`).reply(201, { id: 1 });
    await requestDeployment();

    mockConfig(config);
    mockWriteAccess('alice');
    const review = mockReview();
    const outcome = await handleDeployCommand(
      issueComment({ repository: deploymentProtectionRule().repository, number: 2, by: 'alice', body: '/reject deploy the migration is not ready', pullRequest: true }),
      { kind: 'reject', reason: 'the migration is not ready' },
      deps,
    );

    expect(outcome).toMatchObject({ kind: 'answered', answers: [{ state: 'rejected' }] });
    expect(review.bodies).toEqual([{ environment_name: 'production', state: 'rejected', comment: 'HITL: rejected by @alice: the migration is not ready' }]);
  });

  it('refuses /approve deploy from the author of the pull request even when they hold the role', async () => {
    nock(API).post(`/repos/${OWNER}/${REPO}/issues/2/comments`).reply(201, { id: 1 });
    await requestDeployment();

    mockConfig(config);
    mockWriteAccess('alice');
    nock(API).post(`/repos/${OWNER}/${REPO}/issues/2/comments`).reply(201, { id: 2 });
    const outcome = await handleDeployCommand(
      issueComment({ repository: deploymentProtectionRule().repository, number: 2, by: 'alice', issueAuthor: 'alice', body: '/approve deploy', pullRequest: true }),
      { kind: 'approve' },
      deps,
    );

    expect(outcome).toEqual({ kind: 'refused', reason: 'the author of a pull request cannot approve it' });
    expect(await deps.pending.list('Codertocat/Hello-World', 2)).toHaveLength(1);
  });

  it('answers /approve deploy on a pull request with nothing waiting with a reply, without reading the config', async () => {
    const reply = capture();
    nock(API).post(`/repos/${OWNER}/${REPO}/issues/2/comments`, reply.match).reply(201, { id: 3 });

    const outcome = await handleDeployCommand(issueComment({ repository: deploymentProtectionRule().repository, number: 2, by: 'alice', body: '/approve deploy', pullRequest: true }), { kind: 'approve' }, deps);

    expect(outcome).toEqual({ kind: 'refused', reason: 'no deployment of this pull request is waiting for approval' });
    expect(reply.bodies).toEqual([{ body: '@alice no deployment of this pull request is waiting for approval.' }]);
  });
});
