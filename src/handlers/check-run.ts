/** `check_run` rerequested or its button pressed on one of our checks: re-evaluate its PRs from fresh facts. */
import type { Context } from 'probot';
import { addressOf } from '../github/address.js';
import { HITL_CHECK } from '../policy/types.js';
import type { EventKit } from './kit.js';

export async function onCheckRun(context: Context<'check_run.rerequested' | 'check_run.requested_action'>, kit: EventKit): Promise<void> {
  const run = context.payload.check_run;
  if (run.name !== HITL_CHECK && !run.name.startsWith(`${HITL_CHECK}/`)) return;
  // Fork PRs leave pull_requests empty; their gate moves with their next pull_request event.
  for (const pr of run.pull_requests) await kit.pipeline.run({ address: addressOf(context.payload, pr.number), github: context.octokit });
}
