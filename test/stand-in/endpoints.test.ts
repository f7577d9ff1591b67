import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { StandIn } from '../../src/stand-in/server.js';
import { blobSha } from '../../src/stand-in/state.js';
import { HEAD, INSTALLATION, OWNER, PR, REPO, seededStandIn, type Api } from './helpers.js';

let standIn: StandIn;
let api: Api;
const repoPath = `/repos/${OWNER}/${REPO}`;

beforeEach(async () => {
  ({ standIn, api } = await seededStandIn());
});
afterEach(async () => {
  expect(standIn.internalErrors).toEqual([]);
  await standIn.stop();
});

describe('installation auth', () => {
  it('mints an installation token with expires_at that then authenticates repo calls', async () => {
    const minted = await fetch(`${standIn.baseUrl}/app/installations/${INSTALLATION}/access_tokens`, { method: 'POST', headers: { authorization: 'bearer app.jwt.here' } });
    expect(minted.status).toBe(201);
    const body = (await minted.json()) as { token: string; expires_at: string; permissions: Record<string, string> };
    expect(body.token).toMatch(/^ghs_/);
    expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now() + 50 * 60 * 1000);
    expect(body.permissions.checks).toBe('write');
    const repoCall = await fetch(`${standIn.baseUrl}${repoPath}/pulls/${PR}`, { headers: { authorization: `token ${body.token}` } });
    expect(repoCall.status).toBe(200);
  });

  it('describes a known installation and 404s an unknown one', async () => {
    const known = await api('GET', `/app/installations/${INSTALLATION}`);
    expect(known.json).toMatchObject({ id: INSTALLATION, account: { login: OWNER }, target_type: 'Organization' });
    expect((await api('GET', '/app/installations/999')).status).toBe(404);
  });

  it('answers 401 without credentials and 404 for another installation’s repository', async () => {
    expect((await fetch(`${standIn.baseUrl}${repoPath}/pulls/${PR}`)).status).toBe(401);
    standIn.state.addRepo({ owner: 'other', repo: 'secret', installationId: 99 });
    expect((await api('GET', '/repos/other/secret/pulls/1')).status).toBe(404);
  });
});

describe('contents', () => {
  it('returns base64 content with the git blob sha, under /api/v3 and at the root', async () => {
    const { status, json } = await api('GET', `${repoPath}/contents/.hitl.yml?ref=main`);
    expect(status).toBe(200);
    expect(json).toMatchObject({ type: 'file', encoding: 'base64', path: '.hitl.yml', sha: blobSha('workflows: {}\n') });
    expect(Buffer.from(json.content, 'base64').toString('utf8')).toBe('workflows: {}\n');
    const token = standIn.state.issueToken(INSTALLATION);
    const atRoot = await fetch(`${standIn.rootUrl}${repoPath}/contents/.hitl.yml`, { headers: { authorization: `token ${token}` } });
    expect(atRoot.status).toBe(200);
  });

  it('answers 304 with no body when If-None-Match carries the ETag, and counts it as not modified', async () => {
    const first = await api('GET', `${repoPath}/contents/.hitl.yml`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/".+"$/);
    const second = await api('GET', `${repoPath}/contents/.hitl.yml`, undefined, { 'if-none-match': etag! });
    expect(second.status).toBe(304);
    expect(second.json).toBeUndefined();
    expect(standIn.calls.stats({ installationId: INSTALLATION }).notModified).toBe(1);
  });

  it('reads files at a branch head sha, and 404s a path missing at that ref', async () => {
    standIn.state.putFile(OWNER, REPO, 'src/new.ts', 'export {};\n', 'feature');
    expect((await api('GET', `${repoPath}/contents/src/new.ts?ref=${HEAD}`)).status).toBe(200);
    expect((await api('GET', `${repoPath}/contents/src/new.ts?ref=main`)).status).toBe(404);
  });
});

describe('pulls', () => {
  it('returns the pull request with head, base, author and size', async () => {
    const { json } = await api('GET', `${repoPath}/pulls/${PR}`);
    expect(json).toMatchObject({ number: PR, state: 'open', draft: false, user: { login: 'alice', type: 'User' }, head: { ref: 'feature', sha: HEAD }, base: { ref: 'main', repo: { full_name: `${OWNER}/${REPO}` } }, changed_files: 1, additions: 10, deletions: 2 });
  });

  it('paginates files with Link headers and stops at 3,000 files', async () => {
    const files = Array.from({ length: 3050 }, (_, i) => ({ filename: `src/f${i}.ts` }));
    standIn.state.pushToPull(OWNER, REPO, PR, 'b'.repeat(40), files);
    const first = await api('GET', `${repoPath}/pulls/${PR}/files?per_page=100`);
    expect(first.json).toHaveLength(100);
    expect(first.json[0]).toMatchObject({ filename: 'src/f0.ts', status: 'modified', changes: 1 });
    const link = first.headers.get('link')!;
    expect(link).toContain(`${standIn.baseUrl}${repoPath}/pulls/${PR}/files?per_page=100&page=2>; rel="next"`);
    expect(link).toContain('page=30>; rel="last"');
    const last = await api('GET', `${repoPath}/pulls/${PR}/files?per_page=100&page=30`);
    expect(last.json.at(-1).filename).toBe('src/f2999.ts');
    expect(last.headers.get('link')).toContain('rel="prev"');
    expect(last.headers.get('link')).not.toContain('rel="next"');
  });

  it('lists reviews with their state and commit', async () => {
    standIn.state.addReview(OWNER, REPO, PR, { user: 'bob', state: 'APPROVED' });
    const { json } = await api('GET', `${repoPath}/pulls/${PR}/reviews`);
    expect(json).toEqual([expect.objectContaining({ state: 'APPROVED', commit_id: HEAD, user: expect.objectContaining({ login: 'bob' }) })]);
  });

  it('requests, lists and removes reviewers; refuses the author and non-collaborators', async () => {
    const requested = await api('POST', `${repoPath}/pulls/${PR}/requested_reviewers`, { reviewers: ['bob'], team_reviewers: ['security'] });
    expect(requested.status).toBe(201);
    expect(requested.json.requested_reviewers.map((user: { login: string }) => user.login)).toEqual(['bob']);
    expect(requested.json.requested_teams[0]).toMatchObject({ slug: 'security' });
    expect((await api('GET', `${repoPath}/pulls/${PR}/requested_reviewers`)).json).toMatchObject({ users: [{ login: 'bob' }], teams: [{ slug: 'security' }] });
    const author = await api('POST', `${repoPath}/pulls/${PR}/requested_reviewers`, { reviewers: ['alice'] });
    expect(author).toMatchObject({ status: 422, json: { message: 'Review cannot be requested from pull request author.' } });
    const stranger = await api('POST', `${repoPath}/pulls/${PR}/requested_reviewers`, { reviewers: ['mallory'] });
    expect(stranger.status).toBe(422);
    expect(stranger.json.message).toContain('not a collaborator');
    expect((await api('DELETE', `${repoPath}/pulls/${PR}/requested_reviewers`, { reviewers: ['bob'] })).status).toBe(200);
    expect(standIn.state.reviewRequests(OWNER, REPO, PR)).toEqual({ users: [], teams: ['security'] });
    expect(standIn.state.issueEvents(OWNER, REPO, PR).map((event) => event.event)).toEqual(['review_requested', 'review_requested', 'review_request_removed']);
  });

  it('finds the pull requests of a head commit', async () => {
    expect((await api('GET', `${repoPath}/commits/${HEAD}/pulls`)).json.map((pull: { number: number }) => pull.number)).toEqual([PR]);
    expect((await api('GET', `${repoPath}/commits/${'c'.repeat(40)}/pulls`)).json).toEqual([]);
  });

  it('merges a pull request: closed, merged_at/by and the merge commit, which moves the base and finds the PR', async () => {
    const merge = standIn.state.mergePull(OWNER, REPO, PR, 'bob');
    expect(merge).toMatch(/^[0-9a-f]{40}$/);
    expect((await api('GET', `${repoPath}/pulls/${PR}`)).json).toMatchObject({ state: 'closed', merged: true, merged_by: { login: 'bob' }, merge_commit_sha: merge, merged_at: expect.any(String) });
    expect((await api('GET', `${repoPath}/commits/${merge}/pulls`)).json.map((pull: { number: number }) => pull.number)).toEqual([PR]);
    expect((await api('GET', `${repoPath}/contents/.hitl.yml?ref=${merge}`)).status).toBe(200); // the base branch's files at its new head
    expect(() => standIn.state.mergePull(OWNER, REPO, PR, 'bob')).toThrow('already merged');
  });
});

describe('issues, comments, reactions, labels', () => {
  it('creates, lists and edits comments as the app', async () => {
    const created = await api('POST', `${repoPath}/issues/${PR}/comments`, { body: 'hello' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ body: 'hello', user: { login: 'hitl[bot]', type: 'Bot' }, issue_url: expect.stringContaining(`/issues/${PR}`) });
    const edited = await api('PATCH', `${repoPath}/issues/comments/${created.json.id}`, { body: 'edited' });
    expect(edited.json.body).toBe('edited');
    expect((await api('GET', `${repoPath}/issues/${PR}/comments`)).json.map((comment: { body: string }) => comment.body)).toEqual(['edited']);
    expect((await api('POST', `${repoPath}/issues/${PR}/comments`, {})).status).toBe(422);
  });

  it('adds a reaction once: 201 the first time, 200 with the same reaction after', async () => {
    const comment = standIn.state.addComment(OWNER, REPO, PR, 'bob', '/approve');
    const first = await api('POST', `${repoPath}/issues/comments/${comment.id}/reactions`, { content: '+1' });
    const again = await api('POST', `${repoPath}/issues/comments/${comment.id}/reactions`, { content: '+1' });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.json.id).toBe(first.json.id);
    expect((await api('POST', `${repoPath}/issues/comments/${comment.id}/reactions`, { content: 'thumbs' })).status).toBe(422);
    expect(standIn.state.comments(OWNER, REPO, PR)[0]!.reactions).toHaveLength(1);
  });

  it('adds labels (creating missing ones), removes them, and 404s removing one that is not there', async () => {
    const added = await api('POST', `${repoPath}/issues/${PR}/labels`, { labels: ['hitl:peer'] });
    expect(added.json).toEqual([expect.objectContaining({ name: 'hitl:peer', color: 'ededed' })]);
    expect(standIn.state.labelsOn(OWNER, REPO, PR)).toEqual(['hitl:peer']);
    const removed = await api('DELETE', `${repoPath}/issues/${PR}/labels/${encodeURIComponent('hitl:peer')}`);
    expect(removed).toMatchObject({ status: 200, json: [] });
    expect(await api('DELETE', `${repoPath}/issues/${PR}/labels/${encodeURIComponent('hitl:peer')}`)).toMatchObject({ status: 404, json: { message: 'Label does not exist' } });
    expect((await api('GET', `${repoPath}/issues/${PR}/events`)).json.map((event: { event: string; label: { name: string } }) => `${event.event} ${event.label.name}`)).toEqual(['labeled hitl:peer', 'unlabeled hitl:peer']);
  });

  it('creates repo labels with a colour and refuses a duplicate name', async () => {
    const created = await api('POST', `${repoPath}/labels`, { name: 'hitl:security', color: 'b60205', description: 'Security review' });
    expect(created).toMatchObject({ status: 201, json: { name: 'hitl:security', color: 'b60205', description: 'Security review', default: false } });
    const duplicate = await api('POST', `${repoPath}/labels`, { name: 'HITL:Security', color: '000000' });
    expect(duplicate).toMatchObject({ status: 422, json: { message: 'Validation Failed', errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }] } });
    expect((await api('GET', `${repoPath}/labels/${encodeURIComponent('hitl:security')}`)).json.color).toBe('b60205');
    expect((await api('GET', `${repoPath}/labels`)).json).toHaveLength(1);
  });

  it('lists issues and pull requests newest first, by state and by all of the given labels', async () => {
    const first = await api('POST', `${repoPath}/issues`, { title: 'one', labels: ['hitl:post-review', 'urgent'] });
    const second = await api('POST', `${repoPath}/issues`, { title: 'two', labels: ['hitl:post-review'] });
    await api('PATCH', `${repoPath}/issues/${first.json.number}`, { state: 'closed' });
    const numbers = async (query: string) => (await api('GET', `${repoPath}/issues${query}`)).json.map((issue: { number: number }) => issue.number);
    expect(await numbers('')).toEqual([second.json.number, PR]);
    expect(await numbers('?state=all&labels=hitl:post-review')).toEqual([second.json.number, first.json.number]);
    expect(await numbers('?state=all&labels=hitl:post-review,urgent')).toEqual([first.json.number]);
    expect((await api('GET', `${repoPath}/issues?state=gone`)).status).toBe(422);
  });

  it('creates and updates issues with labels and assignees', async () => {
    const created = await api('POST', `${repoPath}/issues`, { title: 'Escalation', body: 'overdue', labels: ['hitl:escalation'], assignees: ['bob'] });
    expect(created).toMatchObject({ status: 201, json: { title: 'Escalation', state: 'open', labels: [{ name: 'hitl:escalation' }], assignees: [{ login: 'bob' }] } });
    expect(created.json.number).toBe(PR + 1);
    const closed = await api('PATCH', `${repoPath}/issues/${created.json.number}`, { state: 'closed', labels: [] });
    expect(closed.json).toMatchObject({ state: 'closed', labels: [] });
    expect(closed.json.closed_at).toEqual(expect.any(String));
    const assigned = await api('POST', `${repoPath}/issues/${created.json.number}/assignees`, { assignees: ['alice'] });
    expect(assigned.json.assignees.map((user: { login: string }) => user.login)).toEqual(['bob', 'alice']);
  });
});

describe('check runs', () => {
  it('creates a run (a conclusion makes it completed), updates it, and lists the latest by name', async () => {
    const created = await api('POST', `${repoPath}/check-runs`, { name: 'hitl', head_sha: HEAD, status: 'in_progress', output: { title: 'Waiting', summary: 'peer review' } });
    expect(created).toMatchObject({ status: 201, json: { name: 'hitl', head_sha: HEAD, status: 'in_progress', conclusion: null, output: { title: 'Waiting', summary: 'peer review' }, pull_requests: [{ number: PR }] } });
    const updated = await api('PATCH', `${repoPath}/check-runs/${created.json.id}`, { conclusion: 'success', output: { title: 'Approved', summary: 'by bob' } });
    expect(updated.json).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: 'Approved' } });
    await api('POST', `${repoPath}/check-runs`, { name: 'hitl/security', head_sha: HEAD });
    const listed = await api('GET', `${repoPath}/commits/${HEAD}/check-runs?check_name=hitl`);
    expect(listed.json.total_count).toBe(1);
    expect(listed.json.check_runs[0]).toMatchObject({ id: created.json.id, conclusion: 'success' });
    expect((await api('GET', `${repoPath}/commits/feature/check-runs`)).json.total_count).toBe(2);
    expect(standIn.state.checkRuns(OWNER, REPO, { name: 'hitl' })).toEqual([expect.objectContaining({ updates: 1, output: { title: 'Approved', summary: 'by bob', text: null } })]);
  });

  it('rejects what GitHub rejects, leaving the run unchanged', async () => {
    const created = await api('POST', `${repoPath}/check-runs`, { name: 'hitl', head_sha: HEAD });
    const checks = [
      { status: 'completed' },
      { output: { title: 't', summary: 'x'.repeat(65_536) } },
      { actions: Array.from({ length: 4 }, (_, i) => ({ label: `a${i}`, description: 'd', identifier: `i${i}` })) },
      { output: { title: 't', summary: 's', annotations: Array.from({ length: 51 }, () => ({ path: 'a', start_line: 1, end_line: 1, annotation_level: 'notice', message: 'm' })) } },
    ];
    for (const body of checks) expect((await api('PATCH', `${repoPath}/check-runs/${created.json.id}`, body)).status).toBe(422);
    expect((await api('POST', `${repoPath}/check-runs`, { head_sha: HEAD })).status).toBe(422);
    expect(standIn.state.checkRuns(OWNER, REPO)).toEqual([expect.objectContaining({ status: 'queued', updates: 0, output: { title: null, summary: null, text: null } })]);
  });
});

describe('people', () => {
  it('reports collaborator permission in GitHub’s legacy and role forms, none for strangers', async () => {
    standIn.state.setPermission(OWNER, REPO, 'mia', 'maintain');
    expect((await api('GET', `${repoPath}/collaborators/mia/permission`)).json).toMatchObject({ permission: 'write', role_name: 'maintain', user: { login: 'mia' } });
    expect((await api('GET', `${repoPath}/collaborators/nobody/permission`)).json).toMatchObject({ permission: 'none' });
  });

  it('answers team membership (200 active / 404) and lists members', async () => {
    expect((await api('GET', `/orgs/${OWNER}/teams/security/memberships/sue`)).json).toMatchObject({ role: 'maintainer', state: 'active' });
    expect((await api('GET', `/orgs/${OWNER}/teams/security/memberships/bob`)).status).toBe(404);
    expect((await api('GET', `/orgs/${OWNER}/teams/security/members`)).json.map((user: { login: string }) => user.login)).toEqual(['sam', 'sue']);
    expect((await api('GET', `/orgs/${OWNER}/teams/missing/members`)).status).toBe(404);
  });
});

describe('actions and deployments', () => {
  it('records deployment gate reviews, reruns and dispatches', async () => {
    expect((await api('POST', `${repoPath}/actions/runs/55/deployment_protection_rule`, { environment_name: 'production', state: 'approved', comment: 'ok' })).status).toBe(204);
    expect((await api('POST', `${repoPath}/actions/runs/55/deployment_protection_rule`, { environment_name: 'production', state: 'maybe' })).status).toBe(422);
    expect((await api('POST', `${repoPath}/actions/runs/55/rerun-failed-jobs`)).status).toBe(201);
    expect((await api('POST', `${repoPath}/dispatches`, { event_type: 'hitl-rollback', client_payload: { sha: HEAD } })).status).toBe(204);
    expect(standIn.state.deploymentReviews(OWNER, REPO)).toEqual([expect.objectContaining({ runId: 55, environment_name: 'production', state: 'approved', comment: 'ok' })]);
    expect(standIn.state.repo(OWNER, REPO).rerunRequests).toEqual([55]);
    expect(standIn.state.repo(OWNER, REPO).dispatches).toEqual([expect.objectContaining({ event_type: 'hitl-rollback', client_payload: { sha: HEAD } })]);
  });
});

describe('everything else', () => {
  it('answers unknown endpoints 404 in GitHub’s shape and counts them as unknown', async () => {
    const unknown = await api('POST', `${repoPath}/merges`, { base: 'main', head: 'feature' });
    expect(unknown).toMatchObject({ status: 404, json: { message: 'Not Found', documentation_url: expect.stringContaining('docs.github.com') } });
    expect(standIn.calls.stats().unknown).toBe(1);
    expect(standIn.calls.calls({ route: 'unknown' })[0]).toMatchObject({ method: 'POST', path: `${repoPath}/merges`, kind: 'unknown' });
  });

  it('answers malformed JSON with 400 and changes nothing', async () => {
    expect((await api('POST', `${repoPath}/issues/${PR}/comments`, '{"body":')).status).toBe(400);
    expect(standIn.state.comments(OWNER, REPO, PR)).toEqual([]);
  });
});
