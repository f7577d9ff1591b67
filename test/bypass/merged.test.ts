import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { auditBypasses } from '../../src/bypass/audit-evaluation.js';
import { OwnCheckReader } from '../../src/github/checks.js';
import { mergedPrFromPayload, onPullRequestMerged, type ClosedPayload } from '../../src/bypass/merged.js';
import { postReviewMarker, type MergedPr } from '../../src/bypass/post-review.js';
import { complianceOf, emergencyAtMerge } from '../../src/policy/compliance.js';
import type { EscalationTarget } from '../../src/escalation/types.js';
import { classify } from '../../src/policy/classify.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { actor, configOf, file, prFacts } from '../helpers/facts.js';
import { redisDeps } from './helpers.js';
import { API, testOctokit } from '../helpers/github.js';
import { example as examplePayload } from '../helpers/webhooks.js';

const CONFIG = configOf(`
roles:
  on_call_engineer: ["olive"]
bypass:
  emergency: { label: emergency, allowed: [on_call_engineer] }
`);
const BYPASS_AT = Date.parse('2026-11-24T09:00:00Z');
const MERGED_AT = '2026-11-24T09:30:00Z';
let nextPr = 300;

/** GitHub's `pull_request.closed` example, merged by an admin at MERGED_AT. */
function mergedPayload(number: number): ClosedPayload {
  const payload = examplePayload<ClosedPayload & Record<string, any>>('pull_request', 'closed');
  payload.installation = { id: 99 };
  payload.pull_request.number = number;
  payload.pull_request.merged = true;
  payload.pull_request.merged_at = MERGED_AT;
  payload.pull_request.created_at = '2026-11-24T08:00:00Z';
  payload.pull_request.merged_by = { login: 'admin-ada' };
  return payload;
}

const APP_ID = 77;
const checkRun = (conclusion: string | null, status = 'completed', id = 1) => ({ id, name: 'hitl', app: { id: APP_ID }, status, conclusion, started_at: '2026-11-24T09:10:00Z' });

describe('after a pull request merges', () => {
  const env = redisDeps('merged');
  const github = testOctokit();
  const escalated: Array<{ target: EscalationTarget; level: number; by: string; reason: string }> = [];
  const escalation = { escalateTo: async (target: EscalationTarget, level: number, by: string, reason: string) => void escalated.push({ target, level, by, reason }) };
  const deps = { ...env.deps, github, checks: new OwnCheckReader(APP_ID), escalation };
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(async () => {
    nock.enableNetConnect();
    await env.close();
  });

  function checksAre(pr: MergedPr, runs: object[]) {
    return nock(API).get(`/repos/${pr.owner}/${pr.repo}/commits/${pr.headSha}/check-runs`).query({ filter: 'latest', app_id: APP_ID, per_page: 100 }).reply(200, { total_count: runs.length, check_runs: runs });
  }

  /** The gate's side: an emergency bypass by olive, evaluated and audited as the gate would, before the merge. */
  async function bypassedByOlive(pr: MergedPr, unbypassAt?: number) {
    const plan = classify(prFacts({ number: pr.number, headSha: pr.headSha, files: [file('src/auth/token.ts', 30)] }), CONFIG);
    const events = [{ kind: 'bypass' as const, actor: actor('olive'), justification: 'token refresh loops, everyone is logged out', source: 'command' as const, at: BYPASS_AT }];
    env.setNow(BYPASS_AT + 1_000);
    await auditBypasses(env.deps, evaluate(plan, { events }, BYPASS_AT + 1_000), pr);
    if (unbypassAt !== undefined) {
      await env.audit.record({ at: unbypassAt, installationId: pr.installationId, repo: `${pr.owner}/${pr.repo}`, pr: pr.number, actor: 'olive', action: 'unbypassed' });
    }
    env.setNow(Date.parse(MERGED_AT) + 5_000);
  }

  it('opens one post-implementation review issue, assigned to the bypasser and linked to the PR', async () => {
    const pr = mergedPrFromPayload(mergedPayload(nextPr++), 'v9')!;
    await bypassedByOlive(pr);
    const created: Array<Record<string, unknown>> = [];
    checksAre(pr, [checkRun('success')]);
    nock(API)
      .get(`/repos/${pr.owner}/${pr.repo}/issues`)
      .query({ labels: 'hitl:post-review', state: 'all', per_page: 100 })
      .reply(200, [{ number: 11, body: 'another review <!-- hitl:post-review Codertocat/Hello-World#1 -->' }])
      .post(`/repos/${pr.owner}/${pr.repo}/issues`, (body: Record<string, unknown>) => (created.push(body), true))
      .reply(201, { number: 12 });

    const outcome = await onPullRequestMerged(deps, pr, { postReview: true });
    expect(outcome).toEqual({ compliance: { state: 'compliant', conclusion: 'success' }, postReview: { state: 'opened', issue: 12 } });
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ assignees: ['olive'], labels: ['hitl:post-review'], title: `Post-implementation review: #${pr.number} ${pr.title}` });
    const body = created[0]!.body as string;
    expect(body).toContain(postReviewMarker(pr));
    expect(body).toContain(`#${pr.number} was merged on 2026-11-24T09:30:00.000Z with an emergency bypass by @olive in force.`);
    for (const heading of ['### Post-action review', '- [ ] Root cause of the emergency identified', '### Documentation', '### Lessons learned']) expect(body).toContain(heading);
    expect(await env.audit.query({ action: 'post_review_opened' })).toMatchObject([{ pr: pr.number, details: { issue: 12, bypassedBy: 'olive' } }]);
    expect(nock.pendingMocks()).toEqual([]);

    // The webhook is redelivered: nothing is written twice.
    checksAre(pr, [checkRun('success')]);
    expect((await onPullRequestMerged(deps, pr, { postReview: true })).postReview).toEqual({ state: 'exists' });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('finds an issue opened before (e.g. before a Redis loss) instead of opening another', async () => {
    const pr = mergedPrFromPayload(mergedPayload(nextPr++))!;
    await bypassedByOlive(pr);
    checksAre(pr, [checkRun('success')]);
    nock(API)
      .get(`/repos/${pr.owner}/${pr.repo}/issues`)
      .query({ labels: 'hitl:post-review', state: 'all', per_page: 100 })
      .reply(200, [{ number: 21, body: `${postReviewMarker(pr)}\nalready here` }]);
    expect((await onPullRequestMerged(deps, pr, { postReview: true })).postReview).toEqual({ state: 'exists', issue: 21 });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('opens the issue without an assignee when GitHub refuses the bypasser as one', async () => {
    const pr = mergedPrFromPayload(mergedPayload(nextPr++))!;
    await bypassedByOlive(pr);
    const created: Array<Record<string, unknown>> = [];
    checksAre(pr, [checkRun('success')]);
    nock(API)
      .get(`/repos/${pr.owner}/${pr.repo}/issues`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${pr.owner}/${pr.repo}/issues`, (body: { assignees?: string[] }) => body.assignees !== undefined)
      .reply(422, { message: 'Validation Failed' })
      .post(`/repos/${pr.owner}/${pr.repo}/issues`, (body: Record<string, unknown>) => (created.push(body), !('assignees' in body)))
      .reply(201, { number: 31 });
    expect((await onPullRequestMerged(deps, pr, { postReview: true })).postReview).toEqual({ state: 'opened', issue: 31 });
    expect(created).toHaveLength(1);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('opens no review when the bypass was withdrawn before the merge, or when post_review is off', async () => {
    const withdrawn = mergedPrFromPayload(mergedPayload(nextPr++))!;
    await bypassedByOlive(withdrawn, BYPASS_AT + 60_000);
    checksAre(withdrawn, [checkRun('success')]);
    expect((await onPullRequestMerged(deps, withdrawn, { postReview: true })).postReview).toEqual({ state: 'not-bypassed' });
    const off = mergedPrFromPayload(mergedPayload(nextPr++))!;
    await bypassedByOlive(off);
    checksAre(off, [checkRun('success')]);
    expect((await onPullRequestMerged(deps, off, { postReview: false })).postReview).toBeUndefined();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('records, comments and escalates an admin merge while hitl was waiting, once', async () => {
    const pr = mergedPrFromPayload(mergedPayload(nextPr++), 'v9')!;
    const comments: string[] = [];
    checksAre(pr, [checkRun('action_required', 'completed', 1), checkRun('success', 'completed', 0)]);
    nock(API)
      .post(`/repos/${pr.owner}/${pr.repo}/issues/${pr.number}/comments`, (body: { body: string }) => (comments.push(body.body), true))
      .reply(201, { id: 5 });
    const before = escalated.length;
    const outcome = await onPullRequestMerged(deps, pr, { postReview: true });
    expect(outcome.compliance).toEqual({ state: 'violation', reason: '`hitl` concluded action_required when the pull request merged' });
    expect(comments).toEqual([expect.stringContaining('🚨 **Compliance violation**: this pull request was merged by @admin-ada around the HITL gate')]);
    expect(escalated.slice(before)).toEqual([
      { target: { installationId: 99, owner: 'Codertocat', repo: 'Hello-World', number: pr.number, item: 'compliance' }, level: 3, by: 'hitl', reason: 'compliance violation: `hitl` concluded action_required when the pull request merged' },
    ]);
    const violations = await env.audit.query({ action: 'compliance_violation' });
    expect(violations).toMatchObject([{ pr: pr.number, actor: 'admin-ada', headSha: pr.headSha, configVersion: 'v9', details: { mergedAt: Date.parse(MERGED_AT) } }]);
    expect(nock.pendingMocks()).toEqual([]);

    checksAre(pr, [checkRun('action_required')]);
    await onPullRequestMerged(deps, pr, { postReview: true });
    expect(escalated.length).toBe(before + 1);
    expect(await env.audit.query({ action: 'compliance_violation' })).toHaveLength(1);
  });

  it('does nothing for a pull request closed without merging', () => {
    expect(mergedPrFromPayload(examplePayload<ClosedPayload>('pull_request', 'closed'))).toBeUndefined();
  });
});

describe('compliance decision', () => {
  it('is green only on a finished success, neutral or skipped hitl run', () => {
    expect(complianceOf([checkRun('success')]).state).toBe('compliant');
    expect(complianceOf([checkRun('neutral')]).state).toBe('compliant');
    expect(complianceOf([checkRun('skipped')]).state).toBe('compliant');
    expect(complianceOf([checkRun('failure')])).toEqual({ state: 'violation', reason: '`hitl` concluded failure when the pull request merged' });
    expect(complianceOf([checkRun(null, 'in_progress')])).toEqual({ state: 'violation', reason: '`hitl` was still in_progress when the pull request merged' });
    expect(complianceOf([])).toEqual({ state: 'violation', reason: 'no `hitl` check ran on the merged head' });
  });

  it('reads the latest run when the check was re-run', () => {
    const older = { ...checkRun('failure', 'completed', 1), started_at: '2026-11-24T09:00:00Z' };
    const newer = { ...checkRun('success', 'completed', 2), started_at: '2026-11-24T09:20:00Z' };
    expect(complianceOf([older, newer]).state).toBe('compliant');
  });
});

describe('emergency in force at the merge, from the audit log', () => {
  const pr: MergedPr = { installationId: 1, owner: 'acme', repo: 'api', number: 5, headSha: 'h', title: 't', createdAt: 0, mergedAt: 1_000 };
  const base = { installationId: 1, repo: 'acme/api', pr: 5, actor: 'olive' };

  it('takes the last bypass or unbypass before the merge', () => {
    expect(emergencyAtMerge([{ ...base, at: 100, action: 'bypassed', reason: 'why', details: { kind: 'emergency', bypassedAt: 90 } }], pr)).toEqual({ by: 'olive', justification: 'why', at: 90 });
    expect(emergencyAtMerge([{ ...base, at: 100, action: 'bypassed', details: { kind: 'emergency' } }, { ...base, at: 200, action: 'unbypassed' }], pr)).toBeUndefined();
    expect(emergencyAtMerge([{ ...base, at: 2_000, action: 'bypassed', details: { kind: 'emergency' } }], pr)).toBeUndefined();
    expect(emergencyAtMerge([{ ...base, at: 100, action: 'bypassed', details: { kind: 'test_environment' } }], pr)).toBeUndefined();
    expect(emergencyAtMerge([{ ...base, pr: 6, at: 100, action: 'bypassed', details: { kind: 'emergency' } }], pr)).toBeUndefined();
  });
});


