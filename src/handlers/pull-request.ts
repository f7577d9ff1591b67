/**
 * `pull_request`: every change that can move the gate re-evaluates it; closing cancels its timers.
 * The emergency label's refusals are answered, and a merge goes to compliance and post-review.
 */
import type { Context } from 'probot';
import type { ClosedPayload } from '../bypass/merged.js';
import { loadConfig } from '../config/load.js';
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
  const request = kit.target(context, pr.number);
  const result = await kit.gate.run({
    ...request,
    pull: toPullData(pr as PullLike),
    newHead: action === 'opened' || action === 'synchronize',
    noHistory: action === 'opened',
  });
  const label = 'label' in context.payload ? context.payload.label?.name : undefined;
  if ((action === 'labeled' || action === 'unlabeled') && label && result.kind === 'evaluated') {
    await answerEmergencyLabel(kit.bypass, request, result, label);
  }
  if (action === 'closed' && pr.merged) {
    const loaded = await kit.gate.loadConfig(request, pr.base.ref);
    // An invalid config kept the gate shut: the merge is still judged, with the built-in policy.
    const resolved = loaded.result.ok ? loaded.result : loadConfig({});
    if (resolved.ok) await onMerged(kit.bypass, kit.escalation, request.octokit, kit.readers.checks, context.payload as ClosedPayload, { config: resolved.config, version: loaded.version });
  }
}
