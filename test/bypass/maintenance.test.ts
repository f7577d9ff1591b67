import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue, type Job } from 'bullmq';
import nock from 'nock';
import type { GateRef } from '../../src/bypass/audit-evaluation.js';
import { createWindowSummaryWorker, MAINTENANCE_QUEUE, onWindowApproval, summaryJobId, windowApprovals, type SummaryJob } from '../../src/bypass/maintenance.js';
import { classify } from '../../src/policy/classify.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { openWindows } from '../../src/policy/windows.js';
import { configOf, file, prFacts } from '../helpers/facts.js';
import { redisDeps } from './helpers.js';
import { API, testOctokit } from '../helpers/github.js';

// Saturdays 02:00 in Berlin for 4 hours; the clocks change on Sunday 29 March and Sunday 25 October 2026.
const CONFIG = configOf(`
roles:
  technical_lead: ["lena"]
  on_call_engineer: ["olive"]
bypass:
  maintenance_windows:
    - { name: saturday-maintenance, cron: "0 2 * * 6", duration: 4_hours, timezone: Europe/Berlin, auto_approve: [peer_review, rollback_decision], approver: technical_lead }
    - { name: freeze-lift, start: "2026-12-01T08:00:00Z", end: "2026-12-01T10:00:00Z", auto_approve: [peer_review] }
`);
const at = (iso: string) => Date.parse(iso);
const openAt = (iso: string) => openWindows(CONFIG.bypass.windows, at(iso)).map((w) => [w.window.name, new Date(w.openedAt).toISOString(), new Date(w.closesAt).toISOString()]);

describe('a Berlin maintenance window across daylight-saving changes', () => {
  it('opens at 01:00 UTC and closes at 05:00 UTC on the last Saturday of winter time', () => {
    expect(openAt('2026-03-28T00:59:59Z')).toEqual([]);
    expect(openAt('2026-03-28T01:00:00Z')).toEqual([['saturday-maintenance', '2026-03-28T01:00:00.000Z', '2026-03-28T05:00:00.000Z']]);
    expect(openAt('2026-03-28T04:59:59Z')).toHaveLength(1);
    expect(openAt('2026-03-28T05:00:00Z')).toEqual([]);
  });

  it('opens an hour earlier in UTC once summer time started', () => {
    expect(openAt('2026-04-03T23:59:59Z')).toEqual([]);
    expect(openAt('2026-04-04T00:00:00Z')).toEqual([['saturday-maintenance', '2026-04-04T00:00:00.000Z', '2026-04-04T04:00:00.000Z']]);
    expect(openAt('2026-04-04T04:00:00Z')).toEqual([]);
  });

  it('moves back to 01:00 UTC after summer time ends in October', () => {
    expect(openAt('2026-10-24T00:00:00Z')).toEqual([['saturday-maintenance', '2026-10-24T00:00:00.000Z', '2026-10-24T04:00:00.000Z']]);
    expect(openAt('2026-10-31T00:30:00Z')).toEqual([]);
    expect(openAt('2026-10-31T01:00:00Z')).toEqual([['saturday-maintenance', '2026-10-31T01:00:00.000Z', '2026-10-31T05:00:00.000Z']]);
  });

  it('keeps a fixed window to its start and end', () => {
    expect(openAt('2026-12-01T07:59:59Z')).toEqual([]);
    expect(openAt('2026-12-01T08:00:00Z')).toEqual([['freeze-lift', '2026-12-01T08:00:00.000Z', '2026-12-01T10:00:00.000Z']]);
    expect(openAt('2026-12-01T10:00:00Z')).toEqual([]);
  });
});

describe('approvals in the window\'s name', () => {
  const env = redisDeps('maintenance');
  const github = testOctokit();
  const queue = new Queue(MAINTENANCE_QUEUE, { connection: { host: '127.0.0.1', port: 6379 }, prefix: `${env.prefix}bull` });
  const comments: Array<{ pr: number; body: string }> = [];
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(async () => {
    nock.enableNetConnect();
    await queue.obliterate({ force: true });
    await queue.close();
    await env.close();
  });

  const gate = (number: number, headSha = `head${number}`): GateRef => ({ installationId: 7, owner: 'acme', repo: 'api', number, headSha, configVersion: 'v3' });
  const peerPr = (number: number) => classify(prFacts({ number, files: [file('src/app.ts', 20)] }), CONFIG);
  const commentsOn = (number: number) =>
    nock(API)
      .post(`/repos/acme/api/issues/${number}/comments`, (body: { body: string }) => (comments.push({ pr: number, body: body.body }), true))
      .reply(201, { id: number });

  async function gateRuns(number: number, now: string) {
    env.setNow(at(now));
    const plan = peerPr(number);
    const evaluation = evaluate(plan, { events: [] }, at(now));
    for (const approval of windowApprovals(plan, evaluation, at(now))) await onWindowApproval({ ...env.deps, github, queue }, gate(number), approval);
    return evaluation;
  }

  it('approves peer review only while the window is open', async () => {
    expect((await gateRuns(1, '2026-03-28T00:59:00Z')).verdict.state).toBe('pending');
    commentsOn(1);
    expect((await gateRuns(1, '2026-03-28T01:00:00Z')).verdict.state).toBe('pass');
    expect((await gateRuns(1, '2026-03-28T05:00:00Z')).verdict.state).toBe('pending');
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('never approves an emergency-only checkpoint such as a rollback decision', () => {
    const plan = classify(prFacts({ labels: ['rollback'], files: [file('src/app.ts', 20)] }), CONFIG);
    const evaluation = evaluate(plan, { events: [] }, at('2026-03-28T02:00:00Z'));
    expect(evaluation.items.find((i) => i.item.name === 'rollback_decision')?.status.state).toBe('pending');
    expect(windowApprovals(plan, evaluation, at('2026-03-28T02:00:00Z'))).toEqual([]);
  });

  it('audits each approval once, comments once per PR and opening, and schedules one summary at the close', async () => {
    commentsOn(2);
    commentsOn(3);
    await gateRuns(2, '2026-03-28T01:30:00Z');
    await gateRuns(2, '2026-03-28T02:30:00Z'); // a later webhook on the same head: nothing new
    await gateRuns(3, '2026-03-28T03:00:00Z');
    expect(nock.pendingMocks()).toEqual([]);
    expect(comments.filter((c) => c.pr !== 1).map((c) => c.pr)).toEqual([2, 3]);
    expect(comments.find((c) => c.pr === 2)?.body).toContain('Maintenance window `saturday-maintenance` is open (2026-03-28 01:00 UTC to 2026-03-28 05:00 UTC)');

    const approvals = await env.audit.query({ action: 'auto_approved', repo: 'acme/api' });
    expect(approvals.map((e) => [e.pr, e.checkpoint, e.actor])).toEqual([[1, 'peer_review', 'hitl'], [2, 'peer_review', 'hitl'], [3, 'peer_review', 'hitl']]);
    expect(approvals[1]).toMatchObject({ headSha: 'head2', configVersion: 'v3', details: { kind: 'maintenance_window', window: 'saturday-maintenance', approverRole: 'technical_lead' } });

    const id = summaryJobId({ installationId: 7, owner: 'acme', repo: 'api', window: 'saturday-maintenance', openedAt: at('2026-03-28T01:00:00Z') });
    expect(await queue.getDelayedCount()).toBe(1);
    const job = (await queue.getJob(id)) as Job<SummaryJob>;
    expect(job.data.closesAt).toBe(at('2026-03-28T05:00:00Z'));
    // Scheduled from the first approval (01:00) to the close (05:00).
    expect(job.opts.delay).toBe(4 * 3_600_000);
  });

  it('posts one summary issue listing what the opening approved when the window closes', async () => {
    const issues: Array<{ title: string; body: string; labels: string[] }> = [];
    nock(API)
      .post('/repos/acme/api/issues', (body: { title: string; body: string; labels: string[] }) => (issues.push(body), true))
      .reply(201, { number: 50 });
    const worker = createWindowSummaryWorker({ host: '127.0.0.1', port: 6379 }, { ...env.deps, getGitHub: async () => github }, { prefix: `${env.prefix}bull` });
    const done = new Promise<unknown>((resolve, reject) => {
      worker.on('completed', (_job, result) => resolve(result));
      worker.on('failed', (_job, error) => reject(error));
    });
    const id = summaryJobId({ installationId: 7, owner: 'acme', repo: 'api', window: 'saturday-maintenance', openedAt: at('2026-03-28T01:00:00Z') });
    await (await queue.getJob(id))!.promote(); // the clock reaches the close
    expect(await done).toBe('posted');
    await worker.close();
    expect(issues).toHaveLength(1);
    expect(issues[0]!.title).toBe('Maintenance window saturday-maintenance: 3 approvals (2026-03-28 01:00 UTC to 2026-03-28 05:00 UTC)');
    expect(issues[0]!.labels).toEqual(['hitl:maintenance']);
    expect(issues[0]!.body.match(/^\| #\d+ \| `peer_review` \|/gm)).toEqual(['| #1 | `peer_review` |', '| #2 | `peer_review` |', '| #3 | `peer_review` |']);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('starts a new summary for the next opening, an hour earlier in UTC after the change to summer time', async () => {
    commentsOn(4);
    await gateRuns(4, '2026-04-04T00:10:00Z');
    const id = summaryJobId({ installationId: 7, owner: 'acme', repo: 'api', window: 'saturday-maintenance', openedAt: at('2026-04-04T00:00:00Z') });
    const job = (await queue.getJob(id)) as Job<SummaryJob>;
    expect(job.data.closesAt).toBe(at('2026-04-04T04:00:00Z'));
    expect(job.opts.delay).toBe(3 * 3_600_000 + 50 * 60_000);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
