/**
 * `/ack` through the production factory: a pending approver's acknowledgement pauses the climb
 * and the `hitl` check says so in the same evaluation; anyone else is refused with the reason.
 */
import { describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { checkRunUpdated, expectWrite, github, mockComments, mockCommits, mockConfigNotModified, mockPermission, mockPull, mockReviews, type CommentShape } from '../helpers/github.js';
import { AUTHOR, commentEvent, examplePayload, pullObject, pullRequestEvent } from '../helpers/webhooks.js';
import { appForFile, expectOnly, mockPeerReviewOpening, PEER_REVIEW_CONFIG, type AppUnderTest } from './harness.js';

const NOW = Date.parse('2026-11-24T11:00:00Z');
const PR = 40;
const SHAPE = { number: PR, additions: 150, headSha: 'head40' };
let app: AppUnderTest;

appForFile('app-ack', () => NOW, (started) => (app = started));

/** The reads of a comment's evaluation once config and files are cached: the PR, a 304 config, reviews, comments, the commenter. */
function commentReads(scope: nock.Scope, comments: CommentShape[], commenter: string, permission: 'write' | 'admin') {
  mockPull(scope, pullObject(examplePayload('pull_request', 'opened').pull_request, { ...SHAPE, labels: ['hitl:peer-review'] }), PR);
  mockConfigNotModified(scope);
  mockReviews(scope, [], PR);
  mockComments(scope, comments, PR);
  mockPermission(scope, commenter, permission);
}

describe('/ack through the app', () => {
  const ack: CommentShape = { id: 801, login: 'carol', body: '/ack', at: '2026-11-24T10:59:00Z' };

  it('opens the PR with peer review pending and no escalation shown yet', async () => {
    const scope = github();
    const checks = mockPeerReviewOpening(app, scope, { number: PR, config: PEER_REVIEW_CONFIG, checkId: 41, newLabel: true });
    const requested = expectWrite(scope, 'post', `/pulls/${PR}/requested_reviewers`, {}, 201);
    await app.deliver('pull_request', pullRequestEvent('opened', SHAPE));
    expectOnly(app, scope);
    expect(checks).toEqual([expect.objectContaining({ name: 'hitl', head_sha: 'head40', status: 'in_progress' })]);
    expect(checks[0].output.summary).not.toContain('acknowledged');
    expect(requested).toEqual([{ reviewers: ['carol', 'dave'], team_reviewers: [] }]);
    expect(await app.hitl.engine.listPending()).toMatchObject([{ number: PR, item: 'peer_review', level: 0 }]);
  });

  it("gives a pending approver's /ack a 👍 and shows on the hitl check who acknowledged until when", async () => {
    const scope = github();
    commentReads(scope, [ack], 'carol', 'write');
    mockCommits(scope, [AUTHOR], PR); // read once for head40: an /ack by a pusher would not count
    const updated = checkRunUpdated(scope, 41);
    const reaction = expectWrite(scope, 'post', '/issues/comments/801/reactions', {}, 201);
    await app.deliver('issue_comment', commentEvent('carol', '/ack', 801, PR));
    expectOnly(app, scope);
    expect(reaction).toEqual([{ content: '+1' }]);
    // One interval of the ladder's first level (the seed's 5 minutes) from now.
    expect(updated).toEqual([expect.objectContaining({ status: 'in_progress', output: expect.objectContaining({ title: 'peer review: waiting for peer_review' }) })]);
    expect(updated[0].output.summary).toContain('> `peer_review`: acknowledged by @carol until 2026-11-24T11:05:00Z; escalation is paused until then.');
    expect(await app.hitl.engine.listPending()).toMatchObject([{ item: 'peer_review', acknowledgedBy: 'carol', acknowledgedUntil: Date.parse('2026-11-24T11:05:00Z') }]);
    expect(await app.hitl.audit.query({ action: 'acknowledged' })).toMatchObject([{ pr: PR, actor: 'carol', checkpoint: 'peer_review' }]);
  });

  it('refuses /ack from someone who is not a pending approver with a 😕 and a reply, and leaves the check as it is', async () => {
    const scope = github();
    const stranger: CommentShape = { id: 802, login: 'mallory', body: '/ack', at: '2026-11-24T10:59:30Z' };
    commentReads(scope, [ack, stranger], 'mallory', 'admin');
    const reaction = expectWrite(scope, 'post', '/issues/comments/802/reactions', {}, 201);
    const reply = expectWrite(scope, 'post', `/issues/${PR}/comments`, { id: 803 }, 201);
    await app.deliver('issue_comment', commentEvent('mallory', '/ack', 802, PR));
    expectOnly(app, scope); // no PATCH of the check run: the acknowledgement it shows has not changed
    expect(reaction).toEqual([{ content: 'confused' }]);
    expect(reply).toEqual([{ body: '@mallory `/ack` refused: @mallory is not a pending approver here, so there is nothing to acknowledge.' }]);
    expect(await app.hitl.engine.listPending()).toMatchObject([{ item: 'peer_review', acknowledgedBy: 'carol' }]);
    expect(await app.hitl.audit.query({ action: 'command_refused' })).toMatchObject([{ pr: PR, actor: 'mallory', reason: '@mallory is not a pending approver here, so there is nothing to acknowledge' }]);
  });
});
