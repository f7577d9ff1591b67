/**
 * Approvals that still hold (issue 12, `dismiss_stale_approvals`), end to end through the webhook
 * path: a push is compared with the head each approval was given on through the patches the
 * gate read anyway (no extra GitHub read), and only what the push changed is asked again.
 */
import { describe, expect, it } from '@jest/globals';
import type nock from 'nock';
import { checkRunCreated, checkRunUpdated, expectWrite, github, mockComments, mockCommits, mockConfig, mockConfigNotModified, mockFiles, mockNoOrgConfig, mockPermission, mockToken, mockReviews, type FileShape, type ReviewShape } from '../helpers/github.js';
import { AUTHOR, pullRequestEvent, reviewEvent, type PullShape } from '../helpers/webhooks.js';
import { appForFile, expectOnly, type AppUnderTest } from './harness.js';

const NOW = Date.parse('2026-11-24T11:00:00Z');
let app: AppUnderTest;

appForFile('app-stale-approvals', () => NOW, (started) => (app = started));

/**
 * Two path-fired checkpoints with their own approvers (alice: API, sam: auth; `changed_paths`,
 * the default), peer review by carol or dave (keeps approvals, the default), and expert review
 * by sid, set to drop approvals on any change of the diff.
 */
const CONFIG = `
roles:
  technical_lead: ["alice"]
  security_team: ["sam"]
  senior_developer: ["sid"]
  reviewers: ["carol", "dave"]
triggers:
  api_modification: { paths: ["src/api/**"] }
  security_related_change: { paths: ["src/auth/**"] }
checkpoints:
  breaking_change: { criteria: [] }
  security_review: { criteria: [] }
approval_workflows:
  peer_review: { approver: reviewers }
  expert_review: { dismiss_stale_approvals: true }
`;

const PEOPLE = { alice: 'maintain', sam: 'admin', sid: 'maintain', carol: 'write', dave: 'write' } as const;
type Person = keyof typeof PEOPLE;
const looked = new Set<string>();
/** People's permissions are cached by the app: each is mocked the first time it is looked up. */
function people(scope: nock.Scope, logins: readonly Person[]): void {
  for (const login of logins) {
    if (!looked.has(login)) mockPermission(scope, login, PEOPLE[login]);
    looked.add(login);
  }
}

const commitsRead = new Set<string>();
/** Who wrote the head's commits: read the first time an approval could count on that head (then cached by the app). */
function commits(scope: nock.Scope, number: number, headSha: string, reviews: readonly ReviewShape[]): void {
  const key = `${number}@${headSha}`;
  if (reviews.length === 0 || commitsRead.has(key)) return;
  mockCommits(scope, [AUTHOR], number);
  commitsRead.add(key);
}

let configRead = false;
function config(scope: nock.Scope): void {
  if (configRead) mockConfigNotModified(scope);
  else {
    app.firstContact(scope, () => {
      mockToken(scope);
      mockNoOrgConfig(scope);
    });
    mockConfig(scope, CONFIG);
  }
  configRead = true;
}

const labelsMade = new Set<string>();
/** The workflow label goes on when a PR is opened (created in the repository the first time). */
function labelled(scope: nock.Scope, number: number, label: string): void {
  if (!labelsMade.has(label)) expectWrite(scope, 'post', '/labels', {}, 201);
  labelsMade.add(label);
  expectWrite(scope, 'post', `/issues/${number}/labels`, [{ name: label }]);
}

const patch = (line: string) => `@@ -10,3 +10,4 @@\n context\n+${line}\n context\n context`;
const file = (path: string, line: string, lines = 1): FileShape => ({ path, additions: lines, patch: patch(line) });
const API = (line = 'export const users = 1;') => file('src/api/users.ts', line);
const AUTH = (line = 'export const login = 1;') => file('src/auth/login.ts', line);

type Shape = PullShape & { number: number };

interface Writes {
  /** Check runs created (a new head), by id, in order: `hitl` first. */
  created?: number[];
  /** Check runs updated, by id. */
  updated?: number[];
  /** People asked (again) to review. */
  asked?: any[];
  /** Comments posted. */
  comments?: any[];
}

/** Mocks what an evaluation writes; returns the bodies of the check runs it creates. */
function writes(scope: nock.Scope, number: number, w: Writes): any[] {
  const created: any[] = [];
  for (const id of w.created ?? []) checkRunCreated(scope, id, created);
  for (const id of w.updated ?? []) checkRunUpdated(scope, id);
  if (w.asked) expectWrite(scope, 'post', `/pulls/${number}/requested_reviewers`, {}, 201, w.asked);
  if (w.comments) expectWrite(scope, 'post', `/issues/${number}/comments`, { id: 9000 + number }, 201, w.comments);
  return created;
}

async function open(shape: Shape, headSha: string, files: FileShape[], label: string, w: Writes): Promise<any[]> {
  const scope = github();
  config(scope);
  mockFiles(scope, files, shape.number);
  labelled(scope, shape.number, label);
  const created = writes(scope, shape.number, w);
  await app.deliver('pull_request', pullRequestEvent('opened', { ...shape, labels: [], headSha, changedFiles: files.length }));
  expectOnly(app, scope);
  return created;
}

/** A push of `headSha` onto base `baseSha` (a moved base is a rebase); the files list is read once, as before this feature. */
function pushEvent(shape: Shape, headSha: string, baseSha: string, files: FileShape[]): any {
  const event = pullRequestEvent('synchronize', { ...shape, headSha, changedFiles: files.length });
  event.pull_request.base.sha = baseSha;
  return event;
}

async function push(event: any, files: FileShape[] | undefined, reviews: ReviewShape[], lookUp: Person[], w: Writes): Promise<any[]> {
  const number = event.pull_request.number;
  const scope = github();
  config(scope);
  if (files) mockFiles(scope, files, number);
  mockReviews(scope, reviews, number);
  mockComments(scope, [], number);
  commits(scope, number, event.pull_request.head.sha, reviews);
  people(scope, lookUp);
  const created = writes(scope, number, w);
  await app.deliver('pull_request', event);
  expectOnly(app, scope);
  return created;
}

/** `reviewer` approves `headSha`: that head's files are cached since its push, so only reviews and comments are read. */
async function approve(shape: Shape, reviewer: Person, headSha: string, reviews: ReviewShape[], w: Writes, baseSha = 'base1'): Promise<void> {
  const scope = github();
  config(scope);
  mockReviews(scope, reviews, shape.number);
  mockComments(scope, [], shape.number);
  commits(scope, shape.number, headSha, reviews);
  people(scope, [reviewer]);
  writes(scope, shape.number, w);
  const event = reviewEvent(reviewer, 'approved', { ...shape, headSha });
  event.pull_request.base.sha = baseSha;
  await app.deliver('pull_request_review', event);
  expectOnly(app, scope);
}

const approval = (login: Person, commitSha: string): ReviewShape => ({ login, state: 'APPROVED', commitSha });
const byName = (bodies: any[]) => Object.fromEntries(bodies.map((b) => [b.name, b]));

describe('an expert PR whose API and auth checkpoints were approved on head80a', () => {
  const PR = 80;
  const SHAPE = { number: PR, additions: 2, labels: ['hitl:expert-review'] };
  const APPROVED = [approval('alice', 'head80a'), approval('sam', 'head80a')];

  it('asks alice and sam, who approve head80a', async () => {
    const created = await open(SHAPE, 'head80a', [API(), AUTH()], 'hitl:expert-review', { created: [801, 802, 803], asked: [] });
    expect(created.map((c) => c.name)).toEqual(['hitl', 'hitl/breaking_change', 'hitl/security_review']);
    await approve(SHAPE, 'alice', 'head80a', APPROVED.slice(0, 1), { updated: [801, 802] });
    await approve(SHAPE, 'sam', 'head80a', APPROVED, { updated: [801, 803] });
  });

  it('keeps every approval over a rebase that leaves each file’s patch identical', async () => {
    const created = await push(pushEvent(SHAPE, 'head80b', 'base2', [API(), AUTH()]), [API(), AUTH()], APPROVED, [], { created: [811, 812, 813] });
    const checks = byName(created);
    expect(checks['hitl']).toMatchObject({ head_sha: 'head80b', status: 'completed', conclusion: 'success' });
    expect(checks['hitl/breaking_change']).toMatchObject({ conclusion: 'success' });
    expect(checks['hitl/security_review']).toMatchObject({ conclusion: 'success' });
    // The check says on which head each counted approval was given.
    expect(checks['hitl'].output.summary).toContain('1/1 (@alice on head80a)');
    expect(checks['hitl'].output.summary).toContain('1/1 (@sam on head80a)');
  });

  it('resets only the checkpoint src/api/** fired after a push that changes only src/api/, asks alice again and says which file changed', async () => {
    const files = [API('export const users = 2;'), AUTH()];
    const asked: any[] = [];
    const comments: any[] = [];
    const event = pushEvent(SHAPE, 'head80c', 'base2', files);
    const created = await push(event, files, APPROVED, [], { created: [821, 822, 823], asked, comments });
    const checks = byName(created);
    expect(checks['hitl']).toMatchObject({ head_sha: 'head80c', status: 'in_progress' });
    expect(checks['hitl/breaking_change']).toMatchObject({ status: 'in_progress' });
    expect(checks['hitl/security_review']).toMatchObject({ conclusion: 'success' });
    expect(asked).toEqual([{ reviewers: ['alice'], team_reviewers: [] }]);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain("@alice's approval of `head80a` no longer counts for `breaking_change`: changed since: `src/api/users.ts`");
    expect(comments[0].body).not.toContain('@sam');
    expect(await app.hitl.audit.query({ action: 'approval_dropped' })).toMatchObject([
      { pr: PR, headSha: 'head80c', actor: 'hitl', checkpoint: 'breaking_change', details: { approver: 'alice', approved_sha: 'head80a', changed_files: 1 } },
    ]);

    // The same push delivered again (a new delivery id: evaluated again): nobody is asked or told twice.
    await push(pushEvent(SHAPE, 'head80c', 'base2', files), undefined, APPROVED, [], {});

    // alice approves the new head: the gate passes again.
    await approve(SHAPE, 'alice', 'head80c', [approval('alice', 'head80c'), approval('sam', 'head80a')], { updated: [821, 822] }, 'base2');
  });
});

describe('peer review (dismiss_stale_approvals: false, the default)', () => {
  const PR = 81;
  const SHAPE = { number: PR, additions: 1, labels: ['hitl:peer-review'] };

  it('keeps carol’s approval after a push that changes the file she approved', async () => {
    const created = await open(SHAPE, 'head81a', [file('src/widgets.ts', 'a')], 'hitl:peer-review', { created: [831], asked: [] });
    expect(created).toEqual([expect.objectContaining({ name: 'hitl', status: 'in_progress' })]);
    await approve(SHAPE, 'carol', 'head81a', [approval('carol', 'head81a')], { updated: [831] });

    const files = [file('src/widgets.ts', 'b')];
    const pushed = await push(pushEvent(SHAPE, 'head81b', 'base1', files), files, [approval('carol', 'head81a')], [], { created: [832] });
    expect(pushed).toEqual([expect.objectContaining({ head_sha: 'head81b', conclusion: 'success' })]);
    expect(pushed[0].output.summary).toContain('@carol on head81a');
  });
});

describe('expert review with dismiss_stale_approvals: true', () => {
  const PR = 82;
  const SHAPE = { number: PR, additions: 250, labels: ['hitl:expert-review'] };
  const big = (line: string) => [file('src/widgets.ts', line, 250)];

  it('keeps sid’s approval over a rebase, drops it on any change, and fails closed when the approved head’s patches are lost', async () => {
    await open(SHAPE, 'head82a', big('a'), 'hitl:expert-review', { created: [841], asked: [] });
    await approve(SHAPE, 'sid', 'head82a', [approval('sid', 'head82a')], { updated: [841] });

    // A rebase: identical patches keep the approval, whatever the setting.
    const rebased = await push(pushEvent(SHAPE, 'head82b', 'base2', big('a')), big('a'), [approval('sid', 'head82a')], [], { created: [842] });
    expect(rebased).toEqual([expect.objectContaining({ head_sha: 'head82b', conclusion: 'success' })]);

    // Any change of the diff drops it; sid is asked again and told.
    const asked: any[] = [];
    const comments: any[] = [];
    const changed = await push(pushEvent(SHAPE, 'head82c', 'base2', big('c')), big('c'), [approval('sid', 'head82a')], [], { created: [843], asked, comments });
    expect(changed).toEqual([expect.objectContaining({ head_sha: 'head82c', status: 'in_progress' })]);
    expect(asked).toEqual([{ reviewers: ['sid'], team_reviewers: [] }]);
    expect(comments[0].body).toContain("@sid's approval of `head82a` no longer counts for `expert_review`: changed since: `src/widgets.ts`");

    // sid approves head82c; then Redis loses what head82c's patches were: a rebase can no longer be shown identical.
    await approve(SHAPE, 'sid', 'head82c', [approval('sid', 'head82c')], { updated: [843] }, 'base2');
    const lost = await app.redis.redis.keys(`${app.redis.prefix}*patches*:${PR}:head82c`);
    expect(lost).toHaveLength(1);
    await app.redis.redis.del(...lost);
    const lostComments: any[] = [];
    const failedClosed = await push(pushEvent(SHAPE, 'head82d', 'base3', big('c')), big('c'), [approval('sid', 'head82c')], [], { created: [844], asked: [], comments: lostComments });
    expect(failedClosed).toEqual([expect.objectContaining({ head_sha: 'head82d', status: 'in_progress' })]);
    expect(lostComments[0].body).toContain("@sid's approval of `head82c` no longer counts for `expert_review`: the patches it approved are not on record");
  });
});

describe('a push that changes what an approval approved, however small, drops it (changed_paths)', () => {
  const PR = 83;
  const SHAPE = { number: PR, additions: 2, labels: ['hitl:expert-review'] };
  const BASE = [API(), file('src/api/admin.ts', 'export const admin = 1;')];
  /** Each attack on head n, starting from what alice approved on head n-1. */
  const ATTACKS: Array<[string, FileShape[], string]> = [
    ['an edit of the same size', [API('export const users = 9;'), BASE[1]!], 'src/api/users.ts'],
    ['a file added', [API('export const users = 9;'), BASE[1]!, file('src/api/extra.ts', 'x')], 'src/api/extra.ts'],
    ['a file removed', [API('export const users = 9;'), BASE[1]!], 'src/api/extra.ts'],
    ['a rename with the same patch', [API('export const users = 9;'), { ...BASE[1]!, path: 'src/api/root.ts', status: 'renamed', previousPath: 'src/api/admin.ts' }], 'src/api/admin.ts`, `src/api/root.ts'],
  ];

  it('for each of: ' + ATTACKS.map(([name]) => name).join(', '), async () => {
    const created = await open(SHAPE, 'head83-0', BASE, 'hitl:expert-review', { created: [850, 851], asked: [] });
    expect(created.map((c) => c.name)).toEqual(['hitl', 'hitl/breaking_change']);
    await approve(SHAPE, 'alice', 'head83-0', [approval('alice', 'head83-0')], { updated: [850, 851] });
    let checkId = 852;
    for (const [index, [name, files, named]] of ATTACKS.entries()) {
      const head = `head83-${index + 1}`;
      const previous = `head83-${index}`;
      const comments: any[] = [];
      const ids = [checkId++, checkId++];
      const pushed = await push(pushEvent(SHAPE, head, 'base1', files), files, [approval('alice', previous)], [], { created: ids, asked: [], comments });
      expect([name, pushed.map((c) => c.status)]).toEqual([name, ['in_progress', 'in_progress']]);
      expect([name, comments[0].body]).toEqual([name, expect.stringContaining(`no longer counts for \`breaking_change\`: changed since: \`${named}\`.`)]);
      await approve(SHAPE, 'alice', head, [approval('alice', head)], { updated: ids }, 'base1');
    }
  });
});
