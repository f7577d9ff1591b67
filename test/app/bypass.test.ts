/** Emergency override, its post-implementation review and an admin merge, through the production factory. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { createHash } from 'node:crypto';
import { checkRunCreated, expectWrite, github, mockComments, mockConfig, mockFiles, mockNoOrgConfig, mockPermission, mockReviews, mockToken } from '../helpers/github.js';
import { APP_ID } from '../helpers/probot.js';
import { AUTHOR, pullRequestEvent } from '../helpers/webhooks.js';
import { samples, serveHandlers, startApp, type AppUnderTest } from './harness.js';

const NOW = Date.parse('2026-11-24T11:00:00Z');
const CONFIG = `
roles:
  on_call_engineer: ["olive"]
  technical_lead: ["lena"]
bypass:
  emergency: { label: emergency, allowed: [on_call_engineer, technical_lead] }
`;
const JUSTIFIED = 'Fixes the outage.\n\nEmergency: checkout is down for every EU customer since 09:12\n';
let app: AppUnderTest;
let scrape: () => Promise<Map<string, number>>;
let before: Map<string, number>;
let closeServer: () => Promise<void>;

beforeAll(async () => {
  app = await startApp('app-bypass', () => NOW);
  const served = await serveHandlers(app.handlers);
  closeServer = served.close;
  scrape = async () => samples(await (await fetch(`${served.url}/metrics`)).text());
  before = await scrape();
});
afterEach(() => nock.cleanAll());
afterAll(async () => {
  await closeServer();
  await app.close();
});

const labelEvent = (login: string) => ({ id: 1, event: 'labeled', actor: { login, id: 1, type: 'User' }, created_at: '2026-11-24T10:50:00Z', label: { name: 'emergency', color: 'ff0000' } });

function labeled(number: number, body: string, author?: string) {
  const payload = pullRequestEvent('labeled', { number, body, labels: ['emergency'], headSha: `head${number}`, author });
  payload.label = { id: 9, name: 'emergency', color: 'ff0000' };
  return payload;
}

/**
 * The reads of one evaluation (the token and the org's defaults are cached after the first) of PR
 * `number` (a security change) whose emergency label `labeler` added, under `config` (null:
 * the repository has no .hitl.yml, so the built-in policy applies).
 */
function evaluationReads(scope: nock.Scope, number: number, labeler: string, permission: 'write' | 'maintain' | 'admin', config: string | null = CONFIG) {
  app.firstContact(scope, () => {
    mockToken(scope);
    mockNoOrgConfig(scope);
  });
  if (config === null) scope.get('/repos/acme/widgets/contents/.hitl.yml').query({ ref: 'main' }).reply(404, { message: 'Not Found' });
  else mockConfig(scope, config, { sha: createHash('sha1').update(config).digest('hex') }); // a blob SHA is its content's: the app caches parses by it
  mockFiles(scope, [{ path: 'src/auth/login.ts', additions: 40 }], number);
  scope.get(`/repos/acme/widgets/issues/${number}/events`).query({ per_page: 100 }).reply(200, [labelEvent(labeler)]);
  mockReviews(scope, [], number);
  mockComments(scope, [], number);
  mockPermission(scope, labeler, permission);
  scope.get(`/repos/acme/widgets/commits/head${number}/check-runs`).query({ filter: 'latest', app_id: APP_ID, per_page: 100 }).reply(200, { total_count: 0, check_runs: [] });
}

describe('emergency label through the app', () => {
  it('passes hitl as bypassed, naming who, when an on-call engineer adds the label with an Emergency: line', async () => {
    const scope = github();
    evaluationReads(scope, 20, 'olive', 'write');
    const checks = checkRunCreated(scope, 21);
    checkRunCreated(scope, 22, checks);
    expectWrite(scope, 'post', '/labels', {}, 201);
    const labelled = expectWrite(scope, 'post', '/issues/20/labels', [{ name: 'hitl:emergency' }]);
    await app.deliver('pull_request', labeled(20, JUSTIFIED));
    expect(app.unmatched()).toEqual([]);
    expect(scope.pendingMocks()).toEqual([]);
    expect(checks).toEqual([
      expect.objectContaining({ name: 'hitl', head_sha: 'head20', status: 'completed', conclusion: 'success', output: expect.objectContaining({ title: 'emergency: all checkpoints bypassed by @olive' }) }),
      expect.objectContaining({ name: 'hitl/security_review', conclusion: 'success', output: expect.objectContaining({ title: 'security_review: ⚠️ bypassed (emergency, @olive)' }) }),
    ]);
    expect(checks[0].output.summary).toContain('⚠️ Emergency bypass by @olive: checkout is down for every EU customer since 09:12');
    expect(labelled).toEqual([{ labels: ['hitl:emergency'] }]);
    const bypasses = await app.hitl.audit.query({ action: 'bypassed' });
    expect(bypasses).toMatchObject([{ pr: 20, actor: 'olive', headSha: 'head20', reason: 'checkout is down for every EU customer since 09:12' }]);
  });

  it('keeps the gate shut and replies when the label was added by someone outside the allowed roles', async () => {
    const scope = github();
    evaluationReads(scope, 30, 'mallory', 'admin');
    const checks = checkRunCreated(scope, 31);
    checkRunCreated(scope, 32, checks);
    expectWrite(scope, 'post', '/labels', {}, 201);
    const labelled = expectWrite(scope, 'post', '/issues/30/labels', [{ name: 'hitl:expert-review' }]);
    const replies = expectWrite(scope, 'post', '/issues/30/comments', { id: 301 }, 201);
    await app.deliver('pull_request', labeled(30, JUSTIFIED));
    expect(app.unmatched()).toEqual([]);
    expect(scope.pendingMocks()).toEqual([]);
    expect(checks[0]).toMatchObject({ name: 'hitl', head_sha: 'head30', status: 'in_progress' });
    expect(checks[0].conclusion).toBeUndefined();
    expect(labelled).toEqual([{ labels: ['hitl:expert-review'] }]);
    expect(replies).toEqual([{ body: expect.stringContaining('The `emergency` label added by @mallory does not bypass the gate: @mallory may not bypass (needs on_call_engineer or technical_lead)') }]);
    expect(await app.hitl.audit.query({ action: 'bypassed', repo: 'acme/widgets' })).not.toContainEqual(expect.objectContaining({ pr: 30 }));
    expect(await app.hitl.audit.query({ action: 'command_refused' })).toMatchObject([{ pr: 30, actor: 'mallory', details: { kind: 'emergency', via: 'label' } }]);
  });
});

describe('who may bypass an emergency (issue 11 item 12)', () => {
  /** `labeler` (with `permission`) adds the emergency label to PR `number` opened by `author`; the hitl check and the replies. */
  async function labelAdded(number: number, author: string, labeler: string, permission: 'write' | 'maintain', config: string | null, workflowLabel: string) {
    const scope = github();
    evaluationReads(scope, number, labeler, permission, config);
    const checks = checkRunCreated(scope, number + 1);
    checkRunCreated(scope, number + 2, checks);
    const label = expectWrite(scope, 'post', `/issues/${number}/labels`, {});
    const replies = workflowLabel === 'hitl:emergency' ? [] : expectWrite(scope, 'post', `/issues/${number}/comments`, { id: number * 10 }, 201);
    await app.deliver('pull_request', labeled(number, JUSTIFIED, author));
    expect(app.unmatched()).toEqual([]);
    expect(scope.pendingMocks()).toEqual([]);
    expect(label).toEqual([{ labels: [workflowLabel] }]);
    return { hitl: checks[0], replies };
  }

  it('under the built-in policy, a writer who is neither on call nor a lead cannot bypass (both roles need maintain)', async () => {
    const { hitl, replies } = await labelAdded(50, AUTHOR, 'wendy', 'write', null, 'hitl:expert-review');
    expect(hitl).toMatchObject({ name: 'hitl', head_sha: 'head50', status: 'in_progress' });
    expect(replies).toEqual([{ body: expect.stringContaining('@wendy may not bypass (needs on_call_engineer or technical_lead)') }]);
  });

  it('under the built-in policy, the author cannot bypass their own PR, even as a maintainer', async () => {
    const { hitl, replies } = await labelAdded(60, 'ada', 'ada', 'maintain', null, 'hitl:expert-review');
    expect(hitl).toMatchObject({ name: 'hitl', head_sha: 'head60', status: 'in_progress' });
    expect(replies).toEqual([{ body: expect.stringContaining('@ada is the author: an author may not bypass their own pull request unless bypass.emergency.allow_author is true') }]);
    expect(await app.hitl.audit.query({ action: 'bypassed', repo: 'acme/widgets' })).not.toContainEqual(expect.objectContaining({ pr: 60 }));
  });

  it('with bypass.emergency.allow_author: true, an author in an allowed role bypasses their own PR', async () => {
    const config = 'roles:\n  on_call_engineer: ["olive", "ben"]\nbypass:\n  emergency: { allowed: [on_call_engineer], allow_author: true }\n';
    const { hitl } = await labelAdded(70, 'ben', 'ben', 'write', config, 'hitl:emergency');
    expect(hitl).toMatchObject({ name: 'hitl', head_sha: 'head70', conclusion: 'success', output: expect.objectContaining({ title: 'emergency: all checkpoints bypassed by @ben' }) });
  });
});

function merged(number: number, mergedBy: string) {
  const payload = pullRequestEvent('closed', { number, body: JUSTIFIED, labels: ['emergency'], headSha: `head${number}` });
  Object.assign(payload.pull_request, { state: 'closed', merged: true, merged_at: '2026-11-24T11:00:30Z', merged_by: { login: mergedBy, type: 'User' } });
  return payload;
}

describe('merges through the app', () => {
  it('opens the post-implementation review issue when a PR merges with the emergency bypass in force', async () => {
    const scope = github();
    mockConfig(scope, CONFIG);
    scope.get('/repos/acme/widgets/commits/head20/check-runs').query({ filter: 'latest', app_id: APP_ID, per_page: 100 }).reply(200, { total_count: 1, check_runs: [{ id: 21, name: 'hitl', app: { id: APP_ID }, status: 'completed', conclusion: 'success', started_at: '2026-11-24T10:55:00Z' }] });
    scope.get('/repos/acme/widgets/issues').query({ labels: 'hitl:post-review', state: 'all', per_page: 100 }).reply(200, []);
    const issues = expectWrite(scope, 'post', '/issues', { number: 77 }, 201);
    await app.deliver('pull_request', merged(20, 'olive'));
    expect(app.unmatched()).toEqual([]);
    expect(scope.pendingMocks()).toEqual([]);
    expect(issues).toEqual([expect.objectContaining({ assignees: ['olive'], labels: ['hitl:post-review'], title: expect.stringContaining('#20') })]);
    expect(issues[0].body).toContain('checkout is down for every EU customer since 09:12');
    expect(await app.hitl.audit.query({ action: 'compliance_violation' })).toEqual([]);
    // The merge itself is recorded: compliance is the share of merges that had hitl green.
    expect(await app.hitl.audit.query({ action: 'merged' })).toMatchObject([{ pr: 20, actor: 'olive', headSha: 'head20', details: { conclusion: 'success' } }]);
  });

  it('comments a compliance violation and audits it when an admin merges while hitl was pending', async () => {
    const scope = github();
    mockConfig(scope, CONFIG);
    scope.get('/repos/acme/widgets/commits/head30/check-runs').query({ filter: 'latest', app_id: APP_ID, per_page: 100 }).reply(200, { total_count: 1, check_runs: [{ id: 31, name: 'hitl', app: { id: APP_ID }, status: 'in_progress', conclusion: null, started_at: '2026-11-24T10:55:00Z' }] });
    const comments = expectWrite(scope, 'post', '/issues/30/comments', { id: 302 }, 201);
    const payload = merged(30, 'admin-ada');
    await app.deliver('pull_request', payload);
    expect(app.unmatched()).toEqual([]);
    expect(scope.pendingMocks()).toEqual([]);
    expect(comments).toEqual([{ body: expect.stringContaining('🚨 **Compliance violation**: this pull request was merged by @admin-ada around the HITL gate') }]);
    const violations = await app.hitl.audit.query({ action: 'compliance_violation' });
    expect(violations).toMatchObject([{ repo: 'acme/widgets', pr: 30, actor: 'admin-ada', headSha: 'head30' }]);
    expect((await app.hitl.audit.query({ action: 'merged' })).map((e) => e.pr)).toEqual([20]);
    const stream = await app.redis.redis.xrange(`${app.redis.prefix}audit`, '-', '+');
    expect(stream.filter(([, fields]) => fields.join(' ').includes('compliance_violation'))).toHaveLength(1);
    expect((await app.hitl.engine.listPending()).filter((p) => p.item === 'compliance')).toMatchObject([{ number: 30 }]); // its climb to level 3 runs on the worker (test/app/compliance-escalation.test.ts)
  });
});

describe('/metrics after this file\'s scripted run', () => {
  it('moved the bypass, violation and webhook counters by exactly what happened above', async () => {
    const after = await scrape();
    const moved = (sample: string) => (after.get(sample) ?? 0) - (before.get(sample) ?? 0);
    expect(moved('hitl_bypasses_total{kind="emergency"}')).toBe(2);
    expect(moved('hitl_compliance_violations_total')).toBe(1);
    // Five labelings and two merges.
    expect(moved('hitl_webhook_duration_seconds_count{event="pull_request"}')).toBe(7);
    expect(moved('hitl_webhook_duration_seconds_count{event="issue_comment"}')).toBe(0);
  });
});
