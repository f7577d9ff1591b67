/**
 * `pull_request`: every change that can move the gate re-evaluates it; closing cancels its timers.
 * The emergency label's refusals are answered, and a merge goes to compliance and post-review.
 */
import type { Context } from 'probot';
import type { ClosedPayload } from '../bypass/merged.js';
import { loadConfig } from '../config/load.js';
import { addressOf } from '../github/address.js';
import { toPullData, type PullLike } from '../github/pulls.js';
import { answerEmergencyLabel, onMerged } from './bypass.js';
import type { EventKit } from './kit.js';

export const PULL_REQUEST_ACTIONS = [
  'opened', 'reopened', 'synchronize', 'edited', 'labeled', 'unlabeled', 'ready_for_review', 'converted_to_draft', 'closed',
] as const;

export async function onPullRequest(context: Context<'pull_request'>, kit: EventKit): Promise<void> {
  const { action, pull_request: pr } = context.payload;
  // An edit matters only when it changes what classification reads: title, description, or base (a retarget).
  if (action === 'edited' && !['title', 'body', 'base'].some((k) => k in (('changes' in context.payload ? context.payload.changes : undefined) ?? {}))) return;
  const address = addressOf(context.payload, pr.number);
  const github = context.octokit;
  const outcome = await kit.pipeline.run({
    address,
    github,
    pull: toPullData(pr as PullLike),
    newHead: action === 'opened' || action === 'synchronize',
    opened: action === 'opened',
    ...(action === 'synchronize' ? { pusher: context.payload.sender.login } : {}),
  });
  const label = 'label' in context.payload ? context.payload.label?.name : undefined;
  if ((action === 'labeled' || action === 'unlabeled') && label && outcome.kind === 'evaluated') {
    await answerEmergencyLabel(kit.bypass, github, address, outcome, label);
  }
  if (action === 'closed' && pr.merged) {
    await kit.afterOutage.run(`merge of ${address.owner}/${address.repo}#${pr.number}`, async () => {
      const loaded = await kit.readers.config.load(github, address.owner, address.repo, pr.base.ref);
      // An invalid config kept the gate shut: the merge is still judged, with the built-in policy.
      const resolved = loaded.result.ok ? loaded.result : loadConfig({});
      if (resolved.ok) await onMerged(kit.bypass, kit.escalation, github, kit.readers.checks, context.payload as ClosedPayload, { config: resolved.config, version: loaded.version });
    });
  }
}
