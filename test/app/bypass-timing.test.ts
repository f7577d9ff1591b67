/**
 * "Was an emergency bypass in force when the pull request merged?" is judged by when the bypass
 * took effect, not by when its audit entry was written (issue 11 item 9): GitHub's auto-merge
 * merges as soon as `hitl` turns green, while HITL, spacing its writes a second apart, records
 * the audit entry after the check, so after the merge.
 */
import { describe, expect, it } from '@jest/globals';
import { APP_ID } from '../helpers/probot.js';
import { checkRunCreated, expectWrite, github, mockComments, mockConfig, mockFiles, mockNoOrgConfig, mockPermission, mockReviews, mockToken } from '../helpers/github.js';
import { pullRequestEvent } from '../helpers/webhooks.js';
import { appForFile, expectOnly, type AppUnderTest } from './harness.js';

/** The app's clock when it evaluated the labeled event and wrote its audit entries. */
const NOW = Date.parse('2026-11-24T11:00:00Z');
const CONFIG = 'roles:\n  on_call_engineer: ["olive"]\nbypass:\n  emergency: { label: emergency, allowed: [on_call_engineer] }\n';
const JUSTIFIED = 'Fixes the outage.\n\nEmergency: checkout is down for every EU customer since 09:12\n';
const PR = 80;
/** olive added the label here: the bypass took effect then. */
const LABELED_AT = '2026-11-24T10:59:57Z';
/** Auto-merge, once the check was green: after the label, before the app's audit write. */
const MERGED_AT = '2026-11-24T10:59:59Z';
let app: AppUnderTest;

appForFile('app-bypass-timing', () => NOW, (started) => (app = started));

describe('a bypassed pull request auto-merged right after its check turned green', () => {
  it('gets its post-implementation review issue', async () => {
    const labeling = github();
    mockToken(labeling);
    mockNoOrgConfig(labeling);
    mockConfig(labeling, CONFIG);
    mockFiles(labeling, [{ path: 'src/auth/login.ts', additions: 40 }], PR);
    labeling.get(`/repos/acme/widgets/issues/${PR}/events`).query({ per_page: 100 }).reply(200, [
      { id: 1, event: 'labeled', actor: { login: 'olive', id: 1, type: 'User' }, created_at: LABELED_AT, label: { name: 'emergency', color: 'ff0000' } },
    ]);
    mockReviews(labeling, [], PR);
    mockComments(labeling, [], PR);
    mockPermission(labeling, 'olive', 'write');
    labeling.get(`/repos/acme/widgets/commits/head${PR}/check-runs`).query({ filter: 'latest', app_id: APP_ID, per_page: 100 }).reply(200, { total_count: 0, check_runs: [] });
    const checks = checkRunCreated(labeling, PR + 1);
    checkRunCreated(labeling, PR + 2, checks);
    expectWrite(labeling, 'post', '/labels', {}, 201);
    expectWrite(labeling, 'post', `/issues/${PR}/labels`, [{ name: 'hitl:emergency' }]);
    const labeled = pullRequestEvent('labeled', { number: PR, body: JUSTIFIED, labels: ['emergency'], headSha: `head${PR}` });
    labeled.label = { id: 9, name: 'emergency', color: 'ff0000' };
    await app.deliver('pull_request', labeled);
    expectOnly(app, labeling);
    expect(checks[0]).toMatchObject({ name: 'hitl', conclusion: 'success' });
    // Written at the app's clock, after the merge below; the bypass itself dates from the label.
    expect(await app.hitl.audit.query({ action: 'bypassed' })).toMatchObject([{ pr: PR, actor: 'olive', at: NOW, details: { bypassedAt: Date.parse(LABELED_AT) } }]);

    const merging = github();
    mockConfig(merging, CONFIG);
    merging.get(`/repos/acme/widgets/commits/head${PR}/check-runs`).query({ filter: 'latest', app_id: APP_ID, per_page: 100 }).reply(200, {
      total_count: 1,
      check_runs: [{ id: PR + 1, name: 'hitl', app: { id: APP_ID }, status: 'completed', conclusion: 'success', started_at: LABELED_AT }],
    });
    merging.get('/repos/acme/widgets/issues').query({ labels: 'hitl:post-review', state: 'all', per_page: 100 }).reply(200, []);
    const issues = expectWrite(merging, 'post', '/issues', { number: 88 }, 201);
    const merged = pullRequestEvent('closed', { number: PR, body: JUSTIFIED, labels: ['emergency'], headSha: `head${PR}` });
    Object.assign(merged.pull_request, { state: 'closed', merged: true, merged_at: MERGED_AT, merged_by: { login: 'github-actions[bot]', type: 'Bot' } });
    await app.deliver('pull_request', merged);
    expectOnly(app, merging);
    expect(issues).toEqual([expect.objectContaining({ assignees: ['olive'], labels: ['hitl:post-review'], title: expect.stringContaining(`#${PR}`) })]);
    expect(await app.hitl.audit.query({ action: 'post_review_opened' })).toMatchObject([{ pr: PR, details: { bypassedBy: 'olive' } }]);
  });
});
