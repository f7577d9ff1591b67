/**
 * Issue 11 item 7: a check run named `hitl` that another GitHub App or an Actions job posted is
 * not ours, and must never count as the gate's answer. GitHub is faked the way it answers
 * `GET …/commits/{ref}/check-runs`: every run of the commit, narrowed by `check_name` and
 * `app_id` when the request names them.
 */
import { describe, expect, it } from '@jest/globals';
import type nock from 'nock';
import { checkRunCreated, expectWrite, github, mockComments, mockConfig, mockNoOrgConfig, mockReviews, mockToken } from '../helpers/github.js';
import { pullRequestEvent } from '../helpers/webhooks.js';
import { appForFile, expectOnly, type AppUnderTest } from './harness.js';

const NOW = Date.parse('2026-11-24T11:00:00Z');
const OUR_APP = 123; // the harness's APP_ID
const FOREIGN_APP = 999;
let app: AppUnderTest;

appForFile('app-foreign-checks', () => NOW, (started) => (app = started));

interface Run {
  id: number;
  name: string;
  appId: number;
  status: string;
  conclusion: string | null;
  startedAt: string;
}

/** The runs on `sha` as GitHub lists them for the query the app sends. */
function checkRunsOn(scope: nock.Scope, sha: string, runs: Run[]): void {
  scope
    .get(`/repos/acme/widgets/commits/${sha}/check-runs`)
    .query(true)
    .reply(200, (uri) => {
      const query = new URL(uri, 'https://api.github.com').searchParams;
      const listed = runs
        .filter((r) => !query.has('check_name') || r.name === query.get('check_name'))
        .filter((r) => !query.has('app_id') || r.appId === Number(query.get('app_id')))
        .map((r) => ({ id: r.id, name: r.name, head_sha: sha, app: { id: r.appId }, status: r.status, conclusion: r.conclusion, started_at: r.startedAt }));
      return { total_count: listed.length, check_runs: listed };
    });
}

const CONFIG = 'roles:\n  technical_lead: ["lena"]\n';

describe('a foreign `hitl` check run', () => {
  it('is never taken over by the gate: it posts a run of its own instead of updating the foreign one', async () => {
    const scope = github();
    app.firstContact(scope, () => {
      mockToken(scope);
      mockNoOrgConfig(scope);
    });
    mockConfig(scope, CONFIG);
    // An edit of a PR whose check records Redis does not hold (no `opened` seen): the gate asks GitHub which runs exist.
    scope.get('/repos/acme/widgets/pulls/80/files').query({ per_page: 100 }).reply(200, [{ filename: 'docs/guide.md', status: 'modified', additions: 5, deletions: 0, changes: 5 }]);
    mockReviews(scope, [], 80);
    mockComments(scope, [], 80);
    checkRunsOn(scope, 'head80', [{ id: 81, name: 'hitl', appId: FOREIGN_APP, status: 'completed', conclusion: 'failure', startedAt: '2026-11-24T10:58:00Z' }]);
    const created = checkRunCreated(scope, 82);
    expectWrite(scope, 'post', '/labels', {}, 201);
    expectWrite(scope, 'post', '/issues/80/labels', [{ name: 'hitl:automatic' }]);
    const edited = pullRequestEvent('opened', { number: 80, headSha: 'head80', title: 'Docs: a new guide' });
    edited.action = 'edited';
    edited.changes = { title: { from: 'Docs' } };
    await app.deliver('pull_request', edited);
    expectOnly(app, scope); // in particular no PATCH …/check-runs/81
    expect(created).toEqual([expect.objectContaining({ name: 'hitl', head_sha: 'head80', conclusion: 'success' })]);
  });

  it('does not make an admin merge compliant: the merge while our hitl was pending is a violation', async () => {
    const scope = github();
    mockConfig(scope, CONFIG);
    checkRunsOn(scope, 'head70', [
      { id: 71, name: 'hitl', appId: OUR_APP, status: 'in_progress', conclusion: null, startedAt: '2026-11-24T10:50:00Z' },
      // Posted after ours by a workflow (`name: hitl`): green, and the newest.
      { id: 72, name: 'hitl', appId: FOREIGN_APP, status: 'completed', conclusion: 'success', startedAt: '2026-11-24T10:58:00Z' },
    ]);
    const comments = expectWrite(scope, 'post', '/issues/70/comments', { id: 701 }, 201);
    const payload = pullRequestEvent('closed', { number: 70, headSha: 'head70' });
    Object.assign(payload.pull_request, { state: 'closed', merged: true, merged_at: '2026-11-24T11:00:30Z', merged_by: { login: 'admin-ada', type: 'User' } });
    await app.deliver('pull_request', payload);
    expectOnly(app, scope);
    expect(comments).toEqual([{ body: expect.stringContaining('`hitl` was still in_progress when the pull request merged') }]);
    expect(await app.hitl.audit.query({ action: 'compliance_violation' })).toMatchObject([{ pr: 70, actor: 'admin-ada', headSha: 'head70' }]);
    // Its climb to level 3 runs on the worker (test/app/compliance-escalation.test.ts): this test comes last in the file.
  });
});
