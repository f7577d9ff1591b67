/** Emergency override, its post-implementation review and an admin merge, through the production factory. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { checkRunCreated, expectWrite, github, mockComments, mockConfig, mockFiles, mockNoOrgConfig, mockPermission, mockReviews, mockToken } from '../helpers/github.js';
import { pullRequestEvent } from '../helpers/webhooks.js';
import { startApp, type AppUnderTest } from './harness.js';

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

beforeAll(async () => {
  app = await startApp('app-bypass', () => NOW);
});
afterEach(() => nock.cleanAll());
afterAll(() => app.close());

const labelEvent = (login: string) => ({ id: 1, event: 'labeled', actor: { login, id: 1, type: 'User' }, created_at: '2026-11-24T10:50:00Z', label: { name: 'emergency', color: 'ff0000' } });

function labeled(number: number, body: string) {
  const payload = pullRequestEvent('labeled', { number, body, labels: ['emergency'], headSha: `head${number}` });
  payload.label = { id: 9, name: 'emergency', color: 'ff0000' };
  return payload;
}

/** The reads of one evaluation (the token and the org's defaults are cached after the first) of PR `number` (a security change) whose emergency label `labeler` added. */
function evaluationReads(scope: nock.Scope, number: number, labeler: string, permission: 'write' | 'admin') {
  app.firstContact(scope, () => {
    mockToken(scope);
    mockNoOrgConfig(scope);
  });
  mockConfig(scope, CONFIG);
  mockFiles(scope, [{ path: 'src/auth/login.ts', additions: 40 }], number);
  scope.get(`/repos/acme/widgets/issues/${number}/events`).query({ per_page: 100 }).reply(200, [labelEvent(labeler)]);
  mockReviews(scope, [], number);
  mockComments(scope, [], number);
  mockPermission(scope, labeler, permission);
  scope.get(`/repos/acme/widgets/commits/head${number}/check-runs`).query({ filter: 'latest', per_page: 100 }).reply(200, { total_count: 0, check_runs: [] });
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
