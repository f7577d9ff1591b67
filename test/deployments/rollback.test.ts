import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { MemoryAuditSink } from '../../src/audit/types.js';
import { loadConfig } from '../../src/config/load.js';
import { isRevertPullRequest } from '../../src/policy/facts.js';
import { handleRollbackCommand, handleRollbackDispatch, rollbackGateAnswer, type RollbackDeps } from '../../src/deployments/rollback.js';
import { RollbackRecords } from '../../src/deployments/store.js';
import { classify } from '../../src/policy/classify.js';
import { INSTALLATION_ID, issueComment, repositoryDispatch } from '../fixtures/deployments/payloads.js';
import { example } from '../helpers/webhooks.js';
import { capture, FakeEscalation, testReaders } from './harness.js';
import { API, configReads, testOctokit } from '../helpers/github.js';
import { testRedis } from '../helpers/redis.js';

const NOW = Date.parse('2026-11-24T09:00:00Z');
const OWNER = 'octo-org';
const REPO = 'octo-repo';
const ISSUE = 31;
const CONFIG = 'roles:\n  on_call_engineer: ["@octo-org/oncall", "carol"]\n  technical_lead: ["@octo-org/leads"]\n';
const REQUEST = {
  service: 'checkout-api',
  environment: 'production',
  from_sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  to_sha: '0f1e2d3c4b5a69788796a5b4c3d2e1f012345678',
  reason: 'error rate 12% after deploy',
  requested_by: 'rollback-bot',
  dispatch_id: 'rb-2026-11-24-1',
};
const ALL_TICKED = '- [x] Impact assessment\n- [x] Rollback scope\n- [x] Communication plan\n- [x] Recovery timeline\n';

const { redis, prefix, close } = testRedis('rollback');
let deps: RollbackDeps & { audit: MemoryAuditSink; escalation: FakeEscalation };

beforeAll(() => nock.disableNetConnect());
afterAll(close);
/** Each test's readers start with an empty cache. */
let readConfig = configReads();

beforeEach(() => {
  readConfig = configReads();
  deps = {
    readers: testReaders(redis, prefix),
    github: testOctokit(),
    audit: new MemoryAuditSink(),
    records: new RollbackRecords(redis, `${prefix}${Math.random().toString(36).slice(2)}:`),
    escalation: new FakeEscalation(),
    clock: () => NOW,
  };
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

function mockConfig(): void {
  readConfig(nock(API), CONFIG, { owner: OWNER, repo: REPO, ref: 'master', sha: 'cfg1' });
}

function mockIssueCreation(): { bodies: unknown[] } {
  const created = capture();
  nock(API).post(`/repos/${OWNER}/${REPO}/issues`, created.match).reply(201, { number: ISSUE, html_url: `https://github.com/${OWNER}/${REPO}/issues/${ISSUE}` });
  return created;
}

async function openRollback(): Promise<void> {
  mockConfig();
  mockIssueCreation();
  await handleRollbackDispatch(repositoryDispatch('hitl.rollback', REQUEST), 'delivery-1', deps);
}

/** A person as GitHub answers: write access, and team memberships `active` for the teams given, 404 for the others. */
function mockTeams(login: string, activeIn: string[]): void {
  nock(API).get(`/repos/${OWNER}/${REPO}/collaborators/${login}/permission`).reply(200, { permission: 'write', role_name: 'write', user: { login } });
  for (const team of ['oncall', 'leads']) {
    const scope = nock(API).get(`/orgs/${OWNER}/teams/${team}/memberships/${login}`);
    if (activeIn.includes(team)) scope.reply(200, { state: 'active', role: 'member' });
    else scope.reply(404, { message: 'Not Found' });
  }
}

const comment = (by: string, body: string, issueBody = ALL_TICKED) =>
  issueComment({ repository: example('repository_dispatch').repository, number: ISSUE, by, body, issueBody, issueAuthor: 'hitl[bot]' });

describe('revert pull requests switch the rollback decision checkpoint on', () => {
  it('recognises a revert PR built from the real pull_request example and activates rollback_decision', () => {
    const event = example('pull_request', 'opened');
    const pr = event.pull_request;
    pr.title = 'Revert "Update the README with new information."';
    pr.body = 'This reverts commit ec26c3e57ca3a959ca5aad62de7213c562f8c821.';
    const loaded = loadConfig({});
    if (!loaded.ok) throw new Error('the built-in config must load');

    const plan = classify(
      {
        number: pr.number,
        title: pr.title,
        body: pr.body,
        author: pr.user.login,
        authorIsBot: false,
        baseRef: pr.base.ref,
        headSha: pr.head.sha,
        draft: pr.draft,
        labels: [],
        files: [{ path: 'README.md', additions: 1, deletions: 1 }],
        changedFiles: 1,
        additions: 1,
        deletions: 1,
        isRevert: isRevertPullRequest(pr.title, pr.body),
        startedAt: NOW,
      },
      loaded.config,
    );

    expect(plan.items.map((i) => [i.name, i.reasons.map((r) => r.kind)])).toEqual([['rollback_decision', ['revert']]]);
    expect(plan.items[0]?.approvers.roles).toEqual(['technical_lead', 'on_call_engineer']);
  });

  it.each([
    ['Revert "Add caching"', 'Reverts octo-org/octo-repo#42', true],
    ['Undo caching', 'This reverts commit 1a2b3c4d.', true],
    ['Revert "Add caching"', '', true],
    ['Revert the caching idea', 'We decided against it.', false],
    ['Add caching', null, false],
  ])('isRevertPullRequest(%j, %j) is %s', (title, body, expected) => {
    expect(isRevertPullRequest(title, body)).toBe(expected);
  });
});

describe('a hitl.rollback dispatch', () => {
  it('opens one issue carrying the checkpoint, asks the on-call role and starts the escalation', async () => {
    mockConfig();
    const created = mockIssueCreation();

    const outcome = await handleRollbackDispatch(repositoryDispatch('hitl.rollback', REQUEST), 'delivery-1', deps);

    expect(outcome).toEqual({ kind: 'opened', dispatchId: 'rb-2026-11-24-1', issueNumber: ISSUE });
    expect(created.bodies).toEqual([
      {
        title: 'Rollback decision: checkout-api on production (a1b2c3d → 0f1e2d3)',
        body: expect.any(String),
        labels: ['hitl:rollback'],
        assignees: ['carol'],
      },
    ]);
    const body = (created.bodies[0] as { body: string }).body;
    for (const line of ['- [ ] Impact assessment', '- [ ] Rollback scope', '- [ ] Communication plan', '- [ ] Recovery timeline']) expect(body).toContain(line);
    expect(body).toContain('@octo-org/leads @octo-org/oncall @carol: one of technical_lead or on_call_engineer decides within 1 hour');
    expect(body).toContain('| Reason | error rate 12% after deploy |');
    expect(deps.escalation.ensured).toEqual([
      { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, number: ISSUE, item: 'rollback_decision', since: NOW, deadline: NOW + 3_600_000, escalateAt: NOW + 300_000,
        levels: [300_000, 1_800_000, 7_200_000, 14_400_000].map((timeoutMs, i) => ({ level: i + 1, timeoutMs })), notify: { channels: [], fromLevel: 3 } },
    ]);
    expect(deps.audit.entries).toMatchObject([{ action: 'checkpoint_opened', checkpoint: 'rollback_decision', pr: ISSUE, configVersion: 'repo@cfg1' }]);
  });

  it('opens no second issue when the same dispatch is delivered again', async () => {
    await openRollback();

    const again = await handleRollbackDispatch(repositoryDispatch('hitl.rollback', REQUEST), 'delivery-2', deps);

    expect(again).toEqual({ kind: 'duplicate', dispatchId: 'rb-2026-11-24-1' });
    expect(deps.escalation.ensured).toHaveLength(1);
  });

  it('keys on the delivery id when the request carries no dispatch id', async () => {
    const { dispatch_id: _unused, ...withoutId } = REQUEST;
    mockConfig();
    mockIssueCreation();
    await handleRollbackDispatch(repositoryDispatch('hitl.rollback', withoutId), 'delivery-7', deps);

    expect(await handleRollbackDispatch(repositoryDispatch('hitl.rollback', withoutId), 'delivery-7', deps)).toEqual({ kind: 'duplicate', dispatchId: 'delivery-7' });
  });

  it('answers a malformed client_payload with a clear error sent back as hitl.rollback.rejected, opening nothing', async () => {
    const sent = capture();
    nock(API).post(`/repos/${OWNER}/${REPO}/dispatches`, sent.match).reply(204);

    const outcome = await handleRollbackDispatch(repositoryDispatch('hitl.rollback', { service: 'checkout-api', from_sha: 'not-a-sha', dispatch_id: 'rb-bad' }), 'delivery-3', deps);

    const error = 'invalid hitl.rollback client_payload: environment: Invalid input: expected string, received undefined; from_sha: expected a commit SHA (7 to 40 hex digits); to_sha: Invalid input: expected string, received undefined (and 1 more)';
    expect(outcome).toEqual({ kind: 'invalid', dispatchId: 'rb-bad', error });
    expect(sent.bodies).toEqual([{ event_type: 'hitl.rollback.rejected', client_payload: { dispatch_id: 'rb-bad', decision: 'rejected', decided_by: 'hitl', reason: error } }]);
    expect(deps.audit.entries).toMatchObject([{ action: 'rollback_rejected', reason: error }]);
  });

  it('does not crash on a payload that is not an object', async () => {
    expect(await handleRollbackDispatch('hitl.rollback', 'delivery-4', deps)).toEqual({
      kind: 'invalid',
      dispatchId: 'delivery-4',
      error: 'repository_dispatch payload: (root): Invalid input: expected object, received string',
    });
  });

  it('ignores other dispatch types, such as the real example and its own answers', async () => {
    expect(await handleRollbackDispatch(example('repository_dispatch'), 'delivery-5', deps)).toEqual({ kind: 'ignored', reason: 'dispatch type on-demand-test' });
    expect(await handleRollbackDispatch(repositoryDispatch('hitl.rollback.approved', {}), 'delivery-6', deps)).toEqual({ kind: 'ignored', reason: 'dispatch type hitl.rollback.approved' });
  });
});

describe('deciding the rollback issue', () => {
  it('refuses /approve from someone outside the checkpoint roles with a reply', async () => {
    await openRollback();
    mockTeams('dave', []);
    const reply = capture();
    nock(API).post(`/repos/${OWNER}/${REPO}/issues/${ISSUE}/comments`, reply.match).reply(201, { id: 1 });

    const outcome = await handleRollbackCommand(comment('dave', '/approve'), { kind: 'approve' }, deps);

    expect(outcome).toEqual({ kind: 'refused', reason: '@dave is not an approver of rollback_decision (needs technical_lead or on_call_engineer)' });
    expect(reply.bodies).toEqual([{ body: '@dave is not an approver of rollback_decision (needs technical_lead or on_call_engineer).' }]);
    expect(deps.escalation.cancelled).toEqual([]);
  });

  it('refuses /approve by on-call while a criterion is unticked', async () => {
    await openRollback();
    mockTeams('erin', ['oncall']);
    nock(API).post(`/repos/${OWNER}/${REPO}/issues/${ISSUE}/comments`).reply(201, { id: 1 });

    const outcome = await handleRollbackCommand(comment('erin', '/approve', '- [x] Impact assessment\n- [ ] Rollback scope\n- [x] communication_plan\n- [x] Recovery timeline'), { kind: 'approve' }, deps);

    expect(outcome).toEqual({ kind: 'refused', reason: 'tick every criterion in the issue description first (missing: Rollback scope)' });
  });

  it('on /approve by on-call sends hitl.rollback.approved, closes the issue and stops the escalation', async () => {
    await openRollback();
    mockTeams('erin', ['oncall']);
    const sent = capture();
    const said = capture();
    const closed = capture();
    nock(API).post(`/repos/${OWNER}/${REPO}/dispatches`, sent.match).reply(204);
    nock(API).post(`/repos/${OWNER}/${REPO}/issues/${ISSUE}/comments`, said.match).reply(201, { id: 2 });
    nock(API).patch(`/repos/${OWNER}/${REPO}/issues/${ISSUE}`, closed.match).reply(200, { number: ISSUE, state: 'closed' });

    const outcome = await handleRollbackCommand(comment('erin', '/approve'), { kind: 'approve' }, deps);

    expect(outcome).toEqual({ kind: 'decided', state: 'approved' });
    expect(sent.bodies).toEqual([
      {
        event_type: 'hitl.rollback.approved',
        client_payload: {
          dispatch_id: 'rb-2026-11-24-1',
          decision: 'approved',
          decided_by: 'erin',
          issue_number: ISSUE,
          issue_url: `https://github.com/${OWNER}/${REPO}/issues/${ISSUE}`,
          request: REQUEST,
        },
      },
    ]);
    expect(said.bodies).toEqual([{ body: 'Approved by @erin: the rollback goes on. HITL sent `hitl.rollback.approved` to the automation.' }]);
    expect(closed.bodies).toEqual([{ state: 'closed', state_reason: 'completed' }]);
    expect(deps.escalation.cancelled).toEqual([
      { target: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, number: ISSUE, item: 'rollback_decision' }, reason: 'rollback approved by erin' },
    ]);
    expect(deps.audit.entries.map((e) => [e.action, e.actor])).toEqual([
      ['checkpoint_opened', 'hitl'],
      ['rollback_approved', 'erin'],
    ]);
    expect(await rollbackGateAnswer(deps.records, { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, number: ISSUE, item: 'rollback_decision' })).toEqual({ pending: false });
  });

  it('on /reject by a technical lead sends hitl.rollback.rejected with the reason and closes the issue as not planned', async () => {
    await openRollback();
    expect(await rollbackGateAnswer(deps.records, { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, number: ISSUE, item: 'rollback_decision' })).toMatchObject({
      pending: true,
      diagnostics: { commands: ['/approve', '/reject <reason>'], pendingApprovers: ['@octo-org/leads', '@octo-org/oncall', '@carol'] },
    });
    mockTeams('frank', ['leads']);
    const sent = capture();
    const closed = capture();
    nock(API).post(`/repos/${OWNER}/${REPO}/dispatches`, sent.match).reply(204);
    nock(API).post(`/repos/${OWNER}/${REPO}/issues/${ISSUE}/comments`).reply(201, { id: 2 });
    nock(API).patch(`/repos/${OWNER}/${REPO}/issues/${ISSUE}`, closed.match).reply(200, { number: ISSUE, state: 'closed' });

    const outcome = await handleRollbackCommand(comment('frank', '/reject roll forward with the fix instead', ''), { kind: 'reject', reason: 'roll forward with the fix instead' }, deps);

    expect(outcome).toEqual({ kind: 'decided', state: 'rejected' });
    expect(sent.bodies).toEqual([
      { event_type: 'hitl.rollback.rejected', client_payload: expect.objectContaining({ decision: 'rejected', decided_by: 'frank', reason: 'roll forward with the fix instead', request: REQUEST }) },
    ]);
    expect(closed.bodies).toEqual([{ state: 'closed', state_reason: 'not_planned' }]);
    expect(deps.audit.entries.map((e) => e.action)).toEqual(['checkpoint_opened', 'rollback_rejected']);
  });

  it('does nothing once the issue is decided, and leaves comments on other issues to the caller', async () => {
    await openRollback();
    mockTeams('frank', ['leads']);
    nock(API).post(`/repos/${OWNER}/${REPO}/dispatches`).reply(204);
    nock(API).post(`/repos/${OWNER}/${REPO}/issues/${ISSUE}/comments`).reply(201, { id: 2 });
    nock(API).patch(`/repos/${OWNER}/${REPO}/issues/${ISSUE}`).reply(200, {});
    await handleRollbackCommand(comment('frank', '/reject no'), { kind: 'reject', reason: 'no' }, deps);

    expect(await handleRollbackCommand(comment('erin', '/approve'), { kind: 'approve' }, deps)).toEqual({ kind: 'already_decided' });
    const elsewhere = issueComment({ repository: example('repository_dispatch').repository, number: 99, by: 'erin', body: '/approve' });
    expect(await handleRollbackCommand(elsewhere, { kind: 'approve' }, deps)).toEqual({ kind: 'not_rollback' });
  });
});
