/**
 * `merge_group` checks_requested: the queue's commit gets `hitl` success only when every pull
 * request in the group passes its own gate, each evaluated through the usual path.
 */
import type { Context } from 'probot';
import { addressOf, repositoryOf } from '../github/address.js';
import { HITL_CHECK } from '../policy/types.js';
import type { EventKit } from './kit.js';

/** PR numbers of a merge-queue head ref such as `refs/heads/gh-readonly-queue/main/pr-104-929f…`. */
export function queuedPullNumbers(headRef: string): number[] {
  const queue = /gh-readonly-queue\/.+$/.exec(headRef)?.[0] ?? '';
  return [...queue.matchAll(/pr-(\d+)-[0-9a-f]{7,40}/g)].map((m) => Number(m[1]));
}

export async function onMergeGroup(context: Context<'merge_group.checks_requested'>, kit: EventKit): Promise<void> {
  const group = context.payload.merge_group;
  const numbers = queuedPullNumbers(group.head_ref);
  const failing: string[] = [];
  for (const number of numbers) {
    const result = await kit.pipeline.run({ address: addressOf(context.payload, number), github: context.octokit });
    const verdict = result.kind === 'evaluated' ? result.evaluation.verdict : { state: 'fail', summary: result.kind === 'closed' ? 'closed' : 'invalid .hitl.yml' };
    if (verdict.state !== 'pass') failing.push(`#${number}: ${verdict.summary}`);
  }
  if (numbers.length === 0) failing.push(`no pull request number in ${group.head_ref}`);
  await kit.checks.syncChecks(context.octokit, repositoryOf(context.payload), group.head_sha, [{
    name: HITL_CHECK,
    status: 'completed',
    conclusion: failing.length === 0 ? 'success' : 'failure',
    title: failing.length === 0 ? `every pull request in the group passed (${numbers.map((n) => `#${n}`).join(', ')})` : `${failing.length} pull request(s) in the group have not passed`,
    summary: failing.length === 0 ? 'All gates passed.' : failing.map((f) => `- ${f}`).join('\n'),
  }], false);
}
