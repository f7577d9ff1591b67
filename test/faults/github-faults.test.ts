import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startFleet, type Fleet } from '../../src/bench/harness.js';
import type { FaultKind } from '../../src/stand-in/index.js';
import { buildDelivery } from '../../src/stand-in/webhooks.js';

/** The app on loopback against the stand-in; GitHub fails for a while; the gate must still end right, once. */
describe('GitHub failing for a while (502, 500, secondary limit 403, 429)', () => {
  let fleet: Fleet;
  beforeEach(async () => {
    fleet = await startFleet({ installations: 1 });
  });
  afterEach(async () => {
    expect(fleet.standIn.internalErrors).toEqual([]);
    await fleet.stop();
  });

  const openAndApprove = async () => {
    const pr = fleet.pulls[0]!;
    const opened = await fleet.drivers[0]!.send(buildDelivery({ event: 'pull_request.opened', pr }));
    const review = fleet.standIn.state.addReview(pr.owner, pr.repo, pr.number, { user: 'bob', state: 'APPROVED' });
    const approved = await fleet.drivers[0]!.send(buildDelivery({ event: 'pull_request_review.submitted', pr, reviewer: 'bob', state: 'approved', reviewId: review.id }));
    return { pr, statuses: [opened.status, approved.status] };
  };

  // A check-run POST answered 5xx is re-listed, then tried once more (it is not safe to repeat blindly).
  it.each<[FaultKind, string, number]>([
    ['bad-gateway', 'checks.create', 1],
    ['server-error', 'checks.update', 2],
    ['secondary-rate-limit', 'checks.create', 2],
    ['too-many-requests', 'checks.update', 2],
    ['bad-gateway', 'pulls.listFiles', 2],
    ['secondary-rate-limit', 'issues.addLabels', 2],
  ])('%s on %s (%i times): retried, one hitl check that ends success, one label', async (kind, route, times) => {
    const fault = fleet.standIn.faults.inject({ kind, times, retryAfterSeconds: 1, match: { route } });
    const { pr, statuses } = await openAndApprove();
    expect(statuses).toEqual([200, 200]);
    expect(fault.hits).toBe(times);
    const runs = fleet.standIn.state.checkRuns(pr.owner, pr.repo, { name: 'hitl' });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(fleet.standIn.state.labelsOn(pr.owner, pr.repo, pr.number)).toEqual(['hitl:peer-review']);
    expect(fleet.standIn.calls.stats({ route: 'checks.create' }).total - fault.hits * Number(route === 'checks.create')).toBe(1);
  });

  it('a 5xx on a check-run POST is not blindly repeated: GitHub keeps failing → the delivery fails and its redelivery creates exactly one run', async () => {
    const pr = fleet.pulls[0]!;
    fleet.standIn.faults.inject({ kind: 'server-error', times: 2, match: { route: 'checks.create' } });
    const delivery = buildDelivery({ event: 'pull_request.opened', pr });
    const first = await fleet.drivers[0]!.send(delivery);
    expect(first.status).toBeGreaterThanOrEqual(500);
    const again = await fleet.drivers[0]!.send(delivery);
    expect(again.status).toBe(200);
    expect(fleet.standIn.state.checkRuns(pr.owner, pr.repo, { name: 'hitl' })).toHaveLength(1);
  });

  it('a secondary limit that lasts longer than the retries allow fails the delivery (no wrong verdict posted)', async () => {
    const pr = fleet.pulls[0]!;
    fleet.standIn.faults.inject({ kind: 'too-many-requests', times: 10, retryAfterSeconds: 1, match: { route: 'repos.getContent' } });
    const result = await fleet.drivers[0]!.send(buildDelivery({ event: 'pull_request.opened', pr }));
    // The config could not be read: fail closed, the check says why.
    expect(result.status).toBe(200);
    expect(fleet.standIn.state.checkRuns(pr.owner, pr.repo, { name: 'hitl' })).toEqual([expect.objectContaining({ conclusion: 'failure' })]);
  }, 15_000);
});
