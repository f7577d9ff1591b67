/** `pull_request_review` submitted or dismissed: re-evaluate; an approval that counts is audited. */
import type { Context } from 'probot';
import { addressOf } from '../github/address.js';
import { toPullData, type PullLike } from '../github/pulls.js';
import type { EventKit } from './kit.js';

export async function onReview(context: Context<'pull_request_review'>, kit: EventKit): Promise<void> {
  const { pull_request: pr, review } = context.payload;
  const address = addressOf(context.payload, pr.number);
  const outcome = await kit.pipeline.run({ address, github: context.octokit, pull: toPullData(pr as PullLike) });
  if (outcome.kind !== 'evaluated' || review.state.toLowerCase() !== 'approved' || !review.user) return;
  const reviewer = review.user.login;
  for (const { item, status } of outcome.evaluation.items) {
    if ('approvals' in status && status.approvals.some((a) => a.by === reviewer && a.via === 'review')) {
      await kit.publisher.record(address, outcome.pull.headSha, [{ action: 'approved', actor: reviewer, checkpoint: item.name, workflow: outcome.evaluation.workflow, details: { via: 'review' } }]);
    }
  }
}
