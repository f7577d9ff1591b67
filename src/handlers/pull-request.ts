/** `pull_request`: every change that can move the gate re-evaluates it; closing cancels its timers. */
import type { Context } from 'probot';
import { toPullData, type PullLike } from '../github/pulls.js';
import type { EventKit } from './kit.js';

export const PULL_REQUEST_ACTIONS = [
  'opened', 'reopened', 'synchronize', 'edited', 'labeled', 'unlabeled', 'ready_for_review', 'converted_to_draft', 'closed',
] as const;

export async function onPullRequest(context: Context<'pull_request'>, kit: EventKit): Promise<void> {
  const { action, pull_request: pr } = context.payload;
  // An edit matters only when it changes what classification reads: title, description, or base (a retarget).
  if (action === 'edited' && !['title', 'body', 'base'].some((k) => k in (('changes' in context.payload ? context.payload.changes : undefined) ?? {}))) return;
  await kit.gate.run({
    ...kit.target(context, pr.number),
    pull: toPullData(pr as PullLike),
    newHead: action === 'opened' || action === 'synchronize',
    noHistory: action === 'opened',
  });
}
