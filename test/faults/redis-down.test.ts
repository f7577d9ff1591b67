import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { BENCH_SECRET, deleteUnder, startFleet, startInstance, type AppInstance, type Fleet } from '../../src/bench/harness.js';
import { buildDelivery, WebhookDriver } from '../../src/stand-in/webhooks.js';
import { EscalationEngine } from '../../src/escalation/engine.js';
import { MemoryAuditSink } from '../../src/audit/types.js';
import { startRedisProxy, type RedisProxy } from './proxies.js';

/** Polls until `probe` holds (Redis reconnects and the retry timer fire on their own schedule). */
async function eventually(probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await probe()) return true;
    await sleep(100);
  }
  return false;
}

/**
 * The real app on loopback against the GitHub stand-in, its Redis (and the escalation engine's)
 * reached through a TCP proxy the test cuts: the clients fail fast (no offline queue, a short
 * command timeout), as src/index.ts creates them.
 */
describe('Redis unavailable for some seconds during webhooks', () => {
  let fleet: Fleet;
  let proxy: RedisProxy;
  let engine: EscalationEngine;
  let instance: AppInstance;
  let driver: WebhookDriver;
  const enginePrefix = `hitl-test-redisdown-${randomBytes(4).toString('hex')}`;
  const warnings: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeEach(async () => {
    warnings.length = 0;
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
    fleet = await startFleet({ installations: 1, replicas: 0 });
    proxy = await startRedisProxy();
    engine = await EscalationEngine.start({
      redisUrl: proxy.url,
      prefix: enginePrefix,
      // A producer (no worker): the test looks at the timers it leaves in Redis.
      octokitFor: async () => {
        throw new Error('no worker runs here');
      },
      audit: new MemoryAuditSink(),
    });
    const saved = process.env.REDIS_URL;
    process.env.REDIS_URL = proxy.url; // the harness connects to REDIS_URL
    try {
      instance = await startInstance({
        standIn: fleet.standIn,
        prefix: fleet.prefix,
        redisOptions: { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000 },
        deps: { escalation: engine },
      });
    } finally {
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
    }
    instance.redis.on('error', () => undefined); // reconnect noise; the app's own logs are asserted
    jest.spyOn(instance.probot.log, 'warn').mockImplementation(((message: string) => void warnings.push(message)) as never);
    driver = new WebhookDriver({ appUrl: instance.url, secret: BENCH_SECRET, concurrency: 4 });
  });

  afterEach(async () => {
    driver.close();
    proxy.restore(); // a test that failed midway leaves it cut
    await instance.stop();
    await engine.close();
    await proxy.close();
    await fleet.stop();
    await deleteUnder(`${enginePrefix}:`);
    process.off('unhandledRejection', onUnhandled);
    expect(fleet.standIn.internalErrors).toEqual([]);
  });

  it('the gate is still evaluated and posted, a redelivery is still handled once, the escalation timer is set once Redis is back', async () => {
    const pr = fleet.pulls[0]!;
    const { state } = fleet.standIn;
    proxy.cut();
    const opened = buildDelivery({ event: 'pull_request.opened', pr });
    const [first, again] = [await driver.send(opened), await driver.send(opened)];
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(state.checkRuns(pr.owner, pr.repo, { name: 'hitl' })).toEqual([expect.objectContaining({ status: 'in_progress' })]);
    expect(state.labelsOn(pr.owner, pr.repo, pr.number)).toEqual(['hitl:peer-review']);
    expect(instance.app.costs.map((c) => c.outcome)).toEqual(['handled', 'duplicate']);
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^Redis unavailable for delivery dedupe .*this process only/), expect.stringMatching(/^escalation: ensure org-1\/repo#1 .* retrying with backoff/)]));
    expect(await engine.jobs.getJobCounts('delayed').catch(() => 'unreachable')).toBe('unreachable');

    proxy.restore();
    // The ensure that failed is sent again by the retry timer: the item's level-1 timer exists (its SLA is the same moment).
    expect(await eventually(async () => (await engine.jobs.getJobCounts('delayed').catch(() => ({ delayed: 0 }))).delayed === 1)).toBe(true);
    expect(await engine.listPending()).toEqual([expect.objectContaining({ owner: pr.owner, number: pr.number, level: 0 })]);

    // Back to normal: an approval ends the check and the timer is cancelled.
    await eventually(async () => instance.redis.status === 'ready');
    const review = state.addReview(pr.owner, pr.repo, pr.number, { user: 'bob', state: 'APPROVED' });
    const approved = await driver.send(buildDelivery({ event: 'pull_request_review.submitted', pr, reviewer: 'bob', state: 'approved', reviewId: review.id }));
    expect(approved.status).toBe(200);
    expect(state.checkRuns(pr.owner, pr.repo, { name: 'hitl' })).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'success' })]);
    expect(await engine.listPending()).toEqual([]);
    expect(unhandled).toEqual([]);
  }, 30_000);

  it('a cancel that fails while Redis is away replaces the queued ensure of the item: once back, no timer is left', async () => {
    const pr = fleet.pulls[0]!;
    const { state } = fleet.standIn;
    proxy.cut();
    expect((await driver.send(buildDelivery({ event: 'pull_request.opened', pr }))).status).toBe(200);
    const review = state.addReview(pr.owner, pr.repo, pr.number, { user: 'bob', state: 'APPROVED' });
    expect((await driver.send(buildDelivery({ event: 'pull_request_review.submitted', pr, reviewer: 'bob', state: 'approved', reviewId: review.id }))).status).toBe(200);
    // peer_review is approved (its timer is cancelled), but a /reject or /hold recorded in Redis may stand: the gate waits and says why.
    expect(state.checkRuns(pr.owner, pr.repo, { name: 'hitl' })).toEqual([
      expect.objectContaining({ status: 'in_progress', output: expect.objectContaining({ title: 'peer review: waiting: the recorded /reject and /hold decisions cannot be read (Redis is unavailable)' }) }),
    ]);

    proxy.restore();
    expect(await eventually(async () => warnings.some((w) => w === 'escalation: every queued scheduling call was sent'))).toBe(true);
    expect(await engine.jobs.getJobCounts('delayed')).toEqual({ delayed: 0 });
    expect(await engine.listPending()).toEqual([]);
    expect(unhandled).toEqual([]);
  }, 30_000);

  it('a merge around the gate while Redis is away is recorded once it is back, exactly once (issue 11 item 8)', async () => {
    const pr = fleet.pulls[0]!;
    const { state } = fleet.standIn;
    expect((await driver.send(buildDelivery({ event: 'pull_request.opened', pr }))).status).toBe(200);
    expect(state.checkRuns(pr.owner, pr.repo, { name: 'hitl' })).toEqual([expect.objectContaining({ status: 'in_progress' })]);
    const violations = () => state.issue(pr.owner, pr.repo, pr.number).comments.filter((c) => c.body.includes('Compliance violation'));

    proxy.cut();
    // An admin merges while hitl waits, and Redis is away when GitHub says so.
    const commitSha = state.mergePull(pr.owner, pr.repo, pr.number, 'admin-ada');
    const merged = buildDelivery({ event: 'pull_request.closed', pr, merged: { by: 'admin-ada', commitSha }, sender: 'admin-ada' });
    expect((await driver.send(merged)).status).toBe(200);
    expect(violations()).toEqual([]);
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^merge of org-1\/repo#1: deferred until Redis is back/)]));

    proxy.restore();
    expect(await eventually(async () => violations().length === 1)).toBe(true);
    expect(violations()[0]!.body).toContain('merged by @admin-ada around the HITL gate');
    // GitHub's delivery of the same event again (as a redelivery would, under a new id once Redis forgot nothing): nothing twice.
    expect((await driver.send({ ...merged, id: `${merged.id}-again` })).status).toBe(200);
    expect(violations()).toHaveLength(1);
    expect(unhandled).toEqual([]);
  }, 30_000);
});
