/**
 * Which head a command comment approves (issue 11 item 10). GitHub stamps comments and pushes
 * to the whole second, so a comment in the same second as a push may have been written before
 * it: it counts for the older head, and an /approve cannot land on code its author may not have seen.
 */
import { describe, expect, it } from '@jest/globals';
import { checkRunCreated, checkRunUpdated, expectWrite, github, mockComments, mockCommits, mockConfigNotModified, mockFiles, mockPermission, mockPull, mockReviews } from '../helpers/github.js';
import { AUTHOR, commentEvent, pullRequestEvent } from '../helpers/webhooks.js';
import { appForFile, expectOnly, mockPeerReviewOpening, type AppUnderTest } from './harness.js';

const NOW = Date.parse('2026-11-24T11:00:00Z');
let app: AppUnderTest;

appForFile('app-head-attribution', () => NOW, (started) => (app = started));

/** Peer review whose approvals are dropped by a push, so the head an approval is for decides. */
const STALE_DROPPED_CONFIG = `
roles:
  reviewers: ["carol", "dave"]
approval_workflows:
  peer_review: { approver: reviewers, dismiss_stale_approvals: true }
`;

describe('a command comment and a push in the same second', () => {
  const PR = 70;
  const SHAPE = { number: PR, additions: 150, labels: ['hitl:peer-review'] };
  const PUSHED_AT = '2026-11-24T10:00:00Z';

  it('counts an /approve stamped with the push’s second for the older head, and one a second later for the new head', async () => {
    const opening = github();
    mockPeerReviewOpening(app, opening, { number: PR, config: STALE_DROPPED_CONFIG, checkId: 71, newLabel: true });
    expectWrite(opening, 'post', `/pulls/${PR}/requested_reviewers`, {}, 201);
    await app.deliver('pull_request', pullRequestEvent('opened', { ...SHAPE, labels: [], headSha: 'head70a' }));
    expectOnly(app, opening);

    const push = pullRequestEvent('synchronize', { ...SHAPE, headSha: 'head70b' });
    push.pull_request.updated_at = PUSHED_AT;
    const pushed = github();
    mockConfigNotModified(pushed);
    mockFiles(pushed, [{ path: 'src/widgets.ts', additions: 150 }], PR);
    mockReviews(pushed, [], PR);
    mockComments(pushed, [], PR);
    const created = checkRunCreated(pushed, 72);
    await app.deliver('pull_request', push);
    expectOnly(app, pushed);
    expect(created).toEqual([expect.objectContaining({ head_sha: 'head70b', status: 'in_progress' })]);

    const sameSecond = { id: 7001, login: 'carol', body: '/approve', at: PUSHED_AT };
    const commented = github();
    mockPull(commented, push.pull_request, PR);
    mockConfigNotModified(commented);
    mockReviews(commented, [], PR);
    mockComments(commented, [sameSecond], PR);
    mockCommits(commented, [AUTHOR, AUTHOR], PR);
    mockPermission(commented, 'carol', 'write');
    expectWrite(commented, 'post', '/issues/comments/7001/reactions', {}, 201);
    // Approving the older head, which dismiss_stale_approvals drops: carol is asked again and told so.
    const asked = expectWrite(commented, 'post', `/pulls/${PR}/requested_reviewers`, {}, 201);
    const told = expectWrite(commented, 'post', `/issues/${PR}/comments`, { id: 7100 }, 201);
    await app.deliver('issue_comment', commentEvent('carol', '/approve', 7001, PR));
    // No update of check 72: it stays in progress, waiting for an approval of head70b.
    expectOnly(app, commented);
    expect(asked).toEqual([{ reviewers: ['carol'], team_reviewers: [] }]);
    expect(told[0].body).toContain("@carol's approval of `head70a` no longer counts for `peer_review`");

    const secondLater = { id: 7002, login: 'dave', body: '/approve', at: '2026-11-24T10:00:01Z' };
    const approved = github();
    mockPull(approved, push.pull_request, PR);
    mockConfigNotModified(approved);
    mockReviews(approved, [], PR);
    mockComments(approved, [sameSecond, secondLater], PR);
    mockPermission(approved, 'dave', 'write');
    const updated = checkRunUpdated(approved, 72);
    expectWrite(approved, 'post', '/issues/comments/7002/reactions', {}, 201);
    const event = commentEvent('dave', '/approve', 7002, PR);
    event.comment.created_at = event.comment.updated_at = secondLater.at;
    await app.deliver('issue_comment', event);
    expectOnly(app, approved);
    expect(updated).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'success' })]);
  });
});
