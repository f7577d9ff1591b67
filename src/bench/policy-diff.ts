/**
 * What the policy-diff of a pull request that changes `.hitl.yml` costs in GitHub calls: 20 open
 * pull requests evaluated first (their facts stored), then the config PR opened, all through
 * signed webhooks into the real app on the stand-in. Its figure is the calls of that one event.
 */
import { BENCH_CONFIG, headSha, startFleet, type Fleet } from './harness.js';
import { buildDelivery, type PullTarget } from '../stand-in/webhooks.js';
import type { BenchRow, BenchSection } from './types.js';

/** BENCH_CONFIG tightened: payments become security-relevant, peer review stops at 100 lines. */
export const PROPOSED_CONFIG = `${BENCH_CONFIG.replace('peer_review_max_lines: 200', 'peer_review_max_lines: 100')}triggers:\n  security_related_change: { paths: ["src/auth/**", "src/payments/**"] }\n`;

export interface PullFile {
  filename: string;
  additions: number;
  deletions?: number;
}

/** The pull request `number` of the fleet's first repository, as the stand-in and the payload have it. */
export function addPull(fleet: Fleet, number: number, title: string, files: readonly PullFile[], headConfig?: string): PullTarget {
  const first = fleet.pulls[0]!;
  const sum = (pick: (f: PullFile) => number) => files.reduce((n, f) => n + pick(f), 0);
  const pr: PullTarget = {
    ...first,
    number,
    title,
    headRef: `change-${number}`,
    headSha: headSha(`change-${number}`),
    changedFiles: files.length,
    additions: sum((f) => f.additions),
    deletions: sum((f) => f.deletions ?? 0),
  };
  fleet.standIn.state.addPullRequest(pr.owner, pr.repo, { number, title, author: pr.author, head: { ref: pr.headRef!, sha: pr.headSha }, files: files.map((f) => ({ deletions: 0, ...f })) });
  if (headConfig !== undefined) fleet.standIn.state.putFile(pr.owner, pr.repo, '.hitl.yml', headConfig, pr.headRef);
  return pr;
}

/** Delivers `opened` for `pr` and waits for the app's answer (it answers after handling). */
export async function deliverOpened(fleet: Fleet, pr: PullTarget): Promise<void> {
  const result = await fleet.drivers[0]!.send(buildDelivery({ event: 'pull_request.opened', pr }));
  if (result.status !== 200) throw new Error(`opened #${pr.number} answered ${result.status}`);
}

const lastEvent = (fleet: Fleet) => {
  const { reads, writes } = fleet.instances[0]!.app.costs.at(-1)!;
  return { calls: reads + writes, text: `${reads} reads + ${writes} writes` };
};

export const policyDiffBench: BenchSection = async () => {
  const fleet = await startFleet({ installations: 1 });
  try {
    await deliverOpened(fleet, fleet.pulls[0]!);
    for (let n = 2; n <= 20; n++) {
      // Every third touches payments (gains security review), the rest vary in size around the thresholds.
      await deliverOpened(fleet, addPull(fleet, n, `Change ${n}`, [{ filename: n % 3 === 0 ? `src/payments/p${n}.ts` : `src/app${n}.ts`, additions: 10 * n }]));
    }
    const plain = lastEvent(fleet);
    const config = addPull(fleet, 21, 'Tighten the policy', [{ filename: '.hitl.yml', additions: 6 }], PROPOSED_CONFIG);
    await deliverOpened(fleet, config);
    const configPr = lastEvent(fleet);
    const check = fleet.standIn.state.checkRuns(config.owner, config.repo, { headSha: config.headSha, name: 'hitl' })[0];
    const listed = (check?.output?.summary?.match(/^\| #\d+ /gm) ?? []).length;
    const how = `one repository, 20 open PRs evaluated first, then a PR changing .hitl.yml opened: ${configPr.text} (token requests excluded; the extra read is the proposed file; a config change also opens hitl/security_review); ${listed} of 20 listed as changed`;
    return [
      { area: 'policy-diff', metric: 'config PR opened, 20 other open PRs: GitHub calls', value: configPr.calls, unit: 'calls', how, figure: 'policy_diff_requests_20_open' },
      { area: 'policy-diff', metric: 'ordinary PR opened, same repository: GitHub calls', value: plain.calls, unit: 'calls', how: `the 20th open PR, for contrast: ${plain.text}` },
    ];
  } finally {
    await fleet.stop();
  }
};
