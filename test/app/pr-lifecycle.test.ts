/**
 * Draft pull requests and retargeted ones through the production factory (product §3): a draft
 * is evaluated but asks nobody and starts no escalation until it is ready; a PR moved to another
 * base is evaluated against that base's `.hitl.yml`.
 */
import { describe, expect, it } from '@jest/globals';
import { checkRunUpdated, expectWrite, github, mockComments, mockConfig, mockConfigNotModified, mockFiles, mockReviews } from '../helpers/github.js';
import { pullRequestEvent } from '../helpers/webhooks.js';
import { appForFile, expectOnly, mockPeerReviewOpening, PEER_REVIEW_CONFIG, type AppUnderTest } from './harness.js';

const NOW = Date.parse('2026-11-24T11:00:00Z');
let app: AppUnderTest;

appForFile('app-lifecycle', () => NOW, (started) => (app = started));

const pendingOn = async (number: number) => (await app.hitl.engine.listPending()).filter((p) => p.number === number);

describe('draft pull requests through the app', () => {
  const PR = 50;
  const SHAPE = { number: PR, additions: 150, headSha: 'head50' };

  it('evaluates a draft (pending check, workflow label) but requests no reviewers and starts no escalation', async () => {
    const scope = github();
    const checks = mockPeerReviewOpening(app, scope, { number: PR, config: PEER_REVIEW_CONFIG, checkId: 51, newLabel: true });
    await app.deliver('pull_request', pullRequestEvent('opened', { ...SHAPE, draft: true }));
    expectOnly(app, scope); // in particular no POST …/requested_reviewers
    expect(checks).toEqual([expect.objectContaining({ name: 'hitl', head_sha: 'head50', status: 'in_progress' })]);
    expect(await pendingOn(PR)).toEqual([]);
  });

  it('requests the reviewers and starts the escalation once the draft is ready for review', async () => {
    const scope = github();
    mockConfigNotModified(scope);
    mockReviews(scope, [], PR);
    mockComments(scope, [], PR);
    // The SLA now runs from when the PR became ready, so the deadline on the check moves.
    const updated = checkRunUpdated(scope, 51);
    const requested = expectWrite(scope, 'post', `/pulls/${PR}/requested_reviewers`, {}, 201);
    await app.deliver('pull_request', pullRequestEvent('ready_for_review', { ...SHAPE, labels: ['hitl:peer-review'] }));
    expectOnly(app, scope);
    expect(requested).toEqual([{ reviewers: ['carol', 'dave'], team_reviewers: [] }]);
    expect(updated[0].output.summary).toContain('2026-11-25T11:00:00Z (24 h)');
    expect(await pendingOn(PR)).toMatchObject([{ item: 'peer_review', since: NOW, deadline: NOW + 24 * 3_600_000 }]);
  });
});

describe('a retargeted pull request through the app', () => {
  const PR = 60;
  const SHAPE = { number: PR, additions: 150, headSha: 'head60' };
  const RELEASE_CONFIG = `${PEER_REVIEW_CONFIG}bypass:\n  test_environments: { branches: ["release/*"] }\n`;

  it('is evaluated against the new base branch’s .hitl.yml', async () => {
    const opening = github();
    const created = mockPeerReviewOpening(app, opening, { number: PR, config: PEER_REVIEW_CONFIG, checkId: 61, newLabel: false });
    expectWrite(opening, 'post', `/pulls/${PR}/requested_reviewers`, {}, 201);
    await app.deliver('pull_request', pullRequestEvent('opened', SHAPE));
    expectOnly(app, opening);
    expect(created[0]).toMatchObject({ status: 'in_progress' });
    expect(await pendingOn(PR)).toMatchObject([{ item: 'peer_review' }]);

    // Moved onto release/2026.11, whose own config makes release branches test environments.
    // The examples have no `edited` payload: the opened one with GitHub's documented `changes.base`.
    const retarget = pullRequestEvent('opened', { ...SHAPE, baseRef: 'release/2026.11', labels: ['hitl:peer-review'] });
    retarget.action = 'edited';
    retarget.pull_request.base.sha = 'base2';
    retarget.changes = { base: { ref: { from: 'main' }, sha: { from: 'base1' } } };
    const scope = github();
    mockConfig(scope, RELEASE_CONFIG, { ref: 'release/2026.11', sha: 'cfgsha-release', etag: '"cfg-etag-release"' });
    mockFiles(scope, [{ path: 'src/widgets.ts', additions: 150 }], PR);
    mockReviews(scope, [], PR);
    mockComments(scope, [], PR);
    const updated = checkRunUpdated(scope, 61);
    await app.deliver('pull_request', retarget);
    expectOnly(app, scope);
    expect(updated).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'success' })]);
    expect(updated[0].output.summary).toContain('base branch release/2026.11 is a test environment');
    expect(await pendingOn(PR)).toEqual([]);
  });
});
