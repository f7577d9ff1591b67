import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFleet, type Fleet } from '../../src/bench/harness.js';
import { buildDelivery, type Delivery } from '../../src/stand-in/webhooks.js';

/**
 * Scale-out: two app instances (two Probot instances with their own HTTP servers and Redis
 * connections, in one test process) behind one Redis, against one stand-in; every delivery goes
 * to both at once, as a load balancer retrying on another replica (or GitHub redelivering) would.
 */
describe('two app instances behind one Redis', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ installations: 3, replicas: 2, concurrency: 8 });
  });
  afterAll(async () => {
    expect(fleet.standIn.internalErrors).toEqual([]);
    await fleet.stop();
  });

  const toBoth = (delivery: Delivery) => Promise.all(fleet.drivers.map((driver) => driver.send(delivery)));

  it('handle each delivery once: one check run, one label, one reviewer request, one reply; the same verdict', async () => {
    const { state } = fleet.standIn;
    for (const pr of fleet.pulls) {
      await toBoth(buildDelivery({ event: 'pull_request.opened', pr }));
      const comment = state.addComment(pr.owner, pr.repo, pr.number, 'carol', '/hitl status');
      await toBoth(buildDelivery({ event: 'issue_comment.created', pr, commenter: 'carol', body: '/hitl status', commentId: comment.id }));
      const review = state.addReview(pr.owner, pr.repo, pr.number, { user: 'bob', state: 'APPROVED' });
      // Different deliveries of the same PR to different instances at once: serialised by the Redis lock.
      const [a, b] = fleet.drivers;
      await Promise.all([
        a!.send(buildDelivery({ event: 'pull_request_review.submitted', pr, reviewer: 'bob', state: 'approved', reviewId: review.id })),
        b!.send(buildDelivery({ event: 'pull_request_review.submitted', pr, reviewer: 'bob', state: 'approved', reviewId: review.id })),
      ]);
    }
    for (const pr of fleet.pulls) {
      expect(state.checkRuns(pr.owner, pr.repo, { name: 'hitl' })).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'success' })]);
      expect(state.labelsOn(pr.owner, pr.repo, pr.number)).toEqual(['hitl:peer-review']);
      expect(state.comments(pr.owner, pr.repo, pr.number).filter((c) => c.user === 'hitl[bot]')).toHaveLength(1);
      expect(fleet.standIn.calls.stats({ installationId: pr.installationId }).byRoute['checks.create']).toBe(1);
    }
    const handled = fleet.instances.flatMap((i) => i.app.costs).filter((c) => c.outcome === 'handled' && c.event !== 'pull_request_review.submitted');
    expect(handled).toHaveLength(fleet.pulls.length * 2);
  }, 30_000);
});
