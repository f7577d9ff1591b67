/**
 * The policy-diff of a pull request that changes `.hitl.yml` (product §3), through signed webhooks
 * into the real app on the GitHub stand-in: the other open pull requests its file would gate
 * differently, from the facts their own evaluations stored; the PR itself judged by the base.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFleet, type Fleet } from '../../src/bench/harness.js';
import { addPull, deliverOpened, PROPOSED_CONFIG } from '../../src/bench/policy-diff.js';
import { buildDelivery, type PullTarget } from '../../src/stand-in/webhooks.js';

let fleet: Fleet;
let others: { unchanged: PullTarget; payments: PullTarget; bigger: PullTarget; closed: PullTarget };

/** The `hitl` check of a head, its summary with markdown escapes taken out. */
function hitlCheck(pr: PullTarget) {
  const runs = fleet.standIn.state.checkRuns(pr.owner, pr.repo, { headSha: pr.headSha, name: 'hitl' });
  expect(runs).toHaveLength(1);
  const run = runs[0]!;
  return { status: run.status, conclusion: run.conclusion, title: run.output.title ?? '', summary: (run.output.summary ?? '').replace(/\\(.)/g, '$1') };
}

const policyDiffRows = (summary: string) => summary.split('\n').filter((line) => /^\| #\d+ /.test(line));
const contentReads = () => fleet.standIn.calls.stats({ route: 'repos.getContent' }).total;

beforeAll(async () => {
  fleet = await startFleet({ installations: 1 });
  // The fleet's PR #1: 40 lines of src/app.ts, peer review under both files.
  const unchanged = { ...fleet.pulls[0]!, title: 'Tidy the app', changedFiles: 1, additions: 30, deletions: 10 };
  await deliverOpened(fleet, unchanged);
  const payments = addPull(fleet, 2, 'Pay by card', [{ filename: 'src/payments/card.ts', additions: 20 }]);
  const bigger = addPull(fleet, 3, 'Rework the widget', [{ filename: 'src/widget.ts', additions: 150 }]);
  const closed = addPull(fleet, 4, 'Refunds', [{ filename: 'src/payments/refund.ts', additions: 20 }]);
  for (const pr of [payments, bigger, closed]) await deliverOpened(fleet, pr);
  others = { unchanged, payments, bigger, closed };
}, 60_000);

afterAll(async () => {
  expect(fleet.standIn.internalErrors).toEqual([]);
  await fleet.stop();
});

describe('a pull request that changes .hitl.yml', () => {
  it('lists exactly the open pull requests the new file would gate differently, with the rule behind each', async () => {
    const before = contentReads();
    const config = addPull(fleet, 5, 'Tighten the policy', [{ filename: '.hitl.yml', additions: 6 }], PROPOSED_CONFIG);
    await deliverOpened(fleet, config);
    // The one extra read of a config PR: the proposed file at its head (the base's is cached and answered 304).
    expect(contentReads() - before).toBe(2);

    const { summary } = hitlCheck(config);
    expect(summary).toContain('### policy-diff');
    expect(summary).toContain('3 of the 4 other open pull request(s) into `main` would change workflow or checkpoints');
    expect(policyDiffRows(summary)).toEqual([
      '| #2 Pay by card | peer | expert: security_review | + security_review: security_related_change: src/payments/card.ts; peer → expert: checkpoint security_review is active |',
      '| #3 Rework the widget | peer | expert | peer → expert: 150 changed lines ≥ 100 (peer review is for smaller changes) |',
      '| #4 Refunds | peer | expert: security_review | + security_review: security_related_change: src/payments/refund.ts; peer → expert: checkpoint security_review is active |',
    ]);
    expect(summary).not.toContain(others.unchanged.title!);
  });

  it('drops a closed pull request, and asks GitHub nothing more for the proposed file on the same head', async () => {
    const { closed } = others;
    fleet.standIn.state.issue(closed.owner, closed.repo, closed.number).state = 'closed';
    await fleet.drivers[0]!.send(buildDelivery({ event: 'pull_request.closed', pr: closed, merged: null, sender: closed.author }));

    const config = { ...others.payments, number: 5, title: 'Tighten the policy', headRef: 'change-5', headSha: fleet.standIn.state.pull(closed.owner, closed.repo, 5).head.sha };
    const before = contentReads();
    const review = fleet.standIn.state.addReview(config.owner, config.repo, 5, { user: 'bob', state: 'COMMENTED' });
    await fleet.drivers[0]!.send(buildDelivery({ event: 'pull_request_review.submitted', pr: config, reviewer: 'bob', state: 'commented', reviewId: review.id }));
    expect(contentReads() - before).toBe(1); // the base's file (a free 304); the proposed one comes from the cache

    const { summary } = hitlCheck(config);
    expect(summary).toContain('2 of the 3 other open pull request(s) into `main`');
    expect(policyDiffRows(summary).map((row) => row.split(' | ')[0])).toEqual(['| #2 Pay by card', '| #3 Rework the widget']);
  });

  it('is still judged by the base branch’s config, whatever its own file says', async () => {
    // Under its own file this PR would be automatic; the base's built-in security trigger covers .hitl.yml.
    const weakened = 'classification:\n  low_risk_paths: ["**"]\ntriggers:\n  security_related_change: { paths: ["src/auth/**"] }\n';
    const config = addPull(fleet, 6, 'Make everything automatic', [{ filename: '.hitl.yml', additions: 3 }], weakened);
    await deliverOpened(fleet, config);
    const check = hitlCheck(config);
    expect(check).toMatchObject({ status: 'in_progress', title: 'expert review: waiting for security_review' });
    expect(check.summary).toContain("This pull request changes `.hitl.yml`: that change is ignored here; the base branch's config (`main`) applies.");
    // Every other PR would become automatic: all of them are listed (the first config PR too).
    expect(policyDiffRows(check.summary).map((row) => row.split(' | ')[2])).toEqual(['automatic', 'automatic', 'automatic', 'automatic']);
  });

  it('shows the validation errors of an invalid new file, with line and column, and its own verdict is unaffected', async () => {
    const config = addPull(fleet, 7, 'Break the policy', [{ filename: '.hitl.yml', additions: 3 }], 'classification:\n  peer_review_max_lines: many\n');
    await deliverOpened(fleet, config);
    const check = hitlCheck(config);
    expect(check).toMatchObject({ status: 'in_progress', title: 'expert review: waiting for security_review' });
    expect(check.summary).toContain('The proposed `.hitl.yml` is invalid, so no policy-diff is shown');
    expect(check.summary).toMatch(/^- \.hitl\.yml:2:\d+: error: classification\.peer_review_max_lines/m);
    expect(policyDiffRows(check.summary)).toEqual([]);
  });
});
