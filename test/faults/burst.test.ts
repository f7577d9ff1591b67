import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { headSha, startFleet, type Fleet } from '../../src/bench/harness.js';
import { buildDelivery, type Delivery } from '../../src/stand-in/webhooks.js';

/** Deterministic shuffle (a fixed-seed LCG), so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('a burst of 200 events for one PR, in any order', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ installations: 1, concurrency: 16 });
  });
  afterAll(async () => {
    expect(fleet.standIn.internalErrors).toEqual([]);
    await fleet.stop();
  });

  it.each([1, 2])('ends with the last state on the check of the final head, one hitl run per head (seed %i)', async (seed) => {
    const base = fleet.pulls[0]!;
    const pr = { ...base, number: 10 + seed, headSha: headSha(`burst-${seed}-0`) };
    const { state } = fleet.standIn;
    state.addPullRequest(pr.owner, pr.repo, { number: pr.number, author: 'alice', head: { ref: `burst-${seed}`, sha: pr.headSha }, files: [{ filename: 'src/app.ts', additions: 30, deletions: 10 }] });
    const heads = Array.from({ length: 5 }, (_, i) => headSha(`burst-${seed}-${i + 1}`));
    const final = heads.at(-1)!;
    // GitHub's state is already final: the last push, approved by bob on it; the deliveries describe its history.
    state.pushToPull(pr.owner, pr.repo, pr.number, final);
    const review = state.addReview(pr.owner, pr.repo, pr.number, { user: 'bob', state: 'APPROVED' });
    const deliveries: Delivery[] = [buildDelivery({ event: 'pull_request.opened', pr })];
    for (let i = 0; deliveries.length < 200; i++) {
      const head = heads[i % heads.length]!;
      const at = { ...pr, headSha: head };
      if (i % 3 === 0) deliveries.push(buildDelivery({ event: 'pull_request.synchronize', pr: at, before: heads[(i + 4) % heads.length]! }));
      else if (i % 3 === 1) deliveries.push(buildDelivery({ event: 'pull_request_review.submitted', pr: { ...pr, headSha: final }, reviewer: 'bob', state: 'approved', reviewId: review.id }));
      else deliveries.push(buildDelivery({ event: 'issue_comment.created', pr: at, commenter: 'carol', body: 'looks fine, nothing to do here' }));
    }
    const summary = await fleet.drivers[0]!.sendAll(shuffled(deliveries, seed));
    expect(summary.accepted).toBe(200);
    const finalRuns = state.checkRuns(pr.owner, pr.repo, { headSha: final, name: 'hitl' });
    expect(finalRuns).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'success' })]);
    for (const head of heads) expect(state.checkRuns(pr.owner, pr.repo, { headSha: head, name: 'hitl' }).length).toBeLessThanOrEqual(1);
    expect(state.labelsOn(pr.owner, pr.repo, pr.number)).toEqual(['hitl:peer-review']);
  }, 30_000);
});
