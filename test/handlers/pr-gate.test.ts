import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import type { Probot } from 'probot';
import { MemoryAuditSink } from '../../src/audit/types.js';
import { InstallationClients } from '../../src/github/client.js';
import { createApp, type HitlApp } from '../../src/handlers/app.js';
import {
  checkRunCreated, checkRunUpdated, expectWrite, github, mockComments, mockCommits, mockConfig, mockConfigNotModified, mockFiles, mockNoOrgConfig,
  mockPermission, mockPull, mockReviews, mockTeam, mockToken, type CommentShape, type FileShape, type ReviewShape,
} from '../helpers/github.js';
import { APP_ID, testProbot, WEBHOOK_SECRET } from '../helpers/probot.js';
import { testRedis, type TestRedis } from '../helpers/redis.js';
import { AUTHOR, commentEvent, examplePayload, pullObject, pullRequestEvent, reviewEvent, type PullShape } from '../helpers/webhooks.js';

const CONFIG = `
roles:
  reviewers: ["@acme/reviewers", "carol"]
  security_team: ["@acme/security"]
approval_workflows:
  peer_review: { approver: reviewers }
triggers:
  major_structural_change: { labels: [architecture], min_files: 200, min_lines: 1000 }
`;
const SECURITY_CRITERIA = '- [x] security assessment\n- [x] vulnerability analysis\n- [x] best practices\n- [x] compliance requirements';
const NOW = Date.parse('2026-11-24T11:00:00Z');
/** Later payloads carry the workflow label the gate put on when the PR was opened. */
const PEER_LABELLED = { additions: 150, labels: ['hitl:peer-review'] };

let store: TestRedis;
let app: HitlApp;
let probot: Probot;
let audit: MemoryAuditSink;
let delivery = 0;

beforeAll(() => {
  nock.disableNetConnect();
  store = testRedis('gate');
});
afterAll(async () => {
  await store.close();
  nock.enableNetConnect();
});
beforeEach(async () => {
  await store.clear();
  audit = new MemoryAuditSink();
  app = createApp({ redis: store.redis, prefix: store.prefix, github: new InstallationClients({ redis: store.redis, prefix: store.prefix }), audit, appId: APP_ID, clock: () => NOW });
  probot = testProbot();
  await probot.load(app);
});
afterEach(() => {
  nock.cleanAll();
});

const receive = (name: string, payload: unknown, id = `delivery-${++delivery}`) => probot.receive({ id, name, payload } as never);
const lastCost = () => app.costs[app.costs.length - 1]!;

/** Opens a PR with a cold cache: base config read, no org config, files listed; returns the check-run bodies. */
async function openPr(files: FileShape[], shape: PullShape = {}, expectWrites: (scope: nock.Scope) => void = () => undefined, config = CONFIG) {
  const scope = github();
  mockToken(scope);
  mockConfig(scope, config);
  mockNoOrgConfig(scope);
  if (files.length > 0) mockFiles(scope, files, shape.number);
  expectWrites(scope);
  await receive('pull_request', pullRequestEvent('opened', shape));
  expect(scope.pendingMocks()).toEqual([]);
}

/**
 * The reads of a later event on PR #2 once config and files are cached: a 304 config read, reviews,
 * comments, and the head's commits when `writers` is given (the first time an approval could count on a head).
 */
function laterReads(scope: nock.Scope, reviews: ReviewShape[], comments: CommentShape[] = [], writers?: string[]) {
  mockConfigNotModified(scope);
  mockReviews(scope, reviews);
  mockComments(scope, comments);
  if (writers) mockCommits(scope, writers);
}

describe('PR gate on GitHub', () => {
  it('passes a docs-only PR automatically: hitl success, automatic label, no reviewers requested', async () => {
    let check: any[] = [];
    let label: any[] = [];
    await openPr([{ path: 'docs/guide.md', additions: 40 }], {}, (scope) => {
      check = checkRunCreated(scope, 11);
      expectWrite(scope, 'post', '/labels', {}, 201);
      label = expectWrite(scope, 'post', '/issues/2/labels', []);
    });
    expect(check[0]).toMatchObject({ name: 'hitl', head_sha: 'head1', status: 'completed', conclusion: 'success' });
    expect(label[0]).toEqual({ labels: ['hitl:automatic'] });
    expect(audit.entries.map((e) => e.action)).toEqual(['auto_approved']);
  });

  it('asks for peer review of a 150-line src PR and passes after a non-author approval', async () => {
    let check: any[] = [];
    let reviewers: any[] = [];
    await openPr([{ path: 'src/widget.ts', additions: 150 }], { additions: 150 }, (scope) => {
      check = checkRunCreated(scope, 12);
      expectWrite(scope, 'post', '/labels', {}, 201);
      expectWrite(scope, 'post', '/issues/2/labels', []);
      reviewers = expectWrite(scope, 'post', '/pulls/2/requested_reviewers', {}, 201);
    });
    expect(check[0]).toMatchObject({ name: 'hitl', status: 'in_progress', output: { title: 'peer review: waiting for peer_review' } });
    expect(check[0].output.summary).toContain('`/approve peer_review`');
    expect(reviewers[0]).toEqual({ reviewers: ['carol'], team_reviewers: ['reviewers'] });

    const scope = github();
    laterReads(scope, [{ login: 'carol', state: 'APPROVED', commitSha: 'head1' }], [], [AUTHOR]);
    mockPermission(scope, 'carol', 'write');
    mockTeam(scope, 'reviewers', 'carol', false);
    const update = checkRunUpdated(scope, 12);
    await receive('pull_request_review', reviewEvent('carol', 'approved', PEER_LABELLED));
    expect(scope.pendingMocks()).toEqual([]);
    expect(update[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(update[0].output.summary).toContain('1/1 (@carol on head1)');
  });

  it('keeps security_review pending until a security-team member approves; another approver does not satisfy it', async () => {
    const shape = { body: SECURITY_CRITERIA, labels: ['hitl:expert-review'] };
    const opened = { body: SECURITY_CRITERIA };
    let checks: any[] = [];
    let reviewers: any[] = [];
    await openPr([{ path: 'src/auth/login.ts', additions: 20 }], opened, (scope) => {
      checkRunCreated(scope, 22, checkRunCreated(scope, 21, checks));
      expectWrite(scope, 'post', '/labels', {}, 201);
      expectWrite(scope, 'post', '/issues/2/labels', []);
      reviewers = expectWrite(scope, 'post', '/pulls/2/requested_reviewers', {}, 201);
    });
    expect(checks.map((c) => [c.name, c.status])).toEqual([['hitl', 'in_progress'], ['hitl/security_review', 'in_progress']]);
    expect(reviewers[0]).toEqual({ reviewers: [], team_reviewers: ['security'] });

    // A maintainer outside the security team approves: nothing visible changes, so nothing is written.
    const dave = github();
    laterReads(dave, [{ login: 'dave', state: 'APPROVED', commitSha: 'head1' }], [], [AUTHOR]);
    mockPermission(dave, 'dave', 'maintain');
    mockTeam(dave, 'security', 'dave', false);
    await receive('pull_request_review', reviewEvent('dave', 'approved', shape));
    expect(dave.pendingMocks()).toEqual([]);
    expect(lastCost()).toMatchObject({ writes: 0 });

    const sam = github();
    laterReads(sam, [{ login: 'dave', state: 'APPROVED', commitSha: 'head1' }, { login: 'sam', state: 'APPROVED', commitSha: 'head1' }]);
    mockPermission(sam, 'sam', 'write');
    mockTeam(sam, 'security', 'sam', true);
    const hitl = checkRunUpdated(sam, 21);
    const item = checkRunUpdated(sam, 22);
    await receive('pull_request_review', reviewEvent('sam', 'approved', shape));
    expect(sam.pendingMocks()).toEqual([]);
    expect(hitl[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(item[0]).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: 'security_review: ✅ approved' } });
    expect(audit.entries.filter((e) => e.action === 'approved').map((e) => [e.actor, e.checkpoint])).toEqual([['sam', 'security_review']]);
  });

  async function openPeerPr() {
    await openPr([{ path: 'src/widget.ts', additions: 150 }], { additions: 150 }, (scope) => {
      checkRunCreated(scope, 31);
      expectWrite(scope, 'post', '/labels', {}, 201);
      expectWrite(scope, 'post', '/issues/2/labels', []);
      expectWrite(scope, 'post', '/pulls/2/requested_reviewers', {}, 201);
    });
  }

  /** A comment event: the PR is fetched (comments carry no PR), then the usual reads. */
  function commentReads(scope: nock.Scope, comments: CommentShape[], reviews: ReviewShape[] = [], writers?: string[]) {
    mockPull(scope, pullObject(examplePayload('pull_request', 'opened').pull_request, PEER_LABELLED));
    laterReads(scope, reviews, comments, writers);
  }

  it("refuses the author's own /approve with a confused reaction and a reply saying why", async () => {
    await openPeerPr();
    const scope = github();
    commentReads(scope, [{ id: 501, login: AUTHOR, body: '/approve' }]);
    mockPermission(scope, AUTHOR, 'admin');
    mockTeam(scope, 'reviewers', AUTHOR, true);
    const reaction = expectWrite(scope, 'post', '/issues/comments/501/reactions', {}, 201);
    const reply = expectWrite(scope, 'post', '/issues/2/comments', {}, 201);
    await receive('issue_comment', commentEvent(AUTHOR, '/approve', 501));
    expect(scope.pendingMocks()).toEqual([]);
    expect(reaction[0]).toEqual({ content: 'confused' });
    expect(reply[0].body).toContain('the author of a pull request cannot approve it');
    expect(audit.entries.at(-1)).toMatchObject({ action: 'command_refused', actor: AUTHOR });
  });

  it('refuses /approve from a read-only user without evaluating the pull request', async () => {
    await openPeerPr();
    const scope = github();
    mockPermission(scope, 'reader', 'read');
    const reaction = expectWrite(scope, 'post', '/issues/comments/502/reactions', {}, 201);
    const reply = expectWrite(scope, 'post', '/issues/2/comments', {}, 201);
    await receive('issue_comment', commentEvent('reader', '/approve peer_review', 502));
    expect(scope.pendingMocks()).toEqual([]);
    expect(reaction[0]).toEqual({ content: 'confused' });
    expect(reply[0].body).toBe('@reader `/approve peer_review` refused: @reader needs write access to the repository for this command.');
  });

  it('keeps the gate shut under /hold, even when approved, until /unhold', async () => {
    await openPeerPr();
    const approval: ReviewShape[] = [{ login: 'carol', state: 'APPROVED', commitSha: 'head1', at: '2026-11-24T09:30:00Z' }];
    const hold: CommentShape = { id: 601, login: 'carol', body: '/hold', at: '2026-11-24T10:00:00Z' };

    const holding = github();
    commentReads(holding, [hold], approval, [AUTHOR]);
    mockPermission(holding, 'carol', 'write');
    mockTeam(holding, 'reviewers', 'carol', true);
    const held = checkRunUpdated(holding, 31);
    const thumbs = expectWrite(holding, 'post', '/issues/comments/601/reactions', {}, 201);
    await receive('issue_comment', commentEvent('carol', '/hold', 601));
    expect(holding.pendingMocks()).toEqual([]);
    expect(held[0]).toMatchObject({ status: 'in_progress', output: { title: 'peer review: on hold by @carol (/unhold to release)' } });
    expect(thumbs[0]).toEqual({ content: '+1' });

    const releasing = github();
    commentReads(releasing, [hold, { id: 602, login: 'carol', body: '/unhold', at: '2026-11-24T10:30:00Z' }], approval);
    const released = checkRunUpdated(releasing, 31);
    expectWrite(releasing, 'post', '/issues/comments/602/reactions', {}, 201);
    await receive('issue_comment', commentEvent('carol', '/unhold', 602));
    expect(releasing.pendingMocks()).toEqual([]);
    expect(released[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(audit.entries.filter((e) => e.actor === 'carol').map((e) => e.action)).toEqual(['held', 'unheld']);
  });

  it('drops an expert approval given before a new push', async () => {
    const shape = { body: SECURITY_CRITERIA, labels: ['hitl:expert-review'] };
    const opened = { body: SECURITY_CRITERIA };
    await openPr([{ path: 'src/auth/login.ts', additions: 20 }], opened, (scope) => {
      checkRunCreated(scope, 41);
      checkRunCreated(scope, 42);
      expectWrite(scope, 'post', '/labels', {}, 201);
      expectWrite(scope, 'post', '/issues/2/labels', []);
      expectWrite(scope, 'post', '/pulls/2/requested_reviewers', {}, 201);
    });
    const approved = github();
    laterReads(approved, [{ login: 'sam', state: 'APPROVED', commitSha: 'head1' }], [], [AUTHOR]);
    mockPermission(approved, 'sam', 'write');
    mockTeam(approved, 'security', 'sam', true);
    checkRunUpdated(approved, 41);
    checkRunUpdated(approved, 42);
    await receive('pull_request_review', reviewEvent('sam', 'approved', shape));
    expect(approved.pendingMocks()).toEqual([]);

    const pushed = github();
    mockConfigNotModified(pushed);
    mockFiles(pushed, [{ path: 'src/auth/login.ts', additions: 25 }]);
    mockReviews(pushed, [{ login: 'sam', state: 'APPROVED', commitSha: 'head1' }]);
    mockComments(pushed, []);
    mockCommits(pushed, [AUTHOR, AUTHOR]);
    const checks = checkRunCreated(pushed, 44, checkRunCreated(pushed, 43));
    const asked = expectWrite(pushed, 'post', '/pulls/2/requested_reviewers', {}, 201);
    const told = expectWrite(pushed, 'post', '/issues/2/comments', { id: 1 }, 201);
    await receive('pull_request', pullRequestEvent('synchronize', { ...shape, headSha: 'head2' }));
    expect(pushed.pendingMocks()).toEqual([]);
    expect(checks.map((c) => [c.name, c.head_sha, c.status])).toEqual([['hitl', 'head2', 'in_progress'], ['hitl/security_review', 'head2', 'in_progress']]);
    // The files listed carry no patch: nothing can be shown unchanged, so sam is asked again and told.
    expect(asked).toEqual([{ reviewers: ['sam'], team_reviewers: [] }]);
    expect(told[0].body).toContain("@sam's approval of `head1` no longer counts for `security_review`");
  });

  it('ignores a .hitl.yml weakened inside the PR: the base branch config applies and the summary says so', async () => {
    let check: any[] = [];
    // The base config is read at ref=main (mockConfig) and judges the PR; the PR's own file, read at its head, only feeds the policy-diff.
    await openPr([{ path: '.hitl.yml', additions: 3 }, { path: 'src/widget.ts', additions: 20 }], {}, (scope) => {
      mockConfig(scope, 'classification:\n  low_risk_paths: ["**"]\n', { ref: 'head1' });
      check = checkRunCreated(scope, 51);
      checkRunCreated(scope, 52);
      expectWrite(scope, 'post', '/labels', {}, 201);
      expectWrite(scope, 'post', '/issues/2/labels', []);
      expectWrite(scope, 'post', '/pulls/2/requested_reviewers', {}, 201);
    });
    expect(check[0]).toMatchObject({ name: 'hitl', status: 'in_progress' });
    expect(check[0].output.summary).toContain("This pull request changes `.hitl.yml`: that change is ignored here; the base branch's config (`main`) applies.");
    expect(check[0].output.summary).toContain('security_review');
    expect(check[0].output.summary).toContain('### policy-diff\n\nUnder the proposed `.hitl.yml`, none of the 0 other open pull request(s) into `main` would change workflow or checkpoints.');
  });

  it('fails closed on a broken base .hitl.yml, with the line number and an annotation', async () => {
    let check: any[] = [];
    const broken = 'roles:\n  reviewers: ["@acme/reviewers"]\nclassification:\n  peer_review_max_lines: many\n';
    // No file list is read: an invalid config stops the evaluation before it.
    await openPr([], {}, (scope) => {
      check = checkRunCreated(scope, 61);
    }, broken);
    expect(check[0]).toMatchObject({ name: 'hitl', status: 'completed', conclusion: 'failure' });
    expect(check[0].output.title).toMatch(/^invalid \.hitl\.yml: \.hitl\.yml:4:\d+: error: classification\.peer_review_max_lines/);
    expect(check[0].output.annotations).toEqual([expect.objectContaining({ path: '.hitl.yml', start_line: 4, end_line: 4, annotation_level: 'failure' })]);
  });

  it('does nothing the second time the same delivery id arrives', async () => {
    const payload = pullRequestEvent('opened', {});
    const scope = github();
    mockToken(scope);
    mockConfig(scope, CONFIG);
    mockNoOrgConfig(scope);
    mockFiles(scope, [{ path: 'docs/a.md' }]);
    const checks = checkRunCreated(scope, 71);
    expectWrite(scope, 'post', '/labels', {}, 201);
    expectWrite(scope, 'post', '/issues/2/labels', []);
    await receive('pull_request', payload, 'same-delivery');
    await receive('pull_request', payload, 'same-delivery');
    expect(scope.pendingMocks()).toEqual([]);
    expect(checks).toHaveLength(1);
    expect(app.costs.map((c) => [c.outcome, c.writes])).toEqual([['handled', 3], ['duplicate', 0]]);
  });

  it('rejects a webhook with a bad signature and does nothing', async () => {
    const payload = JSON.stringify(pullRequestEvent('opened', {}));
    await expect(probot.webhooks.verifyAndReceive({ id: 'forged', name: 'pull_request', payload, signature: 'sha256=' + '0'.repeat(64) } as never)).rejects.toThrow(/signature/i);
    expect(app.costs).toEqual([]);
    expect(WEBHOOK_SECRET).toBe('test-secret');
  });

  it('opens a 100-file PR with a cached config for at most 3 reads and 3 writes', async () => {
    await openPeerPr();
    const scope = github();
    mockConfigNotModified(scope);
    mockFiles(scope, Array.from({ length: 100 }, (_, i) => ({ path: `src/m${i}.ts`, additions: 1 })), 3);
    checkRunCreated(scope, 81);
    expectWrite(scope, 'post', '/issues/3/labels', []);
    expectWrite(scope, 'post', '/pulls/3/requested_reviewers', {}, 201);
    await receive('pull_request', pullRequestEvent('opened', { number: 3, headSha: 'head3', additions: 100, changedFiles: 100 }));
    expect(scope.pendingMocks()).toEqual([]);
    const cost = lastCost();
    expect(cost.reads).toBeLessThanOrEqual(3);
    expect(cost.writes).toBeLessThanOrEqual(3);
    expect(cost).toMatchObject({ event: 'pull_request.opened', reads: 2, notModified: 1, writes: 3 });
  });

  it('passes a merge-queue commit only when every PR of the group passed its gate', async () => {
    await openPr([{ path: 'docs/guide.md' }], {}, (scope) => {
      checkRunCreated(scope, 91);
      expectWrite(scope, 'post', '/labels', {}, 201);
      expectWrite(scope, 'post', '/issues/2/labels', []);
    });
    const payload = examplePayload('merge_group', 'checks_requested');
    payload.merge_group.head_ref = 'refs/heads/gh-readonly-queue/main/pr-2-929f8209d40f77f4abc622a499c93a83babdbe64';
    const scope = github();
    mockPull(scope, pullObject(examplePayload('pull_request', 'opened').pull_request, { labels: ['hitl:automatic'] }));
    laterReads(scope, []);
    const group = checkRunCreated(scope, 92);
    await receive('merge_group', payload);
    expect(scope.pendingMocks()).toEqual([]);
    expect(group[0]).toMatchObject({ name: 'hitl', head_sha: payload.merge_group.head_sha, status: 'completed', conclusion: 'success' });
  });
});
