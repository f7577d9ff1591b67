/**
 * Deployments and rollbacks through the production factory: the custom deployment protection
 * rule, `/approve deploy` on the pull request, and the rollback decision checkpoint opened by a
 * `hitl.rollback` dispatch and decided on its issue. Exact requests; nothing else asked of GitHub.
 */
import { describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { deploymentProtectionRule, INSTALLATION_ID, issueComment, mergedPullRequest, repositoryDispatch, RUN_ID } from '../fixtures/deployments/payloads.js';
import { example } from '../helpers/webhooks.js';
import { API, configReads } from '../helpers/github.js';
import { appForFile, expectOnly, type AppUnderTest } from './harness.js';

const NOW = Date.parse('2026-11-24T09:00:00Z');
const APP_ID = 123; // the harness's APP_ID
const HELLO = '/repos/Codertocat/Hello-World';
const PR_HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const REVIEW_PATH = `${HELLO}/actions/runs/${RUN_ID}/deployment_protection_rule`;
let app: AppUnderTest;
let tokenIssued = false;
const readConfig = configReads();

appForFile('app-deployments', () => NOW, (started) => (app = started));

/** The fixtures' installation: its token is asked for once, then Probot keeps it. */
function github(): nock.Scope {
  const scope = nock(API);
  if (!tokenIssued) scope.post(`/app/installations/${INSTALLATION_ID}/access_tokens`).reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: {} });
  tokenIssued = true;
  return scope;
}

/** `/repos/{owner}/{repo}` of a fixture repository, its config on the default branch (master). */
function mockConfig(scope: nock.Scope, repo: string, text: string | undefined): void {
  const [, , owner, name] = repo.split('/');
  readConfig(scope, text, { owner, repo: name, ref: 'master' });
}

/** The deployed commit is the merge commit of Hello-World#2, whose head carries our passed `hitl` run. */
function mockShippedPr(scope: nock.Scope, sha: string): void {
  scope.get(`${HELLO}/commits/${sha}/pulls`).reply(200, [mergedPullRequest(sha)]);
  scope
    .get(`${HELLO}/commits/${PR_HEAD}/check-runs`)
    .query({ filter: 'latest', app_id: String(APP_ID), per_page: 100 })
    .reply(200, { total_count: 1, check_runs: [{ id: 9, name: 'hitl', head_sha: PR_HEAD, app: { id: APP_ID }, status: 'completed', conclusion: 'success', output: { title: 'All checkpoints approved' } }] });
}

/** `login` has write access on `repo` (every approver needs it: the permission is read with the roles). */
function mockWriteAccess(scope: nock.Scope, repo: string, login: string): void {
  scope.get(`${repo}/collaborators/${login}/permission`).reply(200, { permission: 'write', role_name: 'write', user: { login } });
}

function capture(scope: nock.Scope, method: 'post' | 'patch', path: string, status: number, reply: nock.Body = {}): unknown[] {
  const bodies: unknown[] = [];
  scope.intercept(path, method.toUpperCase(), (body) => (bodies.push(body), true)).reply(status, reply);
  return bodies;
}

describe('deployment_protection_rule through the app', () => {
  it('approves a production deployment of a commit whose pull request passed, with the reason in the review comment', async () => {
    const payload = deploymentProtectionRule();
    const scope = github();
    mockConfig(scope, HELLO, undefined);
    mockShippedPr(scope, payload.deployment.sha);
    const review = capture(scope, 'post', REVIEW_PATH, 204);
    await app.deliver('deployment_protection_rule', payload);
    expectOnly(app, scope);
    expect(review).toEqual([{ environment_name: 'production', state: 'approved', comment: 'HITL: PR #2 passed the hitl gate; no freeze is open.' }]);
    expect(await app.hitl.audit.query({ action: 'deployment_approved' })).toMatchObject([{ repo: 'Codertocat/Hello-World', pr: 2, actor: 'hitl', details: { environment: 'production', run_id: RUN_ID } }]);
  });
});

describe('/approve deploy on a pull request through the app', () => {
  const CONFIG = 'roles:\n  technical_lead: ["alice"]\ndeployments:\n  require_approval: [technical_lead]\n';
  const comment = (by: string, id: number) => {
    const event = issueComment({ repository: deploymentProtectionRule().repository, number: 2, by, body: '/approve deploy', pullRequest: true });
    event.comment.id = id;
    return event;
  };

  it('asks the required role on the pull request while the deployment waits', async () => {
    const payload = deploymentProtectionRule();
    const scope = github();
    mockConfig(scope, HELLO, CONFIG);
    mockShippedPr(scope, payload.deployment.sha);
    const asked = capture(scope, 'post', `${HELLO}/issues/2/comments`, 201, { id: 1 });
    await app.deliver('deployment_protection_rule', payload);
    expectOnly(app, scope);
    expect(asked).toEqual([{ body: expect.stringContaining('one of technical_lead (@alice) decides') }]);
  });

  it('refuses a member outside the role with a 😕 and a reply, and leaves the deployment waiting', async () => {
    const scope = github();
    mockConfig(scope, HELLO, CONFIG);
    const reply = capture(scope, 'post', `${HELLO}/issues/2/comments`, 201, { id: 2 });
    mockWriteAccess(scope, HELLO, 'bob');
    const reaction = capture(scope, 'post', `${HELLO}/issues/comments/901/reactions`, 201);
    await app.deliver('issue_comment', comment('bob', 901));
    expectOnly(app, scope);
    expect(reply).toEqual([{ body: '@bob is not an approver of deploy (needs technical_lead).' }]);
    expect(reaction).toEqual([{ content: 'confused' }]);
  });

  it('approves the waiting deployment when the required role answers /approve deploy, with a 👍', async () => {
    const scope = github();
    mockConfig(scope, HELLO, CONFIG);
    const review = capture(scope, 'post', REVIEW_PATH, 204);
    mockWriteAccess(scope, HELLO, 'alice');
    const reaction = capture(scope, 'post', `${HELLO}/issues/comments/902/reactions`, 201);
    await app.deliver('issue_comment', comment('alice', 902));
    expectOnly(app, scope);
    expect(review).toEqual([{ environment_name: 'production', state: 'approved', comment: 'HITL: PR #2 passed the hitl gate, approved by @alice; no freeze is open.' }]);
    expect(reaction).toEqual([{ content: '+1' }]);
    const decisions = await app.hitl.audit.query({ repo: 'Codertocat/Hello-World' });
    expect(decisions.filter((e) => e.checkpoint === 'deploy').map((e) => [e.action, e.actor])).toEqual([
      ['deployment_approved', 'hitl'],
      ['checkpoint_opened', 'hitl'],
      ['command_refused', 'bob'],
      ['deployment_approved', 'alice'],
    ]);
  });
});

describe('a hitl.rollback dispatch through the app', () => {
  const OCTO = '/repos/octo-org/octo-repo';
  const CONFIG = 'roles:\n  on_call_engineer: ["carol"]\n  technical_lead: ["lena"]\n';
  // A search service rolled back by a canary analysis that names no dispatch id: keyed on the delivery.
  const REQUEST = { service: 'search', environment: 'eu-production', from_sha: '9f8e7d6', to_sha: '1a2b3c4', reason: 'p99 latency doubled in the canary' };
  const ISSUE = 31;

  it('opens the rollback issue, assigned to the people its roles name, and starts its escalation', async () => {
    const scope = github();
    mockConfig(scope, OCTO, CONFIG);
    const opened = capture(scope, 'post', `${OCTO}/issues`, 201, { number: ISSUE, html_url: `https://github.com/octo-org/octo-repo/issues/${ISSUE}` });
    await app.deliver('repository_dispatch', repositoryDispatch('hitl.rollback', REQUEST));
    expectOnly(app, scope);
    expect(opened).toEqual([{ title: 'Rollback decision: search on eu-production (9f8e7d6 → 1a2b3c4)', body: expect.stringContaining('- [ ] Impact assessment'), labels: ['hitl:rollback'], assignees: ['lena', 'carol'] }]);
    expect((await app.hitl.engine.listPending()).filter((p) => p.repo === 'octo-repo')).toMatchObject([{ number: ISSUE, item: 'rollback_decision', level: 0 }]);
  });

  it('sends hitl.rollback.approved back, closes the issue and stops the escalation when on-call approves', async () => {
    const scope = github();
    const ticked = '- [x] Impact assessment\n- [x] Rollback scope\n- [x] Communication plan\n- [x] Recovery timeline\n';
    const sent = capture(scope, 'post', `${OCTO}/dispatches`, 204);
    const said = capture(scope, 'post', `${OCTO}/issues/${ISSUE}/comments`, 201, { id: 2 });
    const closed = capture(scope, 'patch', `${OCTO}/issues/${ISSUE}`, 200, { number: ISSUE, state: 'closed' });
    mockWriteAccess(scope, OCTO, 'carol');
    const event = issueComment({ repository: example('repository_dispatch').repository, number: ISSUE, by: 'carol', body: '/approve', issueBody: ticked, issueAuthor: 'hitl[bot]' });
    await app.deliver('issue_comment', event);
    expectOnly(app, scope);
    expect(sent).toEqual([{ event_type: 'hitl.rollback.approved', client_payload: expect.objectContaining({ dispatch_id: expect.stringMatching(/^app-deployments-\d+$/), decision: 'approved', decided_by: 'carol', issue_number: ISSUE }) }]);
    expect(said).toEqual([{ body: 'Approved by @carol: the rollback goes on. HITL sent `hitl.rollback.approved` to the automation.' }]);
    expect(closed).toEqual([{ state: 'closed', state_reason: 'completed' }]);
    expect((await app.hitl.engine.listPending()).filter((p) => p.repo === 'octo-repo')).toEqual([]);
  });
});
