import { afterEach, describe, expect, it } from '@jest/globals';
import { SECONDARY_LIMIT_MESSAGE } from '../../src/stand-in/faults.js';
import type { StandIn, StandInOptions } from '../../src/stand-in/server.js';
import { INSTALLATION, OWNER, PR, REPO, seededStandIn, type Api } from './helpers.js';

let standIn: StandIn;
let api: Api;
/** A hand-driven clock: write spacing and fault spans are about stand-in time, not wall time. */
let now = 1_700_000_000_000;
const comments = `/repos/${OWNER}/${REPO}/issues/${PR}/comments`;

async function start(options: StandInOptions = {}): Promise<void> {
  ({ standIn, api } = await seededStandIn({ clock: () => now, ...options }));
}

afterEach(async () => {
  expect(standIn.internalErrors).toEqual([]);
  await standIn.stop();
});

describe('fault injection', () => {
  it('fails the next N matching calls with 502, then answers normally, and the faulted write changes nothing', async () => {
    await start();
    const fault = standIn.faults.inject({ kind: 'bad-gateway', times: 2, match: { method: 'POST', path: '/comments' } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await api('POST', comments, { body: `try ${i}` })).status);
    expect(statuses).toEqual([502, 502, 201]);
    expect(fault.hits).toBe(2);
    expect(standIn.state.comments(OWNER, REPO, PR).map((comment) => comment.body)).toEqual(['try 2']);
    expect(standIn.calls.stats().faults).toBe(2);
  });

  it('answers 500 only for the matching route and installation', async () => {
    await start();
    standIn.faults.inject({ kind: 'server-error', match: { route: 'pulls.get', installationId: INSTALLATION } });
    expect((await api('GET', `/repos/${OWNER}/${REPO}/pulls/${PR}`)).status).toBe(500);
    expect((await api('GET', `/repos/${OWNER}/${REPO}/pulls/${PR}/files`)).status).toBe(200);
  });

  it('answers a secondary rate limit as 403 with retry-after and the message Octokit recognises, and 429 likewise', async () => {
    await start();
    standIn.faults.inject({ kind: 'secondary-rate-limit', times: 1, retryAfterSeconds: 3 });
    standIn.faults.inject({ kind: 'too-many-requests', times: 1, retryAfterSeconds: 2 });
    const limited = await api('GET', `/repos/${OWNER}/${REPO}/pulls/${PR}`);
    expect(limited.status).toBe(403);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.json.message).toMatch(/\bsecondary rate\b/i);
    const tooMany = await api('GET', `/repos/${OWNER}/${REPO}/pulls/${PR}`);
    expect(tooMany).toMatchObject({ status: 429, json: { message: SECONDARY_LIMIT_MESSAGE } });
    expect(tooMany.headers.get('retry-after')).toBe('2');
    expect((await api('GET', `/repos/${OWNER}/${REPO}/pulls/${PR}`)).status).toBe(200);
  });

  it('fails calls for a span of time, by path pattern, until the clock passes it', async () => {
    await start();
    standIn.faults.inject({ kind: 'bad-gateway', forMs: 5_000, match: { path: /\/check-runs$/ } });
    const create = () => api('POST', `/repos/${OWNER}/${REPO}/check-runs`, { name: 'hitl', head_sha: 'a'.repeat(40) });
    expect((await create()).status).toBe(502);
    now += 4_999;
    expect((await create()).status).toBe(502);
    now += 2;
    expect((await create()).status).toBe(201);
  });

  it('stops failing when the fault is cleared', async () => {
    await start();
    const fault = standIn.faults.inject({ kind: 'server-error' });
    expect((await api('GET', `/repos/${OWNER}/${REPO}/pulls/${PR}`)).status).toBe(500);
    fault.clear();
    expect((await api('GET', `/repos/${OWNER}/${REPO}/pulls/${PR}`)).status).toBe(200);
  });
});

describe('latency', () => {
  it('holds every answer for at least the configured latency', async () => {
    await start({ latencyMs: 40 });
    const started = performance.now();
    await api('GET', `/repos/${OWNER}/${REPO}/pulls/${PR}`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
    standIn.setLatency(0);
  });
});

describe('write limits', () => {
  it('records writes of one installation closer than a second, and not reads or writes of another installation', async () => {
    await start();
    standIn.state.addRepo({ owner: 'other', repo: 'app', installationId: 77 });
    standIn.state.addPullRequest('other', 'app', { number: 1, author: 'zed', head: { ref: 'x', sha: 'c'.repeat(40) } });
    const otherToken = standIn.state.issueToken(77);
    await api('POST', comments, { body: 'one' });
    now += 400;
    await api('GET', comments);
    await api('POST', `/repos/other/app/issues/1/comments`, { body: 'elsewhere' }, { authorization: `token ${otherToken}` });
    now += 100;
    await api('POST', comments, { body: 'two' });
    now += 1000;
    await api('POST', comments, { body: 'three' });
    expect(standIn.calls.violations()).toEqual([{ kind: 'write-spacing', installationId: INSTALLATION, at: now - 1000, route: 'issues.createComment', gapMs: 500 }]);
    expect(standIn.calls.stats({ installationId: INSTALLATION })).toMatchObject({ reads: 1, writes: 3, contentCreations: 3 });
  });

  it('records content creations beyond 80 in a minute', async () => {
    await start();
    for (let i = 0; i < 81; i++) {
      await api('POST', comments, { body: `c${i}` });
      now += 1_000 * (59 / 80); // 81 creations inside 60 s
    }
    const rate = standIn.calls.violations().filter((violation) => violation.kind === 'content-creation-rate');
    expect(rate).toEqual([expect.objectContaining({ installationId: INSTALLATION, inLastMinute: 80 })]);
  });

  it('when enforcing, refuses a too-early write with a secondary rate limit and lets it through after the wait', async () => {
    await start({ writeLimits: 'enforce' });
    expect((await api('POST', comments, { body: 'first' })).status).toBe(201);
    now += 300;
    const early = await api('POST', comments, { body: 'second' });
    expect(early.status).toBe(403);
    expect(early.headers.get('retry-after')).toBe('1');
    expect(early.json.message).toMatch(/secondary rate/);
    now += 1_000;
    expect((await api('POST', comments, { body: 'second' })).status).toBe(201);
    expect(standIn.state.comments(OWNER, REPO, PR).map((comment) => comment.body)).toEqual(['first', 'second']);
  });

  it('sees concurrent writes as concurrent even with added latency', async () => {
    await start({ latencyMs: 20 });
    await Promise.all([api('POST', comments, { body: 'a' }), api('POST', comments, { body: 'b' })]);
    expect(standIn.calls.violations()).toEqual([expect.objectContaining({ kind: 'write-spacing', gapMs: 0 })]);
  });
});
