/** `pull_request_review` submitted or dismissed: re-evaluate; an approval that counts is audited. */
import type { Context } from 'probot';
import { toPullData, type PullLike } from '../github/pulls.js';
import type { EventKit } from './kit.js';

export async function onReview(context: Context<'pull_request_review'>, kit: EventKit): Promise<void> {
  const { pull_request: pr, review } = context.payload;
  const request = { ...kit.target(context, pr.number), pull: toPullData(pr as PullLike) };
  const result = await kit.gate.run(request);
  if (result.kind !== 'evaluated' || review.state.toLowerCase() !== 'approved' || !review.user) return;
  const reviewer = review.user.login;
  for (const { item, status } of result.evaluation.items) {
    if ('approvals' in status && status.approvals.some((a) => a.by === reviewer && a.via === 'review')) {
      await kit.gate.record(request, result.pull, { action: 'approved', actor: reviewer, checkpoint: item.name, workflow: result.evaluation.workflow, details: { via: 'review' } });
    }
  }
}
