import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_SECRET, startFleet, startInstance, type AppInstance, type Fleet } from '../../src/bench/harness.js';
import { buildDelivery, WebhookDriver, type StandIn } from '../../src/stand-in/index.js';
import { handleOnce } from '../../src/handlers/dedupe.js';
import { testRedis } from '../helpers/redis.js';
import { startGitHubProxy, type GitHubProxy } from './proxies.js';

/**
 * App A handles a delivery and dies mid-way (its GitHub request never answered, its server and
 * Redis connection gone); app B, a new instance on the same Redis, gets GitHub's redelivery with
 * the same X-GitHub-Delivery.
 */
describe('the app killed mid-way through an event, the delivery redelivered to a new instance', () => {
  let fleet: Fleet;
  let github: GitHubProxy;
  let a: AppInstance;
  let toA: WebhookDriver;

  beforeEach(async () => {
    fleet = await startFleet({ installations: 1, replicas: 1 });
    github = await startGitHubProxy(fleet.standIn.port);
    const behindProxy: StandIn = { ...fleet.standIn, probotEnv: github.probotEnv };
    a = await startInstance({ standIn: behindProxy, prefix: fleet.prefix });
    toA = new WebhookDriver({ appUrl: a.url, secret: BENCH_SECRET, concurrency: 2 });
  });

  afterEach(async () => {
    toA.close();
    await a.stop();
    github.dropHeld();
    await github.close();
    await fleet.stop();
  });

  /** Sends to A, waits until A's held request reached the proxy, then kills A. */
  const crashA = async (delivery: ReturnType<typeof buildDelivery>, held: Promise<void>) => {
    const answer = toA.send(delivery);
    await held;
    await a.stop();
    expect((await answer).status).not.toBe(200);
  };

  it('died before its check update reached GitHub: the redelivery takes over once the lease lapses and posts the final check', async () => {
    const pr = fleet.pulls[0]!;
    const { state } = fleet.standIn;
    const [toB] = fleet.drivers;
    expect((await toB!.send(buildDelivery({ event: 'pull_request.opened', pr }))).status).toBe(200);
    const review = state.addReview(pr.owner, pr.repo, pr.number, { user: 'bob', state: 'APPROVED' });
    const approved = buildDelivery({ event: 'pull_request_review.submitted', pr, reviewer: 'bob', state: 'approved', reviewId: review.id });

    await crashA(approved, github.hold({ method: 'PATCH', path: /\/check-runs\/\d+$/, forward: false }));
    expect(state.checkRuns(pr.owner, pr.repo, { name: 'hitl' })).toEqual([expect.objectContaining({ status: 'in_progress' })]);

    expect((await toB!.send(approved)).status).toBe(200);
    expect(state.checkRuns(pr.owner, pr.repo, { name: 'hitl' })).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'success' })]);
    expect(fleet.instances[0]!.app.costs.map((c) => c.outcome)).toEqual(['handled', 'handled']);
    expect(fleet.standIn.calls.stats({ route: 'checks.create' }).total).toBe(1);
  }, 20_000);

  it('died after GitHub created its check run but before it learnt the id: the redelivery updates that run, no duplicate', async () => {
    const pr = fleet.pulls[0]!;
    const { state } = fleet.standIn;
    const opened = buildDelivery({ event: 'pull_request.opened', pr });

    await crashA(opened, github.hold({ method: 'POST', path: /\/check-runs$/, forward: true }));
    expect(state.checkRuns(pr.owner, pr.repo, { name: 'hitl' })).toHaveLength(1);

    expect((await fleet.drivers[0]!.send(opened)).status).toBe(200);
    expect(state.checkRuns(pr.owner, pr.repo, { name: 'hitl' })).toEqual([expect.objectContaining({ status: 'in_progress' })]);
    expect(state.labelsOn(pr.owner, pr.repo, pr.number)).toEqual(['hitl:peer-review']);
    expect(fleet.standIn.calls.stats({ route: 'checks.create' }).total).toBe(1);
  }, 20_000);
});

describe('a second delivery while the first still runs', () => {
  const store = testRedis('dedupe-lease');
  afterEach(() => store.clear());
  afterAll(() => store.close());

  it('waits and counts as a duplicate while the live holder renews its lease past the lease length', async () => {
    let runs = 0;
    const key = `${store.prefix}delivery:live`;
    const slow = handleOnce(store.redis, key, async () => { runs++; await sleep(600); }, { leaseMs: 150 });
    await sleep(50);
    const second = await handleOnce(store.redis, key, async () => { runs++; }, { leaseMs: 150, maxWaitMs: 2_000 });
    expect([await slow, second, runs]).toEqual(['handled', 'duplicate', 1]);
  });

  it('takes over when the first one failed (its claim is given back)', async () => {
    let runs = 0;
    const key = `${store.prefix}delivery:failed`;
    const failing = handleOnce(store.redis, key, async () => { runs++; await sleep(200); throw new Error('GitHub unreachable'); }, { leaseMs: 150 });
    await sleep(50);
    const second = handleOnce(store.redis, key, async () => { runs++; }, { leaseMs: 150, maxWaitMs: 2_000 });
    await expect(failing).rejects.toThrow('GitHub unreachable');
    expect([await second, runs]).toEqual(['handled', 2]);
  });
});
